"""/api/v1/: each bounded context contributes its own routes."""

from django.urls import include, path

urlpatterns = [
    path("", include("accounts.api_urls")),
    path("territory/", include("territory.api_urls")),
    path("registry/", include("registry.api_urls")),
    path("party/", include("party.api_urls")),
    path("territorial/", include("territorial.api_urls")),
    path("", include("workflow.api_urls")),
    path("grid/", include("grid.api_urls")),
    path("public/", include("grid.public_api_urls")),
    path("licences/", include("licences.api_urls")),
    path("datashare/", include("datashare.api_urls")),
    path("approvals/", include("approvals.api_urls")),
    path("ratings/", include("ratings.api_urls")),
    path("enforcement/officers/", include("evaluation.api_urls")),
    path("enforcement/", include("enforcement.api_urls")),
    path("command/", include("command.api_urls")),
]
