"""API routes of enforcement (under /api/v1/enforcement/)."""

from django.urls import URLPattern, URLResolver, path

from enforcement.api import cases, documents, matters, patrols

urlpatterns: list[URLPattern | URLResolver] = [
    path("matters/", matters.MattersView.as_view(), name="enforcement-matters"),
    path("matters/import/", matters.MatterImportView.as_view(), name="enforcement-matters-import"),
    path("responsible/", matters.ResponsibleView.as_view(), name="enforcement-responsible"),
    path("cases/", cases.CasesView.as_view(), name="enforcement-cases"),
    path("cases/<int:case_id>/", cases.CaseDetailView.as_view(), name="enforcement-case"),
    path("cases/<int:case_id>/actions/", cases.CaseActionView.as_view(), name="enforcement-case-actions"),
    path("cases/<int:case_id>/record/", cases.CaseRecordView.as_view(), name="enforcement-case-record"),
    path("cases/<int:case_id>/officers/", cases.CaseOfficersView.as_view(), name="enforcement-case-officers"),
    path(
        "cases/<int:case_id>/preservation/",
        cases.CasePreservationView.as_view(),
        name="enforcement-case-preservation",
    ),
    path(
        "cases/<int:case_id>/documents/",
        documents.CaseDocumentsView.as_view(),
        name="enforcement-case-documents",
    ),
    path(
        "cases/<int:case_id>/documents/<int:document_id>/pdf/",
        documents.DocumentPdfView.as_view(),
        name="enforcement-case-document-pdf",
    ),
    path("cases/<int:case_id>/case-file/", documents.CaseFileView.as_view(), name="enforcement-case-file"),
    path(
        "cases/<int:case_id>/publication/",
        documents.PublicationView.as_view(),
        name="enforcement-case-publication",
    ),
    path("grid-events/<int:event_id>/convert/", cases.ConvertEventView.as_view(), name="enforcement-convert"),
    path("patrols/", patrols.PatrolsView.as_view(), name="enforcement-patrols"),
    path("patrols/<int:log_id>/checks/", patrols.PatrolCheckView.as_view(), name="enforcement-patrol-checks"),
    path("patrols/<int:log_id>/end/", patrols.PatrolEndView.as_view(), name="enforcement-patrol-end"),
    path(
        "patrol-checks/<int:check_id>/case/", patrols.PatrolCaseView.as_view(), name="enforcement-patrol-case"
    ),
]
