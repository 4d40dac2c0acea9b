"""API routes of approvals (under /api/v1/approvals/)."""

from django.urls import URLPattern, URLResolver, path, re_path

from approvals import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("items/", api.ItemListView.as_view(), name="approvals-items"),
    path("items/<str:code>/", api.ItemDetailView.as_view(), name="approvals-item"),
    path("applications/", api.ApplicationListView.as_view(), name="approvals-applications"),
    path(
        "applications/<int:application_id>/",
        api.ApplicationDetailView.as_view(),
        name="approvals-application",
    ),
    re_path(
        r"^applications/(?P<application_id>\d+)/(?P<action>(?:" + "|".join(api.ACTIONS) + r"))/$",
        api.ApplicationActionView.as_view(),
        name="approvals-application-action",
    ),
    path("centres/report/", api.CentreReportView.as_view(), name="approvals-centres-report"),
]
