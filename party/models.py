"""Party organisations over the territory, their members (each a registry person serving in one grid),
pairings between branches, and the households/enterprises each member is linked to (联户联企)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from registry.models import Entity, Household, Person


class Organisation(models.Model):
    """One node of the party tree. `territory_code` is the town, village or grid it stands over (for an
    enterprise's branch: the enterprise's grid); every read is scoped by it."""

    class Kind(models.TextChoices):
        COMMITTEE = "committee", _("党委")
        WORKING_COMMITTEE = "working_committee", _("党工委")
        GENERAL_BRANCH = "general_branch", _("党总支")
        BRANCH = "branch", _("党支部")
        GROUP = "group", _("党小组")
        ACTION_BRANCH = "action_branch", _("行动支部")
        FUNCTIONAL_GROUP = "functional_group", _("功能型党小组")

    class ActionType(models.TextChoices):
        INDUSTRIAL = "industrial", _("产业发展型")
        CONVENIENCE = "convenience", _("便民服务型")
        GOVERNANCE = "governance", _("社会治理型")

    class FunctionalType(models.TextChoices):
        RIGHTS = "rights", _("维权型")
        WELFARE = "welfare", _("公益型")
        LEARNING = "learning", _("学习型")

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    territory_code = models.CharField(_("所属区划/网格"), max_length=15, db_index=True)
    entity = models.ForeignKey(
        Entity,
        verbose_name=_("所在非公企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="party_organisations",
    )
    action_type = models.CharField(_("行动支部类型"), max_length=12, choices=ActionType.choices, blank=True)
    functional_type = models.CharField(
        _("功能型党小组类型"), max_length=12, choices=FunctionalType.choices, blank=True
    )
    secretary = models.ForeignKey(
        "PartyMember",
        verbose_name=_("书记"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_organisations",
    )
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        ordering = ["territory_code", "name"]

    def __str__(self) -> str:
        return self.name


class Pairing(models.Model):
    """结对共建: two branches working together; `first` has the smaller id so a pair is stored once."""

    first = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    second = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    started_on = models.DateField(_("结对日期"))
    activities = models.TextField(_("共建活动"), blank=True)
    created_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("结对共建")
        verbose_name_plural = _("结对共建")
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="party_pairing_once"),
            models.CheckConstraint(condition=Q(first__lt=models.F("second")), name="party_pairing_ordered"),
        ]

    def __str__(self) -> str:
        return gettext("结对 %(first)s–%(second)s") % {"first": self.first_id, "second": self.second_id}


class PartyMember(models.Model):
    """A party member: a registry person (so personal data stays sealed and masked there), the branch,
    and the grid the member serves in (全员入格); `territory_code` is that grid, the scope of every read."""

    class Status(models.TextChoices):
        FORMAL = "formal", _("正式党员")
        PROBATIONARY = "probationary", _("预备党员")

    person = models.OneToOneField(
        Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="party_membership"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("所在支部"), on_delete=models.PROTECT, related_name="members"
    )
    status = models.CharField(_("党员类别"), max_length=12, choices=Status.choices)
    joined_on = models.DateField(_("入党日期"))
    mobile = models.BooleanField(_("流动党员"), default=False)
    territory_code = models.CharField(_("入格网格"), max_length=15, db_index=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="party_member",
    )
    created_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        ordering = ["territory_code", "id"]

    def __str__(self) -> str:
        return gettext("党员 #%(id)s") % {"id": self.pk}


class MemberLink(models.Model):
    """联户联企: one member linked to one household or one enterprise."""

    member = models.ForeignKey(PartyMember, on_delete=models.PROTECT, related_name="links")
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.PROTECT, related_name="party_links"
    )
    entity = models.ForeignKey(
        Entity, null=True, blank=True, on_delete=models.PROTECT, related_name="party_links"
    )
    territory_code = models.CharField(_("所属网格"), max_length=15, db_index=True)
    linked_on = models.DateField(_("联系日期"))

    class Meta:
        verbose_name = _("联户联企")
        verbose_name_plural = _("联户联企")
        constraints = [
            models.CheckConstraint(
                condition=Q(household__isnull=False, entity__isnull=True)
                | Q(household__isnull=True, entity__isnull=False),
                name="party_link_one_target",
            ),
            models.UniqueConstraint(fields=["member", "household"], name="party_link_household_once"),
            models.UniqueConstraint(fields=["member", "entity"], name="party_link_entity_once"),
        ]

    def __str__(self) -> str:
        return gettext("联户联企 #%(id)s") % {"id": self.pk}


class Visit(models.Model):
    """One planned monthly visit of a member to a linked household or enterprise; logged on the phone
    with the check-in point, a note and a photo. A problem found becomes a grid event (source 党员联户)."""

    link = models.ForeignKey(MemberLink, on_delete=models.PROTECT, related_name="visits")
    member = models.ForeignKey(PartyMember, on_delete=models.PROTECT, related_name="visits")
    territory_code = models.CharField(_("所属网格"), max_length=15, db_index=True)
    month = models.DateField(_("月份"))  # the first day of the planned month
    due_on = models.DateField(_("应走访日期"), db_index=True)
    visited_at = models.DateTimeField(_("走访时间"), null=True, blank=True)
    lon = models.FloatField(_("签到经度"), null=True, blank=True)
    lat = models.FloatField(_("签到纬度"), null=True, blank=True)
    note = models.TextField(_("走访记录"), blank=True)
    photo = models.FileField(_("照片"), upload_to="party/visits/%Y/%m/", blank=True)
    event = models.ForeignKey(
        "grid.GridEvent", null=True, blank=True, on_delete=models.PROTECT, related_name="party_visits"
    )
    reminded_on = models.DateField(_("最近提醒日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("联户走访")
        verbose_name_plural = _("联户走访")
        ordering = ["due_on", "id"]
        constraints = [models.UniqueConstraint(fields=["link", "month"], name="party_visit_once_a_month")]

    def __str__(self) -> str:
        return gettext("走访 #%(id)s") % {"id": self.pk}


class VisitNeed(models.Model):
    """A need found on a visit (代办需求): a service the visited household or enterprise (the link's target,
    the beneficiary) needs done for it, not a problem to fix. It becomes a proxy-service request on the
    engine (`work_item`, process party_service_need) that the grid worker takes up by filing the
    application through the approvals' proxy service (代办); `application` is that application's work item."""

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="needs")
    member = models.ForeignKey(PartyMember, on_delete=models.PROTECT, related_name="needs")
    territory_code = models.CharField(_("所属网格"), max_length=15, db_index=True)
    description = models.TextField(_("需求"))
    work_item = models.OneToOneField(
        "workflow.WorkItem",
        verbose_name=_("代办需求流程"),
        on_delete=models.PROTECT,
        related_name="party_need",
    )
    application = models.OneToOneField(
        "workflow.WorkItem",
        verbose_name=_("代办件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="party_need_filed",
    )
    receipt_no = models.CharField(_("代办件受理编号"), max_length=24, blank=True)
    raised_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("走访需求")
        verbose_name_plural = _("走访需求")
        ordering = ["raised_at", "id"]

    def __str__(self) -> str:
        return gettext("需求 #%(id)s") % {"id": self.pk}


class Meeting(models.Model):
    """组织生活 (三会一课): one meeting of a branch, scheduled then held; attendance, minutes, a photo."""

    class Kind(models.TextChoices):
        GENERAL_ASSEMBLY = "general_assembly", _("支部党员大会")
        COMMITTEE = "committee", _("支部委员会")
        GROUP = "group", _("党小组会")
        LECTURE = "lecture", _("党课")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="meetings")
    territory_code = models.CharField(_("所属区划/网格"), max_length=15, db_index=True)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    topic = models.CharField(_("主题"), max_length=200)
    scheduled_for = models.DateTimeField(_("计划时间"))
    held_at = models.DateTimeField(_("召开时间"), null=True, blank=True)
    minutes = models.TextField(_("会议记录"), blank=True)
    photo = models.FileField(_("照片"), upload_to="party/meetings/%Y/%m/", blank=True)
    created_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("组织生活")
        verbose_name_plural = _("组织生活")
        ordering = ["scheduled_for", "id"]

    def __str__(self) -> str:
        return self.topic


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="attendance")
    member = models.ForeignKey(PartyMember, on_delete=models.PROTECT, related_name="attendance")
    signed_at = models.DateTimeField(_("签到时间"))

    class Meta:
        verbose_name = _("参会签到")
        verbose_name_plural = _("参会签到")
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="party_attendance_once")]

    def __str__(self) -> str:
        return gettext("签到 #%(id)s") % {"id": self.pk}


class MeetingReminder(models.Model):
    """The quarter-end reminder sent to a branch's secretary about meetings still missing: one row per
    branch and quarter, so the reminder goes out exactly once (the unique pair is the claim)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="meeting_reminders")
    quarter = models.DateField(_("季度"))  # the first day of the quarter
    sent_at = models.DateTimeField(_("提醒时间"))
    missing = models.JSONField(_("缺少的会议"), default=dict)

    class Meta:
        verbose_name = _("三会一课提醒")
        verbose_name_plural = _("三会一课提醒")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "quarter"], name="party_meeting_reminder_once")
        ]

    def __str__(self) -> str:
        return gettext("提醒 %(org)s %(quarter)s") % {"org": self.organisation_id, "quarter": self.quarter}


class PartyProject(models.Model):
    """A party project (党建项目) led by a branch secretary, placed on the one map (党建一图解析)."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("牵头党组织"), on_delete=models.PROTECT, related_name="projects"
    )
    leader = models.ForeignKey(
        PartyMember, verbose_name=_("领办书记"), on_delete=models.PROTECT, related_name="led_projects"
    )
    name = models.CharField(_("项目名称"), max_length=200)
    territory_code = models.CharField(_("所在区划/网格"), max_length=15, db_index=True)
    lon = models.FloatField(_("经度"))
    lat = models.FloatField(_("纬度"))
    description = models.TextField(_("简介"), blank=True)
    created_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("党建项目")
        verbose_name_plural = _("党建项目")
        ordering = ["territory_code", "name", "id"]

    def __str__(self) -> str:
        return self.name


class ProjectMilestone(models.Model):
    project = models.ForeignKey(PartyProject, on_delete=models.CASCADE, related_name="milestones")
    name = models.CharField(_("节点"), max_length=200)
    planned_on = models.DateField(_("计划完成日期"))
    done_on = models.DateField(_("实际完成日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("项目节点")
        verbose_name_plural = _("项目节点")
        ordering = ["planned_on", "id"]

    def __str__(self) -> str:
        return self.name


class VanguardPost(models.Model):
    """党员先锋岗: a post held by a member at a place (a shop, a station, a service desk), on the map."""

    member = models.ForeignKey(
        PartyMember, verbose_name=_("党员"), on_delete=models.PROTECT, related_name="vanguard_posts"
    )
    name = models.CharField(_("岗位名称"), max_length=200)
    territory_code = models.CharField(_("所在网格"), max_length=15, db_index=True)
    lon = models.FloatField(_("经度"))
    lat = models.FloatField(_("纬度"))
    created_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("党员先锋岗")
        verbose_name_plural = _("党员先锋岗")
        ordering = ["territory_code", "id"]

    def __str__(self) -> str:
        return self.name
