"""Sensitivity levels of registry fields, and the level each role is granted. Roles get levels, never
individual fields: a field can be unmasked by whoever holds its level in the record's territory.

1 内部: masked values only; 2 个人信息: names, ID and phone numbers, exact addresses, legal
representatives; 3 敏感个人信息: care tags, special groups and their notes."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext, gettext_noop

from accounts.models import Assignment, Role, User

INTERNAL, PERSONAL, SENSITIVE = 1, 2, 3


@dataclass(frozen=True)
class Field:
    name: str
    label_source: str  # the Chinese label, marked for translation; `label` reads it in the active language
    level: int
    subject: str  # "person" or "entity"

    @property
    def label(self) -> str:
        return gettext(self.label_source)


FIELDS: dict[str, Field] = {
    f.name: f
    for f in [
        Field("name", gettext_noop("姓名"), PERSONAL, "person"),
        Field("id_number", gettext_noop("证件号码"), PERSONAL, "person"),
        Field("phone", gettext_noop("联系电话"), PERSONAL, "person"),
        Field("address_detail", gettext_noop("详细住址"), PERSONAL, "person"),
        Field("care_tags", gettext_noop("关爱标签"), SENSITIVE, "person"),
        Field("special_groups", gettext_noop("特殊人群"), SENSITIVE, "person"),
        Field("note", gettext_noop("敏感信息说明"), SENSITIVE, "person"),
        Field("legal_representative", gettext_noop("法定代表人"), PERSONAL, "entity"),
        Field("legal_representative_phone", gettext_noop("法定代表人电话"), PERSONAL, "entity"),
    ]
}

DEFAULT_ROLE_LEVELS: dict[str, int] = {
    Role.GRID_WORKER: PERSONAL,
    Role.GRID_HEAD: SENSITIVE,
    Role.WINDOW_CLERK: PERSONAL,
    Role.APPROVER: PERSONAL,
    Role.OFFICER: PERSONAL,
    Role.SQUAD_LEADER: PERSONAL,
    Role.LEGAL_REVIEWER: PERSONAL,
    Role.AGENCY_STAFF: INTERNAL,
    Role.DISPATCHER: INTERNAL,
    Role.SUPERVISOR: INTERNAL,
    Role.LEADER: SENSITIVE,
    Role.DATA_STEWARD: SENSITIVE,
    Role.AUDITOR: INTERNAL,
}


def role_levels() -> dict[str, int]:
    return {**DEFAULT_ROLE_LEVELS, **getattr(settings, "REGISTRY_ROLE_LEVELS", {})}


def level_for(user: User, territory_code: str) -> int:
    """The highest level the user's active assignments covering `territory_code` grant (0: none)."""
    if not user.is_authenticated or not user.is_active:
        return 0
    levels = role_levels()
    best = 0
    for role, code in Assignment.objects.filter(user=user, active=True).values_list("role", "territory_code"):
        if territory_code.startswith(code):
            best = max(best, levels.get(role, 0))
    return best
