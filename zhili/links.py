"""Links from a page of a lower app up to a page of a higher app. Imports point down the arrow of
DESIGN.md and so do template links: a lower app's template names a slot and the object it shows
(`{% slot_links "grid.event.actions" event ... as links %}`), and this registry, at the top of the
arrow, says which higher pages answer that slot and when. The lower app never names the higher one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

register = template.Library()


def _no_args(subject: Any) -> list[Any]:
    return []


def _always(subject: Any, facts: dict[str, Any]) -> bool:
    return True


@dataclass(frozen=True)
class SlotLink:
    """One higher page offered in a slot: its URL name, its label (marked for makemessages), the URL
    arguments taken from the slot's object, when it is shown (from the object and the facts the lower
    template passes), and a `data-` attribute name that pages and tests find it by."""

    url_name: str
    label: str
    args: Callable[[Any], list[Any]] = _no_args
    shown: Callable[[Any, dict[str, Any]], bool] = _always
    data: str = ""


@dataclass(frozen=True)
class Link:
    url: str
    label: str
    data: str = field(default="")


def _before_dispatch(event: Any, facts: dict[str, Any]) -> bool:
    """An event is converted to an enforcement case instead of being filed or dispatched."""
    offered = {action.name for action, _form in facts.get("action_forms", ())}
    return bool(offered & {"file", "dispatch"})


SLOTS: dict[str, tuple[SlotLink, ...]] = {
    # grid/event.html, beside the actions on the event
    "grid.event.actions": (
        SlotLink(
            "enforcement:convert",
            gettext_noop("转执法立案"),
            args=lambda event: [event.pk],
            shown=_before_dispatch,
            data="convert-link",
        ),
    ),
    # party/need.html, beside the step that links a proxy application to a visit's need (代办需求)
    "party.need.file": (SlotLink("approvals:proxy", gettext_noop("去代办服务"), data="proxy-link"),),
    # accounts/home.html, the tiles of the work desk
    "accounts.home.tiles": (SlotLink("workflow:inbox", gettext_noop("待办"), data="inbox-link"),),
}


def links_for(slot: str, subject: Any = None, **facts: Any) -> list[Link]:
    """The links of `slot` that are shown for `subject`; an unknown slot is a programming error."""
    return [
        Link(reverse(entry.url_name, args=entry.args(subject)), _(entry.label), entry.data)
        for entry in SLOTS[slot]
        if entry.shown(subject, facts)
    ]


@register.simple_tag
def slot_links(slot: str, subject: Any = None, **facts: Any) -> list[Link]:
    return links_for(slot, subject, **facts)
