"""Top-level routes: staff pages, the admin, the JSON API under /api/v1/ and its OpenAPI schema."""

from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from command import views as command_views

urlpatterns = [
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True)),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("zhili.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="core/swagger_ui.html"),
        name="api-docs",
    ),
    # Anonymous visitors land on the residents' portal, leaders and dispatchers on the command desk,
    # the other staff on their profile home; /public/ shows the portal to anyone.
    path("", command_views.landing, name="landing"),
    path("public/", command_views.portal, name="portal"),
    path("", include("accounts.urls")),
    path("command/", include("command.urls")),
    path("territory/", include("territory.urls")),
    path("registry/", include("registry.urls")),
    path("work/", include("workflow.urls")),
    path("grid/", include("grid.urls")),
    path("datashare/", include("datashare.urls")),
    path("party/", include("party.urls")),
    path("open311/v2/", include("open311.urls")),
    path("", include("licences.urls")),
    path("approvals/", include("approvals.urls")),
    path("ratings/", include("ratings.urls")),
    path("enforcement/", include("enforcement.urls")),
    path("public/enforcement/", include("enforcement.public_urls")),
    path("territorial/", include("territorial.urls")),
    path("public/territorial/", include("territorial.public_urls")),
    path("evaluation/", include("evaluation.urls")),
]

handler404 = "zhili.errors.page_not_found"
handler500 = "zhili.errors.server_error"
# A request refused before any view runs (too large, too many files) answers with the error envelope.
handler400 = "core.views.bad_request"
