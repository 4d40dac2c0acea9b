"""The datashare JSON API (under /api/v1/datashare/): the catalogue, grant requests and their token, and
the dataset read that needs a grant's token (header `Authorization: Grant <token>`), not a session.
Thin views: parse → access → action → render."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.requests import acting_user
from core.api import raise_for_serializer
from core.errors import NotFound
from datashare import access, exports, grants, people_exports, selectors, sync
from datashare.models import DatasetGrant, QuarantinedRow

QUARANTINE_LIMIT = 500


class CatalogueAssetOut(serializers.Serializer[Any]):
    kind = serializers.CharField()
    name = serializers.CharField()
    category = serializers.CharField(allow_blank=True)
    owner = serializers.CharField()
    fields = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))  # type: ignore[assignment]
    frequency = serializers.CharField()
    last_sync = serializers.DateTimeField(allow_null=True)
    rows = serializers.IntegerField()
    quarantined = serializers.IntegerField()
    connector_id = serializers.IntegerField(allow_null=True)


class GrantRequestIn(serializers.Serializer[Any]):
    connector = serializers.IntegerField()
    fields = serializers.ListField(child=serializers.CharField(), min_length=1)  # type: ignore[assignment]
    purpose = serializers.CharField(max_length=300)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    unmask = serializers.BooleanField(default=False)


class GrantOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    connector = serializers.IntegerField(source="connector_id")
    work_item = serializers.IntegerField(source="work_item_id")
    status = serializers.CharField()
    fields = serializers.ListField(child=serializers.CharField())  # type: ignore[assignment]
    purpose = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class TokenOut(serializers.Serializer[Any]):
    token = serializers.CharField(help_text="仅显示一次")


class CatalogueView(APIView):
    @extend_schema(responses=CatalogueAssetOut(many=True), summary="数据目录（本辖区）")
    def get(self, request: Request) -> Response:
        return Response(CatalogueAssetOut(selectors.catalogue(acting_user(request)), many=True).data)


class GrantsView(APIView):
    @extend_schema(request=GrantRequestIn, responses={201: GrantOut}, summary="申请使用数据集")
    def post(self, request: Request) -> Response:
        data = raise_for_serializer(GrantRequestIn(data=request.data))
        actor = acting_user(request)
        connector = grants.visible_connector(actor, data.pop("connector"))
        grant = grants.do_request_grant(connector, **data, actor=actor, now=timezone.now())
        return Response(GrantOut(grant).data, status=201)


class GrantTokenView(APIView):
    @extend_schema(request=None, responses={201: TokenOut}, summary="领取数据访问令牌")
    def post(self, request: Request, grant_id: int) -> Response:
        grant = DatasetGrant.objects.filter(pk=grant_id).first()
        if grant is None:
            raise NotFound(field="grant")
        token = grants.do_issue_token(grant, actor=acting_user(request), now=timezone.now())
        return Response({"token": token}, status=201)


class DatasetRowsView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        responses={
            200: OpenApiResponse(description="授权字段的数据行"),
            403: OpenApiResponse(description="无有效授权"),
        },
        summary="读取数据集（需授权令牌）",
    )
    def get(self, request: Request, connector_id: int) -> Response:
        rows = grants.do_read_dataset(_grant_token(request), connector_id, now=timezone.now())
        return Response({"rows": rows})


def _grant_token(request: Request) -> str:
    header = request.headers.get("Authorization", "")
    return header.removeprefix("Grant ").strip() if header.startswith("Grant ") else ""


class DatasetExportView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        responses={
            200: OpenApiResponse(description="XLSX（含导出人水印）"),
            403: OpenApiResponse(description="无有效授权"),
        },
        summary="导出数据集（需授权令牌）",
    )
    def get(self, request: Request, connector_id: int) -> HttpResponse:
        grant, content = exports.do_export_dataset(_grant_token(request), connector_id, now=timezone.now())
        response = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="dataset-{connector_id}-grant-{grant.pk}.xlsx"'
        )
        return response


class PeopleExportIn(serializers.Serializer[Any]):
    territory_code = serializers.CharField(max_length=15)
    fields = serializers.ListField(child=serializers.CharField(), min_length=1)  # type: ignore[assignment]
    unmasked = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    purpose = serializers.CharField(max_length=300)


class PeopleExportOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    work_item = serializers.IntegerField(source="work_item_id")
    territory_code = serializers.CharField()
    fields = serializers.ListField(child=serializers.CharField())  # type: ignore[assignment]
    unmasked = serializers.ListField(child=serializers.CharField())
    purpose = serializers.CharField()
    status = serializers.CharField()
    requested_by = serializers.IntegerField(source="requested_by_id")
    requested_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField(allow_null=True)


class PeopleExportReviewIn(serializers.Serializer[Any]):
    action = serializers.ChoiceField(choices=["approve", "reject"])
    reason = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)


class PeopleExportsView(APIView):
    @extend_schema(request=PeopleExportIn, responses={201: PeopleExportOut}, summary="申请批量导出人口数据")
    def post(self, request: Request) -> Response:
        data = raise_for_serializer(PeopleExportIn(data=request.data))
        export = people_exports.do_request_people_export(
            **data, actor=acting_user(request), now=timezone.now()
        )
        return Response(PeopleExportOut(export).data, status=201)


class PeopleExportReviewView(APIView):
    @extend_schema(
        request=PeopleExportReviewIn, responses={200: PeopleExportOut}, summary="审批人口数据导出申请"
    )
    def post(self, request: Request, export_id: int) -> Response:
        data = raise_for_serializer(PeopleExportReviewIn(data=request.data))
        actor = acting_user(request)
        export = people_exports.access_people_export(actor, export_id)
        export = people_exports.do_review_people_export(
            export, data["action"], reason=data["reason"], actor=actor, now=timezone.now()
        )
        return Response(PeopleExportOut(export).data)


class PeopleExportDownloadView(APIView):
    @extend_schema(
        responses={
            200: OpenApiResponse(description="XLSX（含申请人、时间、申请编号水印）"),
            403: OpenApiResponse(description="未获批准"),
            404: OpenApiResponse(description="不是本人的导出申请"),
            410: OpenApiResponse(description="已过期"),
        },
        summary="下载已批准的人口数据导出",
    )
    def get(self, request: Request, export_id: int) -> HttpResponse:
        actor = acting_user(request)
        export = people_exports.access_people_export(actor, export_id)
        content = people_exports.do_download_people_export(export, actor=actor, now=timezone.now())
        response = HttpResponse(content, content_type=people_exports.XLSX)
        response["Content-Disposition"] = f'attachment; filename="people-export-{export.pk}.xlsx"'
        response["Cache-Control"] = "no-store"
        return response


class QuarantinedRowOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    run = serializers.IntegerField(source="run_id")
    key = serializers.CharField(help_text="个人信息数据的证件号码脱敏")
    payload = serializers.DictField(help_text="原始数据；个人信息数据脱敏显示（原文加密保存）")
    personal = serializers.SerializerMethodField()
    field = serializers.CharField()
    code = serializers.CharField()
    reason = serializers.CharField()
    status = serializers.ChoiceField(choices=QuarantinedRow.Status.choices)
    retries = serializers.IntegerField()
    retried_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.CharField(help_text="已导入时：created / updated / unchanged / proposed（待审核）")

    def get_personal(self, row: QuarantinedRow) -> bool:
        return bool(row.payload_sealed)


class QuarantineListIn(serializers.Serializer[Any]):
    status = serializers.ChoiceField(
        choices=QuarantinedRow.Status.choices, default=QuarantinedRow.Status.WAITING
    )


class QuarantineRetryIn(serializers.Serializer[Any]):
    values = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=300),
        required=False,
        help_text="修改后重试：列名 → 新值（个人信息数据不可修改）；不给则按源数据重试",
    )


class QuarantineView(APIView):
    @extend_schema(
        parameters=[QuarantineListIn],
        responses=QuarantinedRowOut(many=True),
        summary="数据源的隔离数据（数据管理员）",
    )
    def get(self, request: Request, connector_id: int) -> Response:
        data = raise_for_serializer(QuarantineListIn(data=request.query_params))
        connector = access.access_connector(acting_user(request), connector_id)
        rows = connector.quarantine.filter(status=data["status"]).order_by("pk")[:QUARANTINE_LIMIT]
        return Response(QuarantinedRowOut(rows, many=True).data)


class QuarantineRetryView(APIView):
    @extend_schema(
        request=QuarantineRetryIn,
        responses={200: QuarantinedRowOut},
        summary="重试隔离数据（通过则导入，仍不通过则更新原因）",
    )
    def post(self, request: Request, connector_id: int, row_id: int) -> Response:
        data = raise_for_serializer(QuarantineRetryIn(data=request.data))
        actor = acting_user(request)
        connector = access.access_connector(actor, connector_id)
        row = connector.quarantine.filter(pk=row_id).first()
        if row is None:
            raise NotFound(field="row")
        row = sync.do_retry_quarantined(row, actor=actor, now=timezone.now(), values=data.get("values"))
        return Response(QuarantinedRowOut(row).data)
