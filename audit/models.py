"""Append-only audit trail. Each row carries a keyed hash of its content; the background sealer binds
rows in id order into blocks whose heads chain (ADR 0006), so an edit, a deletion or a rewrite without
the key is named by `manage.py verify_audit`."""

from __future__ import annotations

from typing import Any, ClassVar, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.appendonly import AppendOnlyError, AppendOnlyModel, AppendOnlyQuerySet


class AuditEventQuerySet(AppendOnlyQuerySet["AuditEvent"]):
    """Triggers (migrations 0002 and 0004) refuse UPDATE and DELETE even from raw SQL, on PostgreSQL
    and SQLite; the ORM refuses them here and in AppendOnlyModel."""

    def update_or_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit events are written by audit.actions.record_event only")


class AuditEvent(AppendOnlyModel):
    occurred_at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    actor_label = models.CharField(_("操作人账号"), max_length=150, blank=True)
    action = models.CharField(_("动作"), max_length=80, db_index=True)
    subject_type = models.CharField(_("对象类型"), max_length=80)
    subject_id = models.CharField(_("对象标识"), max_length=80)
    territory_code = models.CharField(_("区划代码"), max_length=15, blank=True, db_index=True)
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)
    request_id = models.CharField(_("请求标识"), max_length=64, blank=True)
    # Only rows written before the keyed chain link to the previous row; newer rows are linked by blocks.
    prev_hash = models.CharField(_("前一条哈希"), max_length=64, blank=True)
    hash = models.CharField(_("哈希"), max_length=64)
    # "" marks a legacy unkeyed row.
    key_id = models.CharField(_("密钥版本"), max_length=32, blank=True, default="")

    objects: ClassVar[models.Manager[AuditEvent]] = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        ordering = ["id"]
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="audit_subject_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.subject_type}:{self.subject_id}"


class AuditBlock(AppendOnlyModel):
    """A sealed run of audit rows: ids after the previous block's `last_event_id` up to this one's."""

    number = models.PositiveBigIntegerField(_("块号"), unique=True)
    first_event_id = models.BigIntegerField(_("首条事件"))
    last_event_id = models.BigIntegerField(_("末条事件"), unique=True)
    count = models.PositiveIntegerField(_("事件数"))
    prev_head = models.CharField(_("前一块头"), max_length=64)
    head = models.CharField(_("块头"), max_length=64)
    key_id = models.CharField(_("密钥版本"), max_length=32)
    sealed_at = models.DateTimeField(_("封存时间"))

    class Meta:
        verbose_name = _("审计封存块")
        verbose_name_plural = _("审计封存块")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"block {self.number} (…{self.last_event_id})"
