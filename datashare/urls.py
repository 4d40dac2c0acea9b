"""Staff pages of the data catalogue and its grant requests (under /datashare/)."""

from django.urls import path

from datashare import views, views_connectors, views_exports

app_name = "datashare"

urlpatterns = [
    path("", views.catalogue_page, name="catalogue"),
    path("sources/<int:connector_id>/", views.connector_page, name="connector"),
    path("sources/new/", views_connectors.connector_form, name="connector_new"),
    path("sources/<int:connector_id>/edit/", views_connectors.connector_form, name="connector_edit"),
    path("sources/<int:connector_id>/run/", views_connectors.run_now, name="connector_run"),
    path(
        "sources/<int:connector_id>/quarantine/<int:row_id>/retry/",
        views.retry_quarantined,
        name="quarantine_retry",
    ),
    path("grants/", views.grants_page, name="grants"),
    path("grants/<int:grant_id>/review/", views.review_grant, name="grant_review"),
    path("grants/<int:grant_id>/token/", views.grant_token, name="grant_token"),
    path("people-exports/", views_exports.people_exports_page, name="people_exports"),
    path(
        "people-exports/<int:export_id>/review/",
        views_exports.review_people_export,
        name="people_export_review",
    ),
    path(
        "people-exports/<int:export_id>/export.xlsx",
        views_exports.download_people_export,
        name="people_export_download",
    ),
]
