"""Pages of approvals (under /approvals/)."""

from django.urls import URLPattern, URLResolver, path

from approvals import views

app_name = "approvals"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.catalogue, name="catalogue"),
    path("guide/<str:code>/", views.guide, name="guide"),
    path("apply/<str:code>/", views.apply_online, name="apply"),
    path("submitted/<str:receipt_no>/", views.submitted, name="submitted"),
    path("track/", views.track, name="track"),
    path("catalogue/template.xlsx", views.template_xlsx, name="template"),
    path("catalogue/export.xlsx", views.export_catalogue, name="export"),
    path("catalogue/import/", views.import_catalogue, name="import"),
    path("window/", views.window, name="window"),
    path("proxy/", views.proxy, name="proxy"),
    path("applications/", views.worklist, name="worklist"),
    path("applications/<int:application_id>/", views.application, name="application"),
    path("applications/<int:application_id>/receipt/", views.receipt, name="receipt"),
    path(
        "applications/<int:application_id>/attachments/<int:attachment_id>/",
        views.attachment,
        name="attachment",
    ),
    path("report/", views.report, name="report"),
]
