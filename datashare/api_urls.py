from django.urls import path

from datashare import api

urlpatterns = [
    path("catalogue/", api.CatalogueView.as_view(), name="datashare-catalogue"),
    path("grants/", api.GrantsView.as_view(), name="datashare-grants"),
    path("grants/<int:grant_id>/token/", api.GrantTokenView.as_view(), name="datashare-grant-token"),
    path(
        "datasets/<int:connector_id>/export.xlsx",
        api.DatasetExportView.as_view(),
        name="datashare-dataset-export",
    ),
    path("datasets/<int:connector_id>/rows/", api.DatasetRowsView.as_view(), name="datashare-dataset-rows"),
    path(
        "connectors/<int:connector_id>/quarantine/",
        api.QuarantineView.as_view(),
        name="datashare-quarantine",
    ),
    path(
        "connectors/<int:connector_id>/quarantine/<int:row_id>/retry/",
        api.QuarantineRetryView.as_view(),
        name="datashare-quarantine-retry",
    ),
    path("people-exports/", api.PeopleExportsView.as_view(), name="datashare-people-exports"),
    path(
        "people-exports/<int:export_id>/review/",
        api.PeopleExportReviewView.as_view(),
        name="datashare-people-export-review",
    ),
    path(
        "people-exports/<int:export_id>/export.xlsx",
        api.PeopleExportDownloadView.as_view(),
        name="datashare-people-export-download",
    ),
]
