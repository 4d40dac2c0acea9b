"""The party JSON API (under /api/v1/party/): jurisdiction-scoped reads of organisations, members (masked),
a member's visits of a month, the member's own visits to make and logging one (the phone client, through
the phone page's actions), the 一肩挑 check and the command centre's figures; the writes (organisations,
secretaries, pairings, members, 联户联企 links, visit plans, meetings and attendance), each through its one
action in party/actions.py, party/visits.py or party/meetings.py; and the 代办需求 (needs found on
visits): listed, read and taken through the engine's `transition()` as the need page does. Thin views:
parse → access → action → render; the shapes they read and answer are in party/api_schemas.py."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import F
from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.jurisdiction import jurisdiction_codes
from accounts.models import User
from accounts.requests import acting_user
from core.api import raise_for_serializer
from core.errors import DomainError, NotFound
from party import actions, meetings, needs, projects, selectors, visits
from party.access import access_needs
from party.api_schemas import (
    PartyAttendanceIn,
    PartyGridHeadCheckOut,
    PartyLinkIn,
    PartyLinkOut,
    PartyMeetingIn,
    PartyMeetingOut,
    PartyMeetingRecordIn,
    PartyMemberIn,
    PartyMemberOut,
    PartyMilestoneOut,
    PartyNeedActionIn,
    PartyNeedDetailOut,
    PartyNeedOut,
    PartyOrganisationIn,
    PartyOrganisationOut,
    PartyOwnVisitOut,
    PartyOwnVisitsOut,
    PartyPairingIn,
    PartyPairingOut,
    PartyProjectIn,
    PartyProjectOut,
    PartySecretaryIn,
    PartyVanguardPostIn,
    PartyVanguardPostOut,
    PartyVisitLogIn,
    PartyVisitOut,
    PartyVisitPlanIn,
)
from party.models import Organisation, VisitNeed
from registry.models import Entity, Household
from workflow.access import available_actions
from workflow.api import IDEMPOTENCY_PARAMETER
from workflow.engine import transition
from workflow.idempotency import idempotent

LIST_LIMIT = 500
VILLAGE_CODE = 12  # digits of a village's (community's) division code


class OrganisationsView(APIView):
    @extend_schema(
        operation_id="party_organisations",
        summary="党组织（辖区内），可按类型筛选",
        parameters=[OpenApiParameter("kind", OpenApiTypes.STR, description="组织类型")],
        responses=PartyOrganisationOut(many=True),
    )
    def get(self, request: Request) -> Response:
        rows = selectors.organisations_visible_to(acting_user(request))
        kind = request.query_params.get("kind", "").strip()
        if kind:
            if kind not in selectors.Organisation.Kind.values:
                raise DomainError(
                    "invalid_choice", _("组织类型无效：%(kind)r。") % {"kind": kind}, field="kind"
                )
            rows = rows.filter(kind=kind)
        return Response(PartyOrganisationOut(rows[:LIST_LIMIT], many=True).data)

    @extend_schema(
        operation_id="party_organisation_create",
        summary="新建党组织（党委、总支、支部、党小组、行动支部、功能型党小组）",
        request=PartyOrganisationIn,
        responses={201: PartyOrganisationOut},
    )
    def post(self, request: Request) -> Response:
        data = raise_for_serializer(PartyOrganisationIn(data=request.data))
        org = actions.do_create_organisation(
            actions.OrganisationInput(**data), actor=acting_user(request), now=timezone.now()
        )
        return Response(_organisation_out(org), status=201)


class MembersView(APIView):
    @extend_schema(
        operation_id="party_members",
        summary="党员（辖区内，脱敏），按网格列出",
        parameters=[OpenApiParameter("grid", OpenApiTypes.STR, description="网格编码", required=True)],
        responses=PartyMemberOut(many=True),
    )
    def get(self, request: Request) -> Response:
        grid = request.query_params.get("grid", "").strip()
        if not grid:
            raise DomainError("query_required", _("请提供网格编码。"), field="grid")
        members = selectors.members_visible_to(acting_user(request)).filter(territory_code=grid)[:LIST_LIMIT]
        return Response(PartyMemberOut([selectors.masked_member(m) for m in members], many=True).data)

    @extend_schema(
        operation_id="party_member_enrol",
        summary="登记党员（关联人口库人员、所在支部、入格网格）",
        request=PartyMemberIn,
        responses={201: PartyMemberOut},
    )
    def post(self, request: Request) -> Response:
        data = raise_for_serializer(PartyMemberIn(data=request.data))
        member = actions.do_enrol_member(
            actions.MemberInput(**data), actor=acting_user(request), now=timezone.now()
        )
        return Response(PartyMemberOut(selectors.masked_member(member)).data, status=201)


class OneShoulderView(APIView):
    @extend_schema(
        operation_id="party_one_shoulder",
        summary="一肩挑：辖区内每个网格的检查结果与按村、镇的比例",
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        checks = selectors.one_shoulder_checks(jurisdiction_codes(acting_user(request)))
        return Response(
            {
                "figures": selectors.one_shoulder_figures(checks),
                "grids": PartyGridHeadCheckOut([c.__dict__ for c in checks], many=True).data,
            }
        )


class FiguresView(APIView):
    @extend_schema(
        operation_id="party_figures",
        summary="党建引领：指挥中心读取的辖区数据（组织、党员、一肩挑、联户走访、三会一课）",
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        return Response(selectors.command_figures(acting_user(request), now=timezone.now()))


def _organisation_out(org: Organisation) -> dict[str, Any]:
    return dict(PartyOrganisationOut(org).data)


class SecretaryView(APIView):
    @extend_schema(
        operation_id="party_organisation_secretary",
        summary="设置（或撤销）党组织书记",
        request=PartySecretaryIn,
        responses=PartyOrganisationOut,
    )
    def post(self, request: Request, org_id: int) -> Response:
        user = acting_user(request)
        data = raise_for_serializer(PartySecretaryIn(data=request.data))
        org = selectors.organisation_for(user, org_id)
        member = None
        if data["member_id"] is not None:
            member = selectors.members_visible_to(user).filter(pk=data["member_id"]).first()
            if member is None:
                raise NotFound(field="member_id")
        org = actions.do_set_secretary(org, member, actor=user, now=timezone.now())
        return Response(_organisation_out(org))


class PairingsView(APIView):
    @extend_schema(
        operation_id="party_pairings",
        summary="结对共建（辖区内任一方）",
        responses=PartyPairingOut(many=True),
    )
    def get(self, request: Request) -> Response:
        rows = selectors.pairings_visible_to(acting_user(request))[:LIST_LIMIT]
        return Response(PartyPairingOut(rows, many=True).data)

    @extend_schema(
        operation_id="party_pairing_create",
        summary="两个党组织结对共建",
        request=PartyPairingIn,
        responses={201: PartyPairingOut},
    )
    def post(self, request: Request) -> Response:
        user = acting_user(request)
        data = raise_for_serializer(PartyPairingIn(data=request.data))
        first = selectors.organisation_for_field(user, data["first_id"], "first_id")
        # The partner may be in another town (town and village branches pair across); it must exist.
        second = Organisation.objects.filter(pk=data["second_id"]).first()
        if second is None:
            raise NotFound(field="second_id")
        pairing = actions.do_pair_organisations(
            first,
            second,
            started_on=data["started_on"],
            activities=data["activities"],
            actor=user,
            now=timezone.now(),
        )
        return Response(PartyPairingOut(pairing).data, status=201)


class MemberLinksView(APIView):
    @extend_schema(
        operation_id="party_member_links",
        summary="党员联系的户和企业（联户联企）",
        responses=PartyLinkOut(many=True),
    )
    def get(self, request: Request, member_id: int) -> Response:
        member = selectors.member_for(acting_user(request), member_id)
        return Response(PartyLinkOut(member.links.order_by("id"), many=True).data)

    @extend_schema(
        operation_id="party_member_link_create",
        summary="为党员联系一户或一家企业（须在其入格网格所在村内，除非配置允许）",
        request=PartyLinkIn,
        responses={201: PartyLinkOut},
    )
    def post(self, request: Request, member_id: int) -> Response:
        user = acting_user(request)
        data = raise_for_serializer(PartyLinkIn(data=request.data))
        member = selectors.member_for(user, member_id)
        household = entity = None
        if data["household_id"] is not None:
            household = Household.objects.filter(pk=data["household_id"]).first()
            if household is None:
                raise NotFound(field="household_id")
        if data["entity_id"] is not None:
            entity = Entity.objects.filter(pk=data["entity_id"]).first()
            if entity is None:
                raise NotFound(field="entity_id")
        link = actions.do_link_member(
            member, household=household, entity=entity, actor=user, now=timezone.now()
        )
        return Response(PartyLinkOut(link).data, status=201)


class VisitPlanView(APIView):
    @extend_schema(
        operation_id="party_member_visits",
        summary="党员某月的联户走访（计划与完成情况）",
        parameters=[OpenApiParameter("month", OpenApiTypes.DATE, description="该月任一日期", required=True)],
        responses=PartyVisitOut(many=True),
    )
    def get(self, request: Request, member_id: int) -> Response:
        user = acting_user(request)
        data = raise_for_serializer(PartyVisitPlanIn(data=request.query_params))
        member = selectors.member_for(user, member_id)
        first, _last = visits.month_bounds(data["month"])
        planned = member.visits.filter(month=first).order_by("due_on", "id")[:LIST_LIMIT]
        return Response(PartyVisitOut(planned, many=True).data)

    @extend_schema(
        operation_id="party_visit_plan",
        summary="生成党员某月的走访计划（每个联系户/企一次，月末到期；已有的不重复）",
        request=PartyVisitPlanIn,
        responses={201: PartyVisitOut(many=True)},
    )
    def post(self, request: Request, member_id: int) -> Response:
        user = acting_user(request)
        data = raise_for_serializer(PartyVisitPlanIn(data=request.data))
        member = selectors.member_for(user, member_id)
        visits.do_plan_month(member, data["month"], actor=user, now=timezone.now())
        first, _last = visits.month_bounds(data["month"])
        planned = member.visits.filter(month=first).order_by("due_on", "id")
        return Response(PartyVisitOut(planned, many=True).data, status=201)


class OwnVisitsView(APIView):
    """The party member's phone client: this month's 联户 visits and logging one, through the same
    actions as the phone pages (party/views_mobile.py)."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        operation_id="party_own_visits",
        summary="党员本人：本月应走访的联户联企（及以前月份逾期未访的）和本人的覆盖数据",
        responses=PartyOwnVisitsOut,
    )
    def get(self, request: Request) -> Response:
        member = selectors.own_member(acting_user(request))
        now = timezone.now()
        rows = [selectors.own_visit_row(v, now=now) for v in selectors.visits_to_make(member, now=now)]
        first, _last = visits.month_bounds(timezone.localdate(now))
        body = {"month": first, "figures": selectors.member_coverage(member, now=now), "visits": rows}
        return Response(PartyOwnVisitsOut(body).data)

    @extend_schema(
        operation_id="party_own_visit_log",
        summary="党员本人登记一次走访：签到位置、记录、照片；发现的问题上报为网格事件（党员联户），"
        "发现的需求交网格员代办。走访以编号指明，或以所到的联系户（企业）指明本月的走访",
        request={"multipart/form-data": PartyVisitLogIn, "application/json": PartyVisitLogIn},
        responses={201: PartyOwnVisitOut},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    def post(self, request: Request) -> Response:
        user = acting_user(request)
        member = selectors.own_member(user)
        data = raise_for_serializer(PartyVisitLogIn(data=request.data))
        now = timezone.now()
        visit = visits.visit_to_log(
            member,
            visit_id=data["visit_id"],
            household_id=data["household_id"],
            entity_id=data["entity_id"],
            now=now,
        )
        log = visits.VisitLog(
            lon=data["lon"],
            lat=data["lat"],
            note=data["note"],
            photo=data["photo"],
            problem=data["problem"],
            category_code=data["category_code"],
            need=data["need"],
        )

        def work() -> tuple[int, dict[str, Any]]:
            visits.do_log_visit(visit, log, actor=user, now=now)
            logged = selectors.with_need_counts(member.visits.filter(pk=visit.pk)).get()
            return 201, dict(PartyOwnVisitOut(selectors.own_visit_row(logged, now=now)).data)

        return idempotent(request, now=now, work=work)


class MeetingsView(APIView):
    @extend_schema(
        operation_id="party_meetings",
        summary="三会一课（辖区内），可按支部筛选",
        parameters=[OpenApiParameter("organisation", OpenApiTypes.INT, description="支部 id")],
        responses=PartyMeetingOut(many=True),
    )
    def get(self, request: Request) -> Response:
        rows = selectors.meetings_visible_to(acting_user(request))
        if raw := request.query_params.get("organisation", "").strip():
            if not raw.isdigit():
                raise DomainError("invalid", _("支部 id 须为整数。"), field="organisation")
            rows = rows.filter(organisation_id=int(raw))
        return Response(PartyMeetingOut(rows.order_by("-scheduled_for", "-id")[:LIST_LIMIT], many=True).data)

    @extend_schema(
        operation_id="party_meeting_schedule",
        summary="安排一次组织生活（支部党员大会、支委会、党小组会、党课）",
        request=PartyMeetingIn,
        responses={201: PartyMeetingOut},
    )
    def post(self, request: Request) -> Response:
        user = acting_user(request)
        data = raise_for_serializer(PartyMeetingIn(data=request.data))
        org = selectors.organisation_for_field(user, data["organisation_id"], "organisation_id")
        meeting = meetings.do_schedule_meeting(
            org,
            kind=data["kind"],
            topic=data["topic"],
            scheduled_for=data["scheduled_for"],
            actor=user,
            now=timezone.now(),
        )
        return Response(PartyMeetingOut(meeting).data, status=201)


class AttendanceView(APIView):
    @extend_schema(
        operation_id="party_meeting_attendance",
        summary="参会签到（党员本人，或组织者代签）",
        request=PartyAttendanceIn,
        responses={201: PartyMeetingOut},
    )
    def post(self, request: Request, meeting_id: int) -> Response:
        user = acting_user(request)
        data = raise_for_serializer(PartyAttendanceIn(data=request.data))
        meeting = selectors.meeting_visible_for(user, meeting_id)
        member = selectors.member_signing_for(user, data["member_id"])
        meetings.do_sign_attendance(meeting, member, actor=user, now=timezone.now())
        return Response(PartyMeetingOut(meeting).data, status=201)


class MeetingRecordView(APIView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        operation_id="party_meeting_record",
        summary="登记会议记录与照片（会议召开后）",
        request={"multipart/form-data": PartyMeetingRecordIn, "application/json": PartyMeetingRecordIn},
        responses=PartyMeetingOut,
    )
    def post(self, request: Request, meeting_id: int) -> Response:
        user = acting_user(request)
        data = raise_for_serializer(PartyMeetingRecordIn(data=request.data))
        meeting = selectors.meeting_visible_for(user, meeting_id)
        record = meetings.MeetingRecord(minutes=data["minutes"], photo=data["photo"])
        meeting = meetings.do_record_meeting(meeting, record, actor=user, now=timezone.now())
        return Response(PartyMeetingOut(meeting).data)


class CompletenessView(APIView):
    @extend_schema(
        operation_id="party_meetings_completeness",
        summary="三会一课本季度完成情况（辖区内每个支部）",
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        branches = selectors.organisations_visible_to(acting_user(request))
        return Response(meetings.completeness(branches, now=timezone.now()))


class ProjectsView(APIView):
    @extend_schema(
        operation_id="party_projects", summary="党建项目（辖区内）", responses=PartyProjectOut(many=True)
    )
    def get(self, request: Request) -> Response:
        rows = selectors.projects_visible_to(acting_user(request)).prefetch_related("milestones")[:LIST_LIMIT]
        return Response(PartyProjectOut(rows, many=True).data)

    @extend_schema(
        operation_id="party_project_create",
        summary="登记书记领办的党建项目（含节点）",
        request=PartyProjectIn,
        responses={201: PartyProjectOut},
    )
    def post(self, request: Request) -> Response:
        user = acting_user(request)
        data = raise_for_serializer(PartyProjectIn(data=request.data))
        org = selectors.organisation_for_field(user, data["organisation_id"], "organisation_id")
        project = projects.do_create_project(
            org,
            name=data["name"],
            lon=data["lon"],
            lat=data["lat"],
            description=data["description"],
            milestones=[(m["name"], m["planned_on"]) for m in data["milestones"]],
            actor=user,
            now=timezone.now(),
        )
        return Response(PartyProjectOut(project).data, status=201)


class MilestoneDoneView(APIView):
    @extend_schema(
        operation_id="party_milestone_done",
        summary="项目节点完成",
        request=None,
        responses=PartyMilestoneOut,
    )
    def post(self, request: Request, milestone_id: int) -> Response:
        user = acting_user(request)
        milestone = selectors.milestone_for(user, milestone_id)
        done = projects.do_complete_milestone(milestone, actor=user, now=timezone.now())
        return Response(PartyMilestoneOut(done).data)


class VanguardPostsView(APIView):
    @extend_schema(
        operation_id="party_vanguard_posts",
        summary="党员先锋岗（辖区内）",
        responses=PartyVanguardPostOut(many=True),
    )
    def get(self, request: Request) -> Response:
        rows = selectors.vanguard_posts_visible_to(acting_user(request))[:LIST_LIMIT]
        return Response(PartyVanguardPostOut(rows, many=True).data)

    @extend_schema(
        operation_id="party_vanguard_post_create",
        summary="设立党员先锋岗",
        request=PartyVanguardPostIn,
        responses={201: PartyVanguardPostOut},
    )
    def post(self, request: Request) -> Response:
        user = acting_user(request)
        data = raise_for_serializer(PartyVanguardPostIn(data=request.data))
        member = selectors.members_visible_to(user).filter(pk=data["member_id"]).first()
        if member is None:
            raise NotFound(field="member_id")
        post = projects.do_create_vanguard_post(
            member, name=data["name"], lon=data["lon"], lat=data["lat"], actor=user, now=timezone.now()
        )
        return Response(PartyVanguardPostOut(post).data, status=201)


class MapLayerView(APIView):
    @extend_schema(
        operation_id="party_map_layer",
        summary="党建一图：党建项目与党员先锋岗（GeoJSON 点，辖区内；properties.layer 区分）",
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> JsonResponse:
        user = acting_user(request)
        features = projects.map_features(
            selectors.projects_visible_to(user), selectors.vanguard_posts_visible_to(user)
        )
        return JsonResponse(
            {"type": "FeatureCollection", "features": features}, content_type="application/geo+json"
        )


# --- 代办需求 (party_service_need) ------------------------------------------------------------------------


def _need_out(need: VisitNeed, now: datetime) -> dict[str, Any]:
    row = selectors.need_row(need, now=now)
    item = need.work_item
    member = selectors.masked_member(need.member)
    return {
        **row,
        "late": item.state in needs.LATE_STATES,
        "step_due_at": item.step_due_at,
        "grid_code": need.territory_code,
        "village_code": need.territory_code[:12],
        "beneficiary": needs.beneficiary_label(need.visit),
        "member_id": need.member_id,
        "member": member["name"],
        "organisation": member["organisation"],
        "visit_id": need.visit_id,
        "version": item.version,
    }


def _need_detail(user: User, need_id: int, now: datetime) -> dict[str, Any]:
    need = needs.need_for(user, need_id)
    offered = available_actions(need.work_item, user)
    actions_out = [{"name": a.name, "title": a.title} for a in offered]
    return dict(PartyNeedDetailOut({**_need_out(need, now), "actions": actions_out}).data)


class NeedsView(APIView):
    @extend_schema(
        operation_id="party_needs",
        summary="代办需求（党员联户走访发现，辖区内），未办结的在前；可按状态、村、党员筛选",
        parameters=[
            OpenApiParameter(
                "state", OpenApiTypes.STR, description="requested | reminded | escalated | filed | declined"
            ),
            OpenApiParameter("village", OpenApiTypes.STR, description="村（社区）编码（12 位）"),
            OpenApiParameter("member", OpenApiTypes.INT, description="党员 id"),
        ],
        responses=PartyNeedOut(many=True),
    )
    def get(self, request: Request) -> Response:
        user = acting_user(request)
        access_needs(user)
        rows = needs.needs_visible_to(user).select_related("work_item__assigned_unit")
        if state := request.query_params.get("state", "").strip():
            if state not in needs.states(now=timezone.now()):
                raise DomainError(
                    "invalid_choice", _("状态无效：%(state)r。") % {"state": state}, field="state"
                )
            rows = rows.filter(work_item__state=state)
        if village := request.query_params.get("village", "").strip():
            if len(village) != VILLAGE_CODE or not village.isdigit():
                raise DomainError("invalid", _("村（社区）编码须为 12 位数字。"), field="village")
            rows = rows.filter(territory_code__startswith=village)
        if member := request.query_params.get("member", "").strip():
            if not member.isdigit():
                raise DomainError("invalid", _("党员 id 须为整数。"), field="member")
            rows = rows.filter(member_id=int(member))
        ordered = rows.order_by(F("work_item__closed_at").desc(nulls_first=True), "-raised_at", "-id")
        now = timezone.now()
        return Response(PartyNeedOut([_need_out(n, now) for n in ordered[:LIST_LIMIT]], many=True).data)


class NeedView(APIView):
    @extend_schema(
        operation_id="party_need",
        summary="一项代办需求，及当前用户可执行的操作",
        responses=PartyNeedDetailOut,
    )
    def get(self, request: Request, need_id: int) -> Response:
        user = acting_user(request)
        access_needs(user)
        return Response(_need_detail(user, need_id, timezone.now()))


class NeedActionView(APIView):
    @extend_schema(
        operation_id="party_need_action",
        summary="办理代办需求：file（已代办，关联本人代办件的受理编号）或 decline（退回，须填理由）",
        request=PartyNeedActionIn,
        responses=PartyNeedDetailOut,
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    def post(self, request: Request, need_id: int) -> Response:
        user = acting_user(request)
        access_needs(user)
        need = needs.need_for(user, need_id)
        data = raise_for_serializer(PartyNeedActionIn(data=request.data))
        now = timezone.now()

        def work() -> tuple[int, dict[str, Any]]:
            # The step's rules are the engine's and the handler bound to the action (party/needs.py).
            transition(
                need.work_item,
                data["action"],
                actor=user,
                now=now,
                inputs={"receipt_no": data["receipt_no"]} if "receipt_no" in data else {},
                reason=data["reason"],
                expected_version=data.get("version"),
            )
            return 200, _need_detail(user, need.pk, now)

        return idempotent(request, now=now, work=work)
