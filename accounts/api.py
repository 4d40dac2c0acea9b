"""JSON API of accounts: API tokens, "who am I", and the people and organisation units inside the caller's
jurisdiction. Views are thin: parse → selector/action → serialize."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth import authenticate
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import match_token
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.actions import do_issue_api_token
from accounts.actions.common import check_territory_code
from accounts.models import Assignment, OrgUnit, Role, User
from accounts.otp import second_factor_required
from accounts.selectors import (
    get_org_unit_for,
    get_person_for,
    org_units_visible_to,
    people_visible_to,
    profile_for,
)
from core.api import raise_for_serializer
from core.errors import DomainError


class ErrorItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    field = serializers.CharField(allow_null=True)


class ErrorEnvelopeSerializer(serializers.Serializer):
    errors = ErrorItemSerializer(many=True)  # type: ignore[assignment]


_ERRORS = {
    400: OpenApiResponse(ErrorEnvelopeSerializer, description="Bad input; `field` names the parameter"),
    401: OpenApiResponse(ErrorEnvelopeSerializer, description="Not authenticated"),
    404: OpenApiResponse(
        ErrorEnvelopeSerializer, description="Not found, or outside the caller's jurisdiction"
    ),
}


class Pagination(LimitOffsetPagination):
    default_limit = 100
    max_limit = 500


# --- serializers -----------------------------------------------------------------------------------


class OrgUnitRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrgUnit
        fields = ("code", "name", "kind", "territory_code")


class OrgUnitSerializer(serializers.ModelSerializer):
    parent: Any = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    management_mode_label = serializers.CharField(source="get_management_mode_display", read_only=True)

    class Meta:
        model = OrgUnit
        fields = (
            "code",
            "name",
            "kind",
            "kind_label",
            "territory_code",
            "parent",
            "management_mode",
            "management_mode_label",
            "guiding_department",
            "service_level",
            "work_hours",
        )


class AssignmentSerializer(serializers.ModelSerializer):
    org_unit = OrgUnitRefSerializer(read_only=True)
    role_label = serializers.CharField(source="get_role_display", read_only=True)
    reports_to: Any = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Assignment
        fields = ("org_unit", "role", "role_label", "territory_code", "reports_to", "started_at")


class RoleSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]


class TerritorySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class UserBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ("username", "display_name")


class MeSerializer(serializers.Serializer):
    user = UserBriefSerializer()
    org_units = OrgUnitRefSerializer(many=True)
    roles = RoleSerializer(many=True)
    assignments = AssignmentSerializer(many=True)
    jurisdiction = TerritorySerializer(many=True)


class PersonSerializer(serializers.ModelSerializer):
    assignments = AssignmentSerializer(many=True, source="visible_assignments", read_only=True)

    class Meta:
        model = User
        fields = ("username", "display_name", "assignments")


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})
    otp_token = serializers.RegexField(
        r"^\d{6}$",
        required=False,
        help_text="the 6-digit code of the user's authenticator; required for administrators and auditors",
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


def _territory_code(value: str) -> None:
    try:
        check_territory_code(value, "territory")
    except DomainError as exc:
        raise serializers.ValidationError(exc.message, code=exc.code) from exc


class OrgUnitFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=OrgUnit.Kind.choices, required=False)
    territory = serializers.CharField(required=False, validators=[_territory_code])


class PeopleFilterSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    org_unit = serializers.CharField(required=False, max_length=40)
    territory = serializers.CharField(required=False, validators=[_territory_code])


# --- views -----------------------------------------------------------------------------------------


class TokenView(APIView):
    """Exchange a username and password for the user's API token (send it as `Authorization: Token …`)."""

    permission_classes = (AllowAny,)
    authentication_classes = ()

    @extend_schema(
        operation_id="auth_token_create",
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(ErrorEnvelopeSerializer, description="Missing field or invalid credentials"),
            403: OpenApiResponse(
                ErrorEnvelopeSerializer, description="`otp_required`: second factor missing"
            ),
            429: OpenApiResponse(ErrorEnvelopeSerializer, description="`locked_out`: too many failures"),
        },
        auth=[],
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        data = raise_for_serializer(TokenRequestSerializer(data=request.data))
        user = authenticate(request._request, username=data["username"], password=data["password"])
        if user is None:
            raise DomainError("invalid_credentials", _("用户名或密码不正确。"))
        user = cast(User, user)
        # No code is not a wrong code: only a given one is checked (a wrong one slows the next check down).
        code = data.get("otp_token", "")
        if second_factor_required(user) and not (code and match_token(user, code)):
            raise DomainError(
                "otp_required", _("需要有效的动态验证码（otp_token）。"), field="otp_token", status=403
            )
        token = do_issue_api_token(user, actor=user, now=timezone.now())
        return Response({"token": token.key})


class MeView(APIView):
    """The caller: who they are, their org units, roles, assignments and jurisdiction."""

    @extend_schema(
        operation_id="me_retrieve", responses={200: MeSerializer, 401: _ERRORS[401]}, tags=["accounts"]
    )
    def get(self, request: Request) -> Response:
        profile = profile_for(request.user)
        payload: dict[str, Any] = {
            "user": profile.user,
            "org_units": profile.org_units,
            "roles": [{"code": c, "label": label} for c, label in profile.role_choices],
            "assignments": profile.assignments,
            "jurisdiction": [{"code": t.code, "name": t.name} for t in profile.territories],
        }
        return Response(MeSerializer(payload).data)


class PeopleListView(ListAPIView):
    """People with an assignment inside the caller's jurisdiction (only those assignments are shown)."""

    serializer_class = PersonSerializer
    pagination_class = Pagination

    def get_queryset(self) -> Any:
        query = raise_for_serializer(PeopleFilterSerializer(data=self.request.query_params))
        return people_visible_to(
            self.request.user,
            role=query.get("role"),
            org_unit=query.get("org_unit"),
            territory=query.get("territory"),
        )

    @extend_schema(
        operation_id="people_list",
        parameters=[PeopleFilterSerializer],
        responses={200: PersonSerializer(many=True), 400: _ERRORS[400], 401: _ERRORS[401]},
        tags=["accounts"],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class PersonDetailView(APIView):
    @extend_schema(
        operation_id="people_retrieve",
        responses={200: PersonSerializer, 401: _ERRORS[401], 404: _ERRORS[404]},
        tags=["accounts"],
    )
    def get(self, request: Request, username: str) -> Response:
        return Response(PersonSerializer(get_person_for(request.user, username)).data)


class OrgUnitListView(ListAPIView):
    """Organisation units inside the caller's jurisdiction."""

    serializer_class = OrgUnitSerializer
    pagination_class = Pagination

    def get_queryset(self) -> Any:
        query = raise_for_serializer(OrgUnitFilterSerializer(data=self.request.query_params))
        units = org_units_visible_to(self.request.user)
        if "kind" in query:
            units = units.filter(kind=query["kind"])
        if "territory" in query:
            units = units.filter(territory_code__startswith=query["territory"])
        return units

    @extend_schema(
        operation_id="org_units_list",
        parameters=[OrgUnitFilterSerializer],
        responses={200: OrgUnitSerializer(many=True), 400: _ERRORS[400], 401: _ERRORS[401]},
        tags=["accounts"],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class OrgUnitDetailView(APIView):
    @extend_schema(
        operation_id="org_units_retrieve",
        responses={200: OrgUnitSerializer, 401: _ERRORS[401], 404: _ERRORS[404]},
        tags=["accounts"],
    )
    def get(self, request: Request, code: str) -> Response:
        return Response(OrgUnitSerializer(get_org_unit_for(request.user, code)).data)
