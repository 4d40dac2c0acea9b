"""/api/v1/ratings/: rate an application (the applicant online with a phone code, or the centre's
window pad), send the phone code, and the figures. Parse → access → action → render."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from core.errors import DomainError
from outbox.phone_codes import do_send_phone_code
from ratings.actions import PHONE_CODE_PURPOSE, do_rate_application, do_rate_online
from ratings.figures import GROUPINGS, figures_for
from ratings.models import Rating, RatingChannel, Stage
from ratings.selectors import application_for_pad, find_application
from ratings.views import parse_period


class RatingCodeIn(serializers.Serializer):
    receipt_no = serializers.CharField(max_length=24)
    phone = serializers.CharField(max_length=20)


class RatingRateIn(serializers.Serializer):
    stage = serializers.ChoiceField(choices=Stage.choices)
    # An integer 1–5, not an enum: "level" names other enums in the API (territory, grid figures).
    level = serializers.IntegerField(min_value=1, max_value=5, help_text="5 非常满意 … 1 非常不满意")
    scores = serializers.DictField(
        child=serializers.IntegerField(min_value=1, max_value=5),
        required=False,
        default=dict,
        help_text="网上：overall, efficiency, guide_accuracy, convenience, usability；"
        "窗口：overall, service_efficiency, service_level, service_attitude（各 1–5）",
    )
    comment = serializers.CharField(required=False, default="", allow_blank=True, max_length=1000)
    # The window pad (a signed-in staff member of the centre):
    application = serializers.IntegerField(required=False, help_text="窗口评价：办件 ID")
    # The applicant online:
    receipt_no = serializers.CharField(required=False, max_length=24, help_text="网上评价：受理编号")
    phone = serializers.CharField(required=False, max_length=20, help_text="网上评价：申请时留的手机号")
    code = serializers.CharField(required=False, max_length=6, allow_blank=True, help_text="短信验证码")


class RatingOut(serializers.ModelSerializer):
    receipt_no = serializers.CharField(source="application.receipt_no")
    channel = serializers.CharField(help_text="online 网上 / window 窗口评价器 / sms 短信")
    level = serializers.IntegerField(help_text="5 非常满意 … 1 非常不满意")
    rectification = serializers.IntegerField(source="rectification_id", allow_null=True)
    excluded = serializers.BooleanField()

    class Meta:
        model = Rating
        fields = [
            "id",
            "receipt_no",
            "stage",
            "channel",
            "level",
            "scores",
            "comment",
            "rated_at",
            "rectification",
            "excluded",
        ]


class CodeView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="ratings_send_code",
        summary="评价前获取短信验证码（受理编号 + 申请时留的手机号）",
        request=RatingCodeIn,
        responses={202: None},
    )
    def post(self, request: Request) -> Response:
        data = _valid(RatingCodeIn, request.data)
        application = find_application(data["receipt_no"], data["phone"])
        do_send_phone_code(phone=data["phone"], purpose=PHONE_CODE_PURPOSE, now=timezone.now())
        return Response({"receipt_no": application.receipt_no, "sent": True}, status=status.HTTP_202_ACCEPTED)


def _valid(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class RateView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="ratings_rate",
        summary="好差评：评价一个办件的受理或办结环节",
        description=(
            "Online (anonymous): receipt_no + phone + the code from POST /api/v1/ratings/codes/. Window pad "
            "(signed-in staff of the handling centre): application. One rating per application and stage: "
            "201 when created, 200 when the same rating is sent again, 409 `already_rated` for a different "
            "one. A 不满意/非常不满意 rating opens a rectification work item (15 working days), acted on "
            "through /api/v1/work-items/."
        ),
        request=RatingRateIn,
        responses={201: RatingOut, 200: RatingOut},
    )
    def post(self, request: Request) -> Response:
        data = _valid(RatingRateIn, request.data)
        now = timezone.now()
        common = {
            "stage": data["stage"],
            "level": data["level"],
            "scores": data["scores"],
            "comment": data["comment"],
            "now": now,
        }
        if data.get("application") is not None:
            user = request.user
            if not isinstance(user, User):
                raise DomainError("not_authenticated", "窗口评价须登录。", status=401)
            application = application_for_pad(user, data["application"])
            rating, created = do_rate_application(
                application, channel=RatingChannel.WINDOW, actor=user, **common
            )
        else:
            for name in ("receipt_no", "phone", "code"):
                if not data.get(name):
                    raise DomainError("required", "网上评价须填写受理编号、手机号和验证码。", field=name)
            rating, created = do_rate_online(
                receipt_no=data["receipt_no"], phone=data["phone"], code=data["code"], **common
            )
        return Response(
            RatingOut(rating).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class RatingFigureRowOut(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    levels = serializers.DictField(child=serializers.IntegerField(), help_text="各等级评价数（键 5…1）")
    rated = serializers.IntegerField(help_text="评价数（不含剔除）")
    excluded = serializers.IntegerField(help_text="申诉成立剔除数")
    satisfied = serializers.IntegerField()
    bad = serializers.IntegerField(help_text="差评数（不满意+非常不满意）")
    rectifications_due = serializers.IntegerField(help_text="应整改数")
    callbacks = serializers.IntegerField(help_text="已回访数")
    rectified = serializers.IntegerField(help_text="已整改答复数")
    rectified_on_time = serializers.IntegerField(help_text="按期（15个工作日内）整改答复数")
    satisfaction_rate = serializers.FloatField(allow_null=True)
    callback_rate = serializers.FloatField(allow_null=True)
    on_time_rate = serializers.FloatField(allow_null=True)


class RatingFiguresOut(serializers.Serializer):
    by = serializers.ChoiceField(choices=list(GROUPINGS))
    from_ = serializers.DateTimeField()
    to = serializers.DateTimeField()
    rows = RatingFigureRowOut(many=True)
    total = RatingFigureRowOut()

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields


class FiguresView(APIView):
    @extend_schema(
        operation_id="ratings_figures",
        summary="好差评统计（按服务中心、窗口、事项或窗口人员）",
        description="Definitions: ratings/figures.py. from/to are local dates (to included); default "
        "the last 30 days. Only ratings within the caller's jurisdiction count; a centre outside it is 404.",
        parameters=[
            OpenApiParameter("by", str, enum=list(GROUPINGS), description="分组，默认 centre"),
            OpenApiParameter("from", str, description="开始日期 YYYY-MM-DD"),
            OpenApiParameter("to", str, description="结束日期（含）YYYY-MM-DD"),
            OpenApiParameter("centre", str, description="只看一个服务中心（机构编码）"),
        ],
        responses=RatingFiguresOut,
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        start, end = parse_period(params, timezone.now())
        figures = figures_for(
            request.user,
            params.get("by") or "centre",
            start,
            end,
            centre=(params.get("centre") or "").strip(),
        )
        data = figures.as_dict()
        return Response(RatingFiguresOut(data).data)
