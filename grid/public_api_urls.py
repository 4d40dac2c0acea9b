"""The residents' API (under /api/v1/public/): report without an account, follow and rate by receipt."""

from django.urls import URLPattern, URLResolver, path

from grid.events.api import public as public_api

urlpatterns: list[URLPattern | URLResolver] = [
    path("reports/", public_api.PublicReportView.as_view(), name="grid-public-reports"),
    path("reports/<str:receipt>/", public_api.PublicStatusView.as_view(), name="grid-public-report"),
    path(
        "reports/<str:receipt>/rating/",
        public_api.PublicRatingView.as_view(),
        name="grid-public-report-rating",
    ),
]
