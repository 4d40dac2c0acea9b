"""The licences JSON API (under /api/v1/licences/): public certificate status (masked), the PDF for staff
whose jurisdiction covers the issuer, and revocation. Thin views: parse → access → action → render."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from core.api import raise_for_serializer
from licences import selectors
from licences.actions import do_revoke_certificate
from licences.documents import pdf_response
from licences.models import Certificate


class CertificateStatusOut(serializers.Serializer[Any]):
    identifier = serializers.CharField()
    status = serializers.ChoiceField(choices=["valid", "revoked", "expired"])
    status_label = serializers.CharField()
    licence_type = serializers.CharField()
    title = serializers.CharField()
    holder_name = serializers.CharField(help_text="自然人姓名已部分隐藏")
    holder_number = serializers.CharField(help_text="身份证号只显示前6位和后4位；统一社会信用代码公开")
    issuer = serializers.CharField()
    issued_on = serializers.DateField()
    valid_until = serializers.DateField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)
    revoke_reason = serializers.CharField(allow_blank=True)
    identifier_valid = serializers.BooleanField(help_text="标识的校验位是否正确")


class RevokeIn(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=500, allow_blank=False, trim_whitespace=True)


def _status_data(certificate: Certificate) -> dict[str, Any]:
    return dict(CertificateStatusOut(selectors.public_certificate(certificate, timezone.now())).data)


class CertificateStatusView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(
        operation_id="licences_certificate_status",
        summary="电子证照核验：状态（有效/已撤销/已过期）与脱敏信息，无需登录",
        responses={200: CertificateStatusOut, 404: OpenApiResponse(description="证照不存在")},
    )
    def get(self, request: Request, identifier: str) -> Response:
        certificate = selectors.certificate_by_identifier(identifier)
        return Response(_status_data(certificate))


class CertificatePdfView(APIView):
    @extend_schema(
        operation_id="licences_certificate_pdf",
        summary="电子证照 PDF（管辖范围内的工作人员）",
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            404: OpenApiResponse(description="不存在或不在管辖范围内"),
        },
    )
    def get(self, request: Request, identifier: str) -> HttpResponse:
        assert isinstance(request.user, User)
        certificate = selectors.get_certificate_for(request.user, identifier)
        return pdf_response(certificate)


class CertificateRevokeView(APIView):
    @extend_schema(
        operation_id="licences_certificate_revoke",
        summary="撤销电子证照（发证单位的审批人员、窗口人员或领导）",
        request=RevokeIn,
        responses={200: CertificateStatusOut},
    )
    def post(self, request: Request, identifier: str) -> Response:
        assert isinstance(request.user, User)
        certificate = selectors.get_certificate_for(request.user, identifier)
        data = raise_for_serializer(RevokeIn(data=request.data))
        do_revoke_certificate(certificate, actor=request.user, now=timezone.now(), reason=data["reason"])
        return Response(_status_data(certificate))
