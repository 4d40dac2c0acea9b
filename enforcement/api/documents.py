"""API views for case documents and publication (the enforcement app routes them in api_urls.py):

    POST /api/v1/enforcement/cases/{id}/documents/              {"kind", "details"?} → the document
    GET  /api/v1/enforcement/cases/{id}/documents/{doc}/pdf/   the stored PDF
    GET  /api/v1/enforcement/cases/{id}/case-file/             the case file (卷宗) as one PDF
    POST /api/v1/enforcement/cases/{id}/publication/           {"action": publish|withdraw|revoke, "reason"}

Thin: parse → access (in the actions) → action → render."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.requests import acting_user
from core.api import raise_for_serializer
from core.errors import DomainError, NotFound
from core.pdf import PDF_MEDIA_TYPE
from enforcement.cases.document_actions import (
    CASE_FILE_ROLES,
    access_case,
    do_assemble_case_file,
    do_generate_document,
)
from enforcement.cases.documents import GENERATED_KINDS
from enforcement.cases.publication import do_publish_decision, do_record_revocation, do_withdraw_publication
from enforcement.models import Case, CaseDocument, Publication
from enforcement.selectors import cases_for


def _case(request: Request, case_id: int) -> Case:
    """The case if it lies in the caller's jurisdiction, looked up before the body is parsed: a case
    elsewhere and a missing one answer the same 404 whatever the input."""
    case = cases_for(acting_user(request)).filter(pk=case_id).first()
    if case is None:
        raise NotFound("案件不存在，或不在您的管辖范围内。")
    return case


class DocumentIn(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=list(GENERATED_KINDS))
    details = serializers.DictField(required=False, default=dict)


class DocumentOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_title = serializers.CharField(source="get_kind_display")
    number = serializers.CharField()
    volume = serializers.CharField()
    content_hash = serializers.CharField()
    generated_at = serializers.DateTimeField()
    pdf_url = serializers.SerializerMethodField()

    def get_pdf_url(self, document: CaseDocument) -> str:
        return f"/api/v1/enforcement/cases/{document.case_id}/documents/{document.pk}/pdf/"


class PublicationIn(serializers.Serializer[Any]):
    action = serializers.ChoiceField(choices=["publish", "withdraw", "revoke"])
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


class PublicationOut(serializers.Serializer[Any]):
    case = serializers.IntegerField(source="case_id")
    due_at = serializers.DateTimeField()
    published_at = serializers.DateTimeField(allow_null=True)
    remove_due_at = serializers.DateTimeField(allow_null=True)
    withdrawn_at = serializers.DateTimeField(allow_null=True)
    withdraw_reason = serializers.CharField()
    revoked_at = serializers.DateTimeField(allow_null=True)


class CaseDocumentsView(APIView):
    @extend_schema(
        operation_id="enforcement_case_generate_document",
        summary="生成执法文书（PDF，编号、填入案件信息）",
        request=DocumentIn,
        responses={201: DocumentOut},
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = _case(request, case_id)
        data = raise_for_serializer(DocumentIn(data=request.data))
        document = do_generate_document(
            case, data["kind"], actor=acting_user(request), now=timezone.now(), details=data["details"]
        )
        return Response(DocumentOut(document).data, status=201)


class DocumentPdfView(APIView):
    @extend_schema(
        operation_id="enforcement_case_document_pdf",
        summary="下载执法文书 PDF",
        responses={(200, PDF_MEDIA_TYPE): OpenApiTypes.BINARY},
    )
    def get(self, request: Request, case_id: int, document_id: int) -> FileResponse:
        case = access_case(acting_user(request), case_id, CASE_FILE_ROLES)
        document = CaseDocument.objects.filter(case=case, pk=document_id).first()
        if document is None:
            raise NotFound("文书不存在。")
        response = FileResponse(document.pdf.open("rb"), content_type=PDF_MEDIA_TYPE)
        response["Content-Disposition"] = f'inline; filename="{document.kind}-{document.pk}.pdf"'
        return response


class CaseFileView(APIView):
    @extend_schema(
        operation_id="enforcement_case_file",
        summary="案卷（正卷、副卷，含卷内目录）PDF",
        responses={(200, PDF_MEDIA_TYPE): OpenApiTypes.BINARY},
    )
    def get(self, request: Request, case_id: int) -> HttpResponse:
        pdf = do_assemble_case_file(_case(request, case_id), actor=acting_user(request), now=timezone.now())
        response = HttpResponse(pdf, content_type=PDF_MEDIA_TYPE)
        response["Content-Disposition"] = f'inline; filename="case-{case_id}.pdf"'
        return response


class PublicationView(APIView):
    @extend_schema(
        operation_id="enforcement_case_publication",
        summary="处罚决定公示：公示、撤下（须理由）、登记决定被撤销",
        request=PublicationIn,
        responses=PublicationOut,
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = _case(request, case_id)
        data = raise_for_serializer(PublicationIn(data=request.data))
        actor, now = acting_user(request), timezone.now()
        publication: Publication
        if data["action"] == "publish":
            publication = do_publish_decision(case, actor=actor, now=now)
        elif data["action"] == "withdraw":
            publication = do_withdraw_publication(case, data["reason"], actor=actor, now=now)
        elif data["action"] == "revoke":
            publication = do_record_revocation(case, data["reason"], actor=actor, now=now)
        else:  # pragma: no cover - the serializer allows only the three
            raise DomainError("invalid", "未知操作。", field="action")
        return Response(PublicationOut(publication).data)
