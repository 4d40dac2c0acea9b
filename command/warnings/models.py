"""The early-warning record: what fired (rule, level, evidence), where (territory, owner unit), about what
(work items), and the work item (process `command_warning`) on which it is acknowledged, handled, closed
and supervised. The state lives on the work item only; this row never holds a second copy of it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    RED = "red", _("红色预警")
    ORANGE = "orange", _("橙色预警")
    YELLOW = "yellow", _("黄色预警")


LEVEL_ORDER = {Level.RED: 0, Level.ORANGE: 1, Level.YELLOW: 2}


class Rule(models.TextChoices):
    DEADLINE_RISK = "deadline_risk", _("临期风险")
    SPIKE = "spike", _("事件激增")
    REPEATED_PLACE = "repeated_place", _("同一地点重复上报")
    UNROUTED_BACKLOG = "unrouted_backlog", _("立案待派遣积压")
    PUBLICATION_LATE = "publication_late", _("处罚决定未按时公示")
    APPROVALS_QUEUE = "approvals_queue", _("审批窗口积压增长")
    ONE_SHOULDER = "one_shoulder", _("网格长未兼任支部书记（一肩挑）")
    TERRITORIAL_CONTRACT_EXPIRING = "territorial_contract_expiring", _("三资合同即将到期")
    TERRITORIAL_INSTALMENT_OVERDUE = "territorial_instalment_overdue", _("三资合同租金逾期未收")
    TERRITORIAL_CASH_NOT_DEPOSITED = "territorial_cash_not_deposited", _("坐收坐支（现金未按期存入）")
    TERRITORIAL_LARGE_UNAPPROVED = "territorial_large_unapproved", _("大额支出未经审批")
    TERRITORIAL_SPLIT_PAYMENT = "territorial_split_payment", _("疑似拆分支出规避审批")
    TERRITORIAL_CONTRACT_NO_INCOME = "territorial_contract_no_income", _("三资合同无收入")


# The 三资 rules (rules/territorial.py); the desk's 属地管理 module counts their open warnings.
TERRITORIAL_RULES = (
    Rule.TERRITORIAL_CONTRACT_EXPIRING,
    Rule.TERRITORIAL_INSTALMENT_OVERDUE,
    Rule.TERRITORIAL_CASH_NOT_DEPOSITED,
    Rule.TERRITORIAL_LARGE_UNAPPROVED,
    Rule.TERRITORIAL_SPLIT_PAYMENT,
    Rule.TERRITORIAL_CONTRACT_NO_INCOME,
)


class EarlyWarning(models.Model):
    """One situation, one row: `fingerprint` (rule + what it is about + its period) is unique, so a
    rule that still holds at the next evaluation finds its warning instead of raising another; a
    situation that comes back after its warning was withdrawn is raised again as `<fingerprint>#<n>`."""

    work_item = models.OneToOneField(
        "workflow.WorkItem", verbose_name=_("办件"), on_delete=models.PROTECT, related_name="early_warning"
    )
    rule = models.CharField(_("预警规则"), max_length=30, choices=Rule.choices)
    level = models.CharField(_("预警等级"), max_length=10, choices=Level.choices)
    fingerprint = models.CharField(_("指纹"), max_length=200, unique=True)
    # The situation across evaluations (the fingerprint without its period): while its rule still
    # yields it, an open warning stays; once not, the warning is withdrawn (自动解除).
    situation = models.CharField(_("情形"), max_length=200, db_index=True, default="")
    territory_code = models.CharField(_("区划/网格代码"), max_length=15, db_index=True)
    owner_unit = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("责任单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="early_warnings",
    )
    title = models.CharField(_("标题"), max_length=200)
    summary = models.TextField(_("说明"))
    # The numbers that fired the rule (thresholds included), shown as they were at raising.
    evidence = models.JSONField(_("触发依据"), default=dict)
    # Work items the warning is about (the item at risk, the repeated reports, the backlog).
    item_ids = models.JSONField(_("涉及办件"), default=list, blank=True)
    raised_at = models.DateTimeField(_("发出时间"))
    # Written by the step handlers (command/warnings/steps.py) when the engine takes the step.
    measures = models.TextField(_("处置措施"), blank=True)
    finished_at = models.DateTimeField(_("办结/撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        ordering = ["-raised_at", "-id"]
        indexes = [
            models.Index(
                fields=["-raised_at", "-id"],
                name="warning_open_newest_idx",
                condition=models.Q(finished_at__isnull=True),
            ),
            models.Index(fields=["rule", "finished_at"], name="warning_rule_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.title}"
