"""The shapes of the party JSON API (party/api.py): what each endpoint reads (`…In`) and answers (`…Out`),
also the OpenAPI document's schemas. Shapes only: the rules live in the actions."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from party import meetings
from party.models import Meeting


class PartyOrganisationOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    parent_id = serializers.IntegerField(allow_null=True)
    territory_code = serializers.CharField()
    entity_id = serializers.IntegerField(allow_null=True)
    action_type = serializers.CharField(allow_blank=True)
    functional_type = serializers.CharField(allow_blank=True)
    secretary_id = serializers.IntegerField(allow_null=True)


class PartyMemberOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="已脱敏")
    person_id = serializers.IntegerField()
    organisation_id = serializers.IntegerField()
    organisation = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    joined_on = serializers.DateField()
    mobile = serializers.BooleanField()
    grid_code = serializers.CharField()


class PartyGridHeadCheckOut(serializers.Serializer[Any]):
    grid_code = serializers.CharField()
    grid_name = serializers.CharField()
    village_code = serializers.CharField()
    satisfied = serializers.BooleanField()
    problem = serializers.CharField(
        allow_blank=True, help_text="no_head | no_branch | no_secretary | head_not_secretary"
    )


class PartyOrganisationIn(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=100)
    kind = serializers.CharField(
        help_text="committee | working_committee | general_branch | branch | group | "
        "action_branch | functional_group"
    )
    territory_code = serializers.CharField(max_length=15, required=False, allow_blank=True, default="")
    parent_id = serializers.IntegerField(required=False, allow_null=True, default=None)
    entity_id = serializers.IntegerField(required=False, allow_null=True, default=None)
    action_type = serializers.CharField(required=False, allow_blank=True, default="")
    functional_type = serializers.CharField(required=False, allow_blank=True, default="")
    founded_on = serializers.DateField(required=False, allow_null=True, default=None)


class PartySecretaryIn(serializers.Serializer[Any]):
    member_id = serializers.IntegerField(allow_null=True, help_text="null 表示撤销书记")


class PartyPairingIn(serializers.Serializer[Any]):
    first_id = serializers.IntegerField()
    second_id = serializers.IntegerField()
    started_on = serializers.DateField()
    activities = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class PartyPairingOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    first_id = serializers.IntegerField()
    first = serializers.CharField(source="first.name")
    second_id = serializers.IntegerField()
    second = serializers.CharField(source="second.name")
    started_on = serializers.DateField()
    activities = serializers.CharField(allow_blank=True)


class PartyMemberIn(serializers.Serializer[Any]):
    person_id = serializers.IntegerField()
    organisation_id = serializers.IntegerField()
    status = serializers.CharField(help_text="formal | probationary")
    joined_on = serializers.DateField()
    grid_code = serializers.CharField(max_length=15)
    mobile = serializers.BooleanField(required=False, default=False)
    user_id = serializers.IntegerField(required=False, allow_null=True, default=None)


class PartyLinkIn(serializers.Serializer[Any]):
    household_id = serializers.IntegerField(required=False, allow_null=True, default=None)
    entity_id = serializers.IntegerField(required=False, allow_null=True, default=None)


class PartyLinkOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    member_id = serializers.IntegerField()
    household_id = serializers.IntegerField(allow_null=True)
    entity_id = serializers.IntegerField(allow_null=True)
    territory_code = serializers.CharField()
    linked_on = serializers.DateField()


class PartyVisitPlanIn(serializers.Serializer[Any]):
    month = serializers.DateField(help_text="该月任一日期")


class PartyVisitOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    link_id = serializers.IntegerField()
    member_id = serializers.IntegerField()
    month = serializers.DateField()
    due_on = serializers.DateField()
    visited_at = serializers.DateTimeField(allow_null=True)
    event_id = serializers.IntegerField(allow_null=True)


class PartyOwnVisitOut(serializers.Serializer[Any]):
    """One of the member's own visits as the phone client reads it: no resident's name (the household's
    number or the enterprise's name)."""

    id = serializers.IntegerField()
    target = serializers.CharField(help_text="户号或企业名称")
    household_id = serializers.IntegerField(allow_null=True)
    entity_id = serializers.IntegerField(allow_null=True)
    month = serializers.DateField()
    due_on = serializers.DateField()
    overdue = serializers.BooleanField()
    done = serializers.BooleanField()
    visited_at = serializers.DateTimeField(allow_null=True)
    event_id = serializers.IntegerField(allow_null=True, help_text="走访发现问题上报的网格事件")
    needs_raised = serializers.IntegerField(help_text="走访中提出的代办需求")
    needs_filed = serializers.IntegerField(help_text="其中网格员已代办的")


class PartyOwnVisitsOut(serializers.Serializer[Any]):
    month = serializers.DateField(help_text="本月第一天")
    figures = serializers.DictField(help_text="本人的联户覆盖数据（应访、已访、逾期、走访户数、问题、需求）")
    visits = PartyOwnVisitOut(many=True, help_text="本月的走访，及以前月份尚未走访的（逾期）")


class PartyVisitLogIn(serializers.Serializer[Any]):
    visit_id = serializers.IntegerField(required=False, allow_null=True, default=None, help_text="走访编号")
    household_id = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="或：所到的联系户（本月的走访）"
    )
    entity_id = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="或：所到的联系企业（本月的走访）"
    )
    lon = serializers.FloatField(help_text="签到位置经度（WGS-84）")
    lat = serializers.FloatField(help_text="签到位置纬度（WGS-84）")
    note = serializers.CharField(required=False, allow_blank=True, default="", help_text="走访记录（必填）")
    photo = serializers.FileField(
        required=False, allow_null=True, default=None, help_text="照片（JPEG/PNG/WebP）"
    )
    problem = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="发现的问题：作为网格事件上报（来源党员联户）"
    )
    category_code = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="问题类别（事件小类编码），有问题时必填"
    )
    need = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="发现的需求：交网格员代办的代办需求"
    )


class PartyMeetingIn(serializers.Serializer[Any]):
    organisation_id = serializers.IntegerField()
    kind = serializers.CharField(help_text="general_assembly | committee | group | lecture")
    topic = serializers.CharField(max_length=200)
    scheduled_for = serializers.DateTimeField()


class PartyMeetingOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    organisation_id = serializers.IntegerField()
    territory_code = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    topic = serializers.CharField()
    scheduled_for = serializers.DateTimeField()
    held_at = serializers.DateTimeField(allow_null=True)
    minutes = serializers.CharField(allow_blank=True)
    has_photo = serializers.SerializerMethodField()
    attendance = serializers.SerializerMethodField()

    def get_has_photo(self, meeting: Meeting) -> bool:
        return bool(meeting.photo)

    def get_attendance(self, meeting: Meeting) -> list[int]:
        return [a.member_id for a in meeting.attendance.all()]


class PartyAttendanceIn(serializers.Serializer[Any]):
    member_id = serializers.IntegerField()


class PartyMeetingRecordIn(serializers.Serializer[Any]):
    minutes = serializers.CharField(max_length=meetings.MAX_MINUTES)
    photo = serializers.ImageField(required=False, allow_null=True, default=None)


class PartyMilestoneIn(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=200)
    planned_on = serializers.DateField()


class PartyProjectIn(serializers.Serializer[Any]):
    organisation_id = serializers.IntegerField()
    name = serializers.CharField(max_length=200)
    lon = serializers.FloatField()
    lat = serializers.FloatField()
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    milestones = PartyMilestoneIn(many=True, required=False, default=list)


class PartyMilestoneOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    planned_on = serializers.DateField()
    done_on = serializers.DateField(allow_null=True)


class PartyProjectOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    organisation_id = serializers.IntegerField()
    leader_id = serializers.IntegerField()
    name = serializers.CharField()
    territory_code = serializers.CharField()
    lon = serializers.FloatField()
    lat = serializers.FloatField()
    description = serializers.CharField(allow_blank=True)
    milestones = PartyMilestoneOut(many=True, source="milestones.all")


class PartyVanguardPostIn(serializers.Serializer[Any]):
    member_id = serializers.IntegerField()
    name = serializers.CharField(max_length=200)
    lon = serializers.FloatField()
    lat = serializers.FloatField()


class PartyVanguardPostOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    member_id = serializers.IntegerField()
    name = serializers.CharField()
    territory_code = serializers.CharField()
    lon = serializers.FloatField()
    lat = serializers.FloatField()


class PartyNeedActionOut(serializers.Serializer[Any]):
    name = serializers.CharField()
    title = serializers.CharField()


class PartyNeedOut(serializers.Serializer[Any]):
    """A 代办需求 as staff read it: no resident's name (the household's number or the enterprise's name),
    the member masked."""

    id = serializers.IntegerField()
    description = serializers.CharField()
    raised_at = serializers.DateTimeField()
    state = serializers.CharField(help_text="requested | reminded | escalated | filed | declined")
    state_title = serializers.CharField()
    late = serializers.BooleanField(help_text="过了办理时限（已提醒或已上报）")
    step_due_at = serializers.DateTimeField(allow_null=True)
    grid_code = serializers.CharField()
    village_code = serializers.CharField()
    beneficiary = serializers.CharField(help_text="户号或企业名称")
    member_id = serializers.IntegerField()
    member = serializers.CharField(help_text="已脱敏")
    organisation = serializers.CharField()
    visit_id = serializers.IntegerField()
    work_item_id = serializers.IntegerField()
    version = serializers.IntegerField(help_text="办件版本（办理时可带上，防止并发覆盖）")
    receipt_no = serializers.CharField(allow_blank=True)
    application_state = serializers.CharField(allow_blank=True)


class PartyNeedDetailOut(PartyNeedOut):
    actions = PartyNeedActionOut(many=True, help_text="当前用户可执行的操作")


class PartyNeedActionIn(serializers.Serializer[Any]):
    action = serializers.CharField(max_length=60, help_text="file（已代办，关联代办件）| decline（退回）")
    reason = serializers.CharField(required=False, default="", allow_blank=True, max_length=2000)
    receipt_no = serializers.CharField(
        required=False, allow_blank=True, max_length=40, help_text="file：网格员本人代办件的受理编号"
    )
    version = serializers.IntegerField(required=False, min_value=1, help_text="办理所依据的办件版本")
