"""The residents' API (under /api/v1/public/): report without an account, follow and rate by receipt."""

from django.urls import URLPattern, URLResolver, path

from grid.events.api import public as event_api

urlpatterns: list[URLPattern | URLResolver] = [
    path("reports/", event_api.PublicReportView.as_view(), name="grid-public-reports"),
    path("reports/<str:receipt>/", event_api.PublicStatusView.as_view(), name="grid-public-report"),
    path(
        "reports/<str:receipt>/rating/",
        event_api.PublicRatingView.as_view(),
        name="grid-public-report-rating",
    ),
]
