"""The entity page's (一企一档) sections of comprehensive enforcement: the cases against the entity as a
legal-person party (by its credit code), newest first, scoped to the viewer's jurisdiction as the case
pages are; and its penalty decisions as published (行政执法公示: on public display now), linked to the
public list."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy

from accounts.jurisdiction import scope_for
from accounts.models import User
from enforcement.cases.publication import public_publications
from enforcement.models import PartyKind
from enforcement.selectors import cases_for
from registry import profile
from registry.models import Entity
from workflow.selectors import state_title


def cases_of(entity: object, user: User) -> list[profile.Row]:
    assert isinstance(entity, Entity)
    rows = (
        cases_for(user)
        .select_related(None)
        .select_related("matter", "work_item")
        .filter(party_kind=PartyKind.LEGAL, party_credit_code=entity.uscc)
        .order_by("-created_at", "-id")[: profile.SECTION_LIMIT]
    )
    return [
        profile.Row(
            label=f"{case.number or gettext('（未立案）')} {case.matter.name}",
            url=reverse("enforcement:case", args=[case.pk]),
            status=state_title(case.work_item.process_name, case.work_item.state) if case.work_item else "",
            at=case.filed_at or case.created_at,
        )
        for case in rows
    ]


def decisions_of(entity: object, user: User) -> list[profile.Row]:
    assert isinstance(entity, Entity)
    published = scope_for(user, public_publications(now=timezone.now()), "case__territory_code").filter(
        case__party_kind=PartyKind.LEGAL, case__party_credit_code=entity.uscc
    )
    public_list = reverse("enforcement_public:decisions")
    return [
        profile.Row(
            label=f"{p.case.decision_number} {p.case.matter.name}",
            url=f"{public_list}?{urlencode({'q': p.case.decision_number})}",
            status=gettext("已公示"),
            at=p.published_at,
        )
        for p in published[: profile.SECTION_LIMIT]
    ]


def register() -> None:
    profile.register_section(
        "enforcement_cases", pgettext_lazy("entity page", "执法案件"), cases_of, position=30
    )
    profile.register_section(
        "enforcement_decisions", pgettext_lazy("entity page", "处罚决定公示"), decisions_of, position=40
    )
