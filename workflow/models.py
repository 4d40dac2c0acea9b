"""The workflow engine's data: process definitions and their versions, work items (the unified ledger),
transitions, and the notification outbox written in the same transaction as the change."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.appendonly import AppendOnlyModel

# Set only by workflow.engine while it writes a work item: WorkItem.save() refuses to create a row or
# change its state otherwise, so "nothing but transition() writes a state" holds at run time too.
_engine_writing: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "workflow_engine_writing", default=False
)


@contextlib.contextmanager
def engine_writes() -> Iterator[None]:
    token = _engine_writing.set(True)
    try:
        yield
    finally:
        _engine_writing.reset(token)


class StateWriteRefused(Exception):
    """A work item's state was written outside workflow.engine."""


class ProcessVersion(AppendOnlyModel):
    """One published, immutable version of a process definition. Work items pin the version they
    started with and the engine reads `definition` (normalised JSON), never the YAML file."""

    name = models.CharField(_("流程名称"), max_length=80)
    version = models.PositiveIntegerField(_("版本号"))
    title = models.CharField(_("流程标题"), max_length=200)
    content_hash = models.CharField(_("内容哈希"), max_length=64)
    definition = models.JSONField(_("流程定义"))
    source_path = models.CharField(_("来源文件"), max_length=300, blank=True)
    published_at = models.DateTimeField(_("发布时间"))

    class Meta:
        verbose_name = _("流程版本")
        verbose_name_plural = _("流程版本")
        ordering = ["name", "-version"]
        constraints = [models.UniqueConstraint(fields=["name", "version"], name="process_version_unique")]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class Priority(models.IntegerChoices):
    URGENT = 1, _("紧急")
    HIGH = 2, _("重要")
    NORMAL = 3, _("一般")


class Light(models.TextChoices):
    GREEN = "green", _("绿灯（正常）")
    YELLOW = "yellow", _("黄灯（临期）")
    RED = "red", _("红灯（超期）")


class WorkItem(models.Model):
    """The unified ledger row: one instance of a process about one subject (a grid event, an
    application, a case). Its state changes only through workflow.engine.transition().

    Deadlines are absolute, indexed columns. `warn_at` (80 % of the step) and `step_due_at` (100 %) are
    what the sweeper scans; `warned_at` / `overdue_at` record that it has acted on them. While the clock
    is stopped (a paused state) both are NULL and the remaining working time is kept in
    `paused_remaining_seconds` (and `paused_due_remaining_seconds` for the overall limit)."""

    process_version = models.ForeignKey(
        ProcessVersion, verbose_name=_("流程版本"), on_delete=models.PROTECT, related_name="items"
    )
    process_name = models.CharField(_("流程名称"), max_length=80, db_index=True)
    title = models.CharField(_("标题"), max_length=200)
    subject_type = models.CharField(_("对象类型"), max_length=80, blank=True)
    subject_id = models.CharField(_("对象标识"), max_length=80, blank=True)
    state = models.CharField(_("状态"), max_length=40)
    territory_code = models.CharField(_("区划/网格代码"), max_length=15, db_index=True)
    assigned_unit = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("承办机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_items",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_items",
    )
    priority = models.PositiveSmallIntegerField(
        _("优先级"), choices=Priority.choices, default=Priority.NORMAL
    )
    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("更新时间"))
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    # Overall limit of the process and the current step.
    due_at = models.DateTimeField(_("总办理期限"), null=True, blank=True)
    step_started_at = models.DateTimeField(_("本环节开始时间"))
    step_unit = models.CharField(_("本环节时限单位"), max_length=12, blank=True)
    step_limit_seconds = models.FloatField(_("本环节时限（秒，工作时间）"), null=True, blank=True)
    step_due_at = models.DateTimeField(_("本环节期限"), null=True, blank=True)
    warn_at = models.DateTimeField(_("预警时间"), null=True, blank=True)
    # True when a day counted for the step deadline (or the overall one) lies in a year without holiday
    # data (Monday–Friday fallback).
    deadline_provisional = models.BooleanField(_("本环节期限为暂定"), default=False)
    due_provisional = models.BooleanField(_("总期限为暂定"), default=False)
    # Clock-stopped accounting.
    paused_at = models.DateTimeField(_("暂停计时时间"), null=True, blank=True)
    paused_seconds_total = models.FloatField(_("累计暂停时长（秒）"), default=0.0)
    paused_remaining_seconds = models.FloatField(_("暂停时本环节剩余（秒）"), null=True, blank=True)
    paused_due_remaining_seconds = models.FloatField(_("暂停时总期限剩余（秒）"), null=True, blank=True)
    # What the sweeper has done for the current step, and its back-off for rows that fail.
    warned_at = models.DateTimeField(_("已预警时间"), null=True, blank=True)
    overdue_at = models.DateTimeField(_("已超期时间"), null=True, blank=True)
    sweep_failures = models.PositiveIntegerField(_("巡检失败次数"), default=0)
    sweep_retry_at = models.DateTimeField(_("巡检重试时间"), null=True, blank=True)
    last_sweep_error = models.TextField(_("巡检最近错误"), blank=True)
    # Bumped by every transition: the compare-and-swap token for concurrent actors.
    version = models.PositiveIntegerField(_("版本"), default=1)
    # Per-item step limits set by the calling code, overriding the definition's: {state: {amount, unit}}
    # (e.g. the handling limit of a grid event comes from its category standard, not from the YAML).
    # Used whenever the item (re-)enters that state with a restarting clock. Written only through
    # `do_start_item(..., limits=...)` / `transition(..., limits=...)`, never from request inputs.
    limit_overrides = models.JSONField(_("本件环节时限"), default=dict, blank=True)

    class Meta:
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["warn_at"], name="workitem_warn_idx", condition=Q(warned_at__isnull=True)),
            models.Index(
                fields=["step_due_at"], name="workitem_step_due_idx", condition=Q(overdue_at__isnull=True)
            ),
            models.Index(fields=["assigned_unit", "closed_at"], name="workitem_unit_idx"),
            models.Index(fields=["assignee", "closed_at"], name="workitem_assignee_idx"),
            # The work-item list's default (open items, newest first): only open items are indexed.
            models.Index(
                fields=["-created_at", "-id"],
                name="workitem_open_newest_idx",
                condition=Q(closed_at__isnull=True),
            ),
            models.Index(fields=["subject_type", "subject_id"], name="workitem_subject_idx"),
            # The staff queues (open items of a state, earliest step deadline first; open items past
            # their step deadline): walked in order and stopped at a page, never sorted whole.
            models.Index(
                fields=["state", "step_due_at"],
                name="workitem_open_state_due_idx",
                condition=Q(closed_at__isnull=True),
            ),
            models.Index(
                fields=["step_due_at"], name="workitem_open_due_idx", condition=Q(closed_at__isnull=True)
            ),
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._persisted_state: str | None = None if self._state.adding else self.state

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not _engine_writing.get() and (self._state.adding or self.state != self._persisted_state):
            raise StateWriteRefused("work item states are written only by workflow.engine.transition()")
        super().save(*args, **kwargs)
        self._persisted_state = self.state

    @classmethod
    def bulk_built(cls, items: list[WorkItem]) -> None:
        """What __init__ adds, for the instances `core.bulk.create_objects` builds without it."""
        for item in items:
            item._persisted_state = item.state

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any) -> WorkItem:  # type: ignore[override]
        instance = super().from_db(db, field_names, values)
        instance._persisted_state = instance.__dict__.get("state")
        return instance

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        super().refresh_from_db(*args, **kwargs)
        self._persisted_state = self.__dict__.get("state")

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def clock_stopped(self) -> bool:
        return self.paused_at is not None


class Transition(AppendOnlyModel):
    """Append-only history of a work item: one row per action taken (by a person or the system)."""

    item = models.ForeignKey(
        WorkItem, verbose_name=_("办件"), on_delete=models.CASCADE, related_name="transitions"
    )
    action = models.CharField(_("动作"), max_length=60)
    from_state = models.CharField(_("原状态"), max_length=40, blank=True)
    to_state = models.CharField(_("新状态"), max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("理由/意见"), blank=True)
    inputs = models.JSONField(_("提交内容"), default=dict, blank=True)
    occurred_at = models.DateTimeField(_("时间"))
    step_elapsed_seconds = models.FloatField(_("本环节已用工作时间（秒）"), null=True, blank=True)
    step_unit = models.CharField(_("环节时限单位"), max_length=12, blank=True)

    class Meta:
        verbose_name = _("流转记录")
        verbose_name_plural = _("流转记录")
        ordering = ["item_id", "id"]
        indexes = [models.Index(fields=["item", "id"], name="transition_item_idx")]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.from_state} —{self.action}→ {self.to_state}"


class IdempotencyRecord(models.Model):
    """The first response to a request carrying an Idempotency-Key, per user. Written in the same
    transaction as the work, so a retry either finds the stored result or does the work itself."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(_("幂等键"), max_length=200)
    request_hash = models.CharField(_("请求摘要"), max_length=64)
    status_code = models.PositiveSmallIntegerField(_("状态码"))
    response_body = models.JSONField(_("响应内容"))
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("幂等记录")
        verbose_name_plural = _("幂等记录")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_unique")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


NEVER = date(9999, 12, 31)  # "no such day" in the rollup's day columns (NULLs would defeat its unique key)


class LedgerRollup(models.Model):
    """Counts folded from the ledger (Transition rows) per local day × territory (the grid code) × class ×
    channel × measure, with the days an item's later facts fell on (first overdue, closure, first
    deferral) where a figure depends on them. The process that owns a measure defines it (see
    workflow/rollups.py); figures read sums of these rows instead of the raw ledger."""

    process_name = models.CharField(_("流程"), max_length=80)
    measure = models.CharField(_("指标"), max_length=40)
    day = models.DateField(_("日期（本地）"))
    territory_code = models.CharField(_("区划/网格代码"), max_length=15)
    subject_class = models.CharField(_("分类"), max_length=20, blank=True)
    channel = models.CharField(_("渠道"), max_length=20, blank=True)
    flags = models.CharField(_("标记"), max_length=60, blank=True)
    since_day = models.DateField(_("首次超期日"), default=NEVER)
    closed_day = models.DateField(_("结案日"), default=NEVER)
    deferred_day = models.DateField(_("首次缓办日"), default=NEVER)
    count = models.IntegerField(_("计数"), default=0)

    class Meta:
        verbose_name = _("台账汇总")
        verbose_name_plural = _("台账汇总")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "process_name",
                    "measure",
                    "day",
                    "territory_code",
                    "subject_class",
                    "channel",
                    "flags",
                    "since_day",
                    "closed_day",
                    "deferred_day",
                ],
                name="ledger_rollup_key",
            )
        ]
        indexes = [
            models.Index(fields=["process_name", "day", "territory_code"], name="ledger_rollup_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.process_name} {self.measure} {self.day} {self.territory_code}: {self.count}"


class LedgerRollupByDivision(models.Model):
    """The ledger rollup summed per division: each `LedgerRollup` row counted once under the county, town
    and village codes its territory code starts with (class and channel dropped), folded in the same
    transaction as the rollup itself. A county's or town's figures sum a few thousand of these rows instead
    of every grid's; the grid rollup stays for grids, classes and channels (workflow/rollups.py)."""

    process_name = models.CharField(_("流程"), max_length=80)
    division_code = models.CharField(_("区划代码"), max_length=12)
    day = models.DateField(_("日期（本地）"))
    measure = models.CharField(_("指标"), max_length=40)
    flags = models.CharField(_("标记"), max_length=60, blank=True)
    since_day = models.DateField(_("首次超期日"), default=NEVER)
    closed_day = models.DateField(_("结案日"), default=NEVER)
    deferred_day = models.DateField(_("首次缓办日"), default=NEVER)
    count = models.IntegerField(_("计数"), default=0)

    class Meta:
        verbose_name = _("台账区划汇总")
        verbose_name_plural = _("台账区划汇总")
        constraints = [
            # Its index serves the reads too: one division, a range of days.
            models.UniqueConstraint(
                fields=[
                    "process_name",
                    "division_code",
                    "day",
                    "measure",
                    "flags",
                    "since_day",
                    "closed_day",
                    "deferred_day",
                ],
                name="ledger_rollup_division_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.process_name} {self.measure} {self.day} {self.division_code}: {self.count}"


class LedgerRollupCursor(models.Model):
    """How far the rollup has folded the ledger: the last Transition id included, per process."""

    process_name = models.CharField(_("流程"), max_length=80, unique=True)
    last_transition_id = models.BigIntegerField(_("已汇总至流转记录"), default=0)
    folded_at = models.DateTimeField(_("汇总时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("台账汇总游标")
        verbose_name_plural = _("台账汇总游标")

    def __str__(self) -> str:
        return f"{self.process_name} ≤ {self.last_transition_id}"
