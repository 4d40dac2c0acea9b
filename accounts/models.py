"""People, organisation units and assignments. A user's jurisdiction is the set of territory codes of
their active assignments (see accounts.jurisdiction)."""

from __future__ import annotations

import re

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

# District (6), town (9), village (12) or grid (15) code.
TERRITORY_CODE_RE = re.compile(r"^(\d{6}|\d{9}|\d{12}|\d{15})$")


def validate_territory_code(value: str) -> None:
    if not TERRITORY_CODE_RE.match(value or ""):
        raise ValidationError(
            _("区划/网格代码须为 6、9、12 或 15 位数字。"),
            code="invalid_territory_code",
            params={"value": value},
        )


def default_work_hours() -> list[list[str]]:
    return [["08:30", "12:00"], ["13:30", "17:30"]]


class User(AbstractUser):
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    # The system actor (sweeper, automatic escalations). It cannot log in.
    is_system = models.BooleanField(_("系统账号"), default=False)
    # Demo personas; a production start is refused while any exist (check zhili.E001).
    is_demo = models.BooleanField(_("演示账号"), default=False)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username


class Role(models.TextChoices):
    """The personas of DESIGN.md."""

    GRID_WORKER = "grid_worker", _("网格员")
    GRID_HEAD = "grid_head", _("网格长/村书记")
    WINDOW_CLERK = "window_clerk", _("窗口人员")
    APPROVER = "approver", _("审批人员")
    OFFICER = "officer", _("执法队员")
    SQUAD_LEADER = "squad_leader", _("中队长")
    LEGAL_REVIEWER = "legal_reviewer", _("法制审核员")
    AGENCY_STAFF = "agency_staff", _("职能机构人员")
    DISPATCHER = "dispatcher", _("指挥中心调度员")
    SUPERVISOR = "supervisor", _("督办员")
    LEADER = "leader", _("领导")
    DATA_STEWARD = "data_steward", _("数据管理员")
    AUDITOR = "auditor", _("审计员")
    SYSTEM = "system", _("系统")


class OrgUnit(models.Model):
    class Kind(models.TextChoices):
        COMMAND_CENTRE = "command_centre", _("指挥中心")
        GOVERNMENT = "government", _("党委政府")
        AGENCY = "agency", _("职能机构")
        STATION = "station", _("站所")
        SCHOOL = "school", _("学校")
        HOSPITAL = "hospital", _("医院")
        VILLAGE_COMMITTEE = "village_committee", _("村（居）委会")
        SQUAD = "squad", _("执法中队")
        SERVICE_CENTRE = "service_centre", _("便民服务中心")

    class ManagementMode(models.TextChoices):
        TERRITORIAL = "territorial", _("属地管理")
        VERTICAL = "vertical", _("垂直管理")
        ENTRUSTED = "entrusted", _("委托管理")

    class ServiceLevel(models.TextChoices):
        """便民服务中心 type: a 示范型 centre handles at least 250 items directly, a 标准型 one 199."""

        DEMONSTRATION = "demonstration", _("示范型")
        STANDARD = "standard", _("标准型")

    code = models.CharField(_("机构编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    territory_code = models.CharField(
        _("所属区划/网格代码"), max_length=15, db_index=True, validators=[validate_territory_code]
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    management_mode = models.CharField(
        _("管理模式"), max_length=12, choices=ManagementMode.choices, default=ManagementMode.TERRITORIAL
    )
    guiding_department = models.CharField(_("业务指导部门"), max_length=100, blank=True)
    # Working hours for `work_hours` time limits: [["08:30", "12:00"], ["13:30", "17:30"]], Asia/Shanghai.
    work_hours = models.JSONField(_("工作时间"), default=default_work_hours)
    # Only for kind service_centre.
    service_level = models.CharField(
        _("便民服务中心类型"), max_length=15, choices=ServiceLevel.choices, blank=True
    )

    class Meta:
        verbose_name = _("组织机构")
        verbose_name_plural = _("组织机构")
        ordering = ["territory_code", "code"]

    def __str__(self) -> str:
        return self.name


class Assignment(models.Model):
    """User × org unit × role; the territory code is the unit's unless narrowed (a grid worker's grid)."""

    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="assignments"
    )
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("机构"), on_delete=models.PROTECT, related_name="assignments"
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    territory_code = models.CharField(
        _("负责区划/网格代码"), max_length=15, db_index=True, validators=[validate_territory_code]
    )
    reports_to = models.ForeignKey(
        User,
        verbose_name=_("汇报对象"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    active = models.BooleanField(_("有效"), default=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("任职")
        verbose_name_plural = _("任职")
        ordering = ["user_id", "org_unit_id", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "org_unit", "role", "territory_code"], name="assignment_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.org_unit} · {self.get_role_display()}"
