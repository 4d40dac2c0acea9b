"""API routes of evaluation (under /api/v1/enforcement/officers/)."""

from django.urls import URLPattern, URLResolver, path

from evaluation import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("ranking/", api.RankingView.as_view(), name="evaluation-ranking"),
    path("rotation/", api.RotationView.as_view(), name="evaluation-rotation"),
    path("points/compute/", api.ComputeView.as_view(), name="evaluation-compute"),
    path("assessments/", api.AssessmentsView.as_view(), name="evaluation-assessments"),
    path("<int:officer_id>/points/", api.OfficerEntriesView.as_view(), name="evaluation-officer-points"),
]
