"""/api/v1/: each bounded context contributes its own routes."""

from django.urls import include, path

urlpatterns = [
    path("", include("accounts.api_urls")),
    path("territory/", include("territory.api_urls")),
    path("", include("workflow.api_urls")),
    path("grid/", include("grid.api_urls")),
    path("public/", include("grid.public_api_urls")),
]
