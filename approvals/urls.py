"""Pages of approvals (under /approvals/)."""

from django.urls import URLPattern, URLResolver, path

from approvals.pages import catalogue, desk, online

app_name = "approvals"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", catalogue.catalogue, name="catalogue"),
    path("guide/<str:code>/", catalogue.guide, name="guide"),
    path("apply/<str:code>/", online.apply_online, name="apply"),
    path("submitted/<str:receipt_no>/", online.submitted, name="submitted"),
    path("track/", online.track, name="track"),
    path("catalogue/template.xlsx", catalogue.template_xlsx, name="template"),
    path("catalogue/export.xlsx", catalogue.export_catalogue, name="export"),
    path("catalogue/import/", catalogue.import_catalogue, name="import"),
    path("window/", desk.window, name="window"),
    path("proxy/", desk.proxy, name="proxy"),
    path("applications/", desk.worklist, name="worklist"),
    path("applications/<int:application_id>/", desk.application, name="application"),
    path("applications/<int:application_id>/receipt/", desk.receipt, name="receipt"),
    path(
        "applications/<int:application_id>/attachments/<int:attachment_id>/",
        desk.attachment,
        name="attachment",
    ),
    path("report/", desk.report, name="report"),
]
