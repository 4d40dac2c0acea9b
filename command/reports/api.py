"""/api/v1/command/reports/: the archive of periodic reports, scoped by jurisdiction (a report of a
territory outside the caller's is 404), paged; each row links its files and gives their SHA-256."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from command.reports.actions import XLSX_TYPE
from command.reports.models import Report, ReportKind
from command.reports.selectors import get_report_for, reports_visible_to
from workflow.listing import Pagination


class ReportOut(serializers.ModelSerializer[Report]):
    kind_name = serializers.CharField(source="get_kind_display")
    last_day = serializers.DateField(read_only=True)
    downloads = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "id",
            "kind",
            "kind_name",
            "territory_code",
            "territory_name",
            "period",
            "first_day",
            "last_day",
            "generated_at",
            "xlsx_sha256",
            "pdf_sha256",
            "summary",
            "downloads",
        ]

    def get_downloads(self, report: Report) -> dict[str, str]:
        return {fmt: reverse("command-report-download", args=[report.pk, fmt]) for fmt in ("xlsx", "pdf")}


class ReportListView(ListAPIView[Report]):
    serializer_class = ReportOut
    pagination_class = Pagination

    @extend_schema(
        operation_id="command_reports",
        summary="定期报告列表（周报、月报、季报）",
        parameters=[
            OpenApiParameter("kind", str, enum=ReportKind.values, description="报告类型"),
            OpenApiParameter("code", str, description="区县（6位）或镇/街道（9位）代码"),
        ],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        params = self.request.query_params
        return reports_visible_to(self.request.user, kind=params.get("kind", ""), code=params.get("code", ""))


class ReportDetailView(APIView):
    @extend_schema(operation_id="command_report", summary="定期报告", responses=ReportOut)
    def get(self, request: Request, report_id: int) -> Response:
        return Response(ReportOut(get_report_for(request.user, report_id)).data)


class ReportDownloadView(APIView):
    @extend_schema(
        operation_id="command_report_download",
        summary="下载定期报告（XLSX 或 PDF）",
        parameters=[OpenApiParameter("fmt", str, OpenApiParameter.PATH, enum=["xlsx", "pdf"])],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, (200, XLSX_TYPE): OpenApiTypes.BINARY},
    )
    def get(self, request: Request, report_id: str, fmt: str) -> FileResponse:
        report = get_report_for(request.user, int(report_id))
        file = report.xlsx if fmt == "xlsx" else report.pdf
        return FileResponse(
            file.open("rb"),
            content_type=XLSX_TYPE if fmt == "xlsx" else "application/pdf",
            as_attachment=True,
            filename=f"{report.territory_name}{report.period}{report.get_kind_display()}.{fmt}",
        )
