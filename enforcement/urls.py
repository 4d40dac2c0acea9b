"""Pages of enforcement (under /enforcement/)."""

from django.urls import URLPattern, URLResolver, path

from enforcement import views, views_documents

app_name = "enforcement"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.case_list, name="cases"),
    path("cases/<int:case_id>/", views.case_page, name="case"),
    path("cases/<int:case_id>/act/", views.case_act, name="case_act"),
    path("cases/<int:case_id>/record/", views.case_record, name="case_record"),
    path("cases/<int:case_id>/documents/", views_documents.generate_document, name="generate_document"),
    path(
        "cases/<int:case_id>/documents/<int:document_id>.pdf",
        views_documents.document_pdf,
        name="document_pdf",
    ),
    path("cases/<int:case_id>/case-file.pdf", views_documents.case_file, name="case_file"),
    path("cases/<int:case_id>/publication/", views_documents.publication, name="publication"),
    path("convert/<int:event_id>/", views.convert_event, name="convert"),
]
