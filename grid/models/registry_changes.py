"""Change requests to the registries (基础信息变更申请), reviewed on process registry_change."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RegistryChangeRequest(models.Model):
    """A proposed change to the registries (基础信息变更申请), reviewed on process registry_change. The
    proposal holds personal data (names, ID and phone numbers): it is sealed (core.pii.seal) and
    only a masked summary is kept in clear."""

    class Kind(models.TextChoices):
        NEW_HOUSEHOLD = "new_household", _("新增户")

    work_item = models.OneToOneField(
        "workflow.WorkItem", verbose_name=_("办件"), on_delete=models.PROTECT, related_name="registry_change"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    territory_code = models.CharField(_("网格"), max_length=15, db_index=True)
    payload_sealed = models.TextField(_("申请内容（密文）"))
    summary = models.CharField(_("摘要（脱敏）"), max_length=300)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("申请时间"))
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("生效后的户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("基础信息变更申请")
        verbose_name_plural = _("基础信息变更申请")
        ordering = ["-proposed_at", "-id"]

    def __str__(self) -> str:
        return self.summary
