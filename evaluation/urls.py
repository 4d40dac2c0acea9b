"""Pages of evaluation (under /evaluation/)."""

from django.urls import URLPattern, URLResolver, path

from evaluation import views

app_name = "evaluation"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.ranking, name="ranking"),
    path("compute/", views.compute, name="compute"),
    path("officers/<int:officer_id>/", views.officer_entries, name="officer"),
    path("publications/late/", views.late_publications, name="late_publications"),
]
