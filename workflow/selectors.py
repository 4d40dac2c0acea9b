"""Reads of the workflow, scoped by jurisdiction: the ledger a user may see, one item, its history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy

from accounts.jurisdiction import scope_for
from accounts.models import Assignment, User
from core.errors import DomainError, NotFound
from territory.scoping import within
from workflow import english
from workflow.access import available_actions
from workflow.actors import actor_roles
from workflow.clock import TimeLeft
from workflow.deadlines import time_left, traffic_light
from workflow.definitions import load_all
from workflow.models import Light, Transition, WorkItem
from workflow.process_definition import ActionDef, ProcessDefinition
from workflow.publishing import definition_for


def work_items_visible_to(user: User | AnonymousUser) -> QuerySet[WorkItem]:
    queryset = WorkItem.objects.select_related("process_version", "assigned_unit", "assignee")
    return scope_for(user, queryset, "territory_code")


def get_item_for(user: User | AnonymousUser, item_id: int) -> WorkItem:
    """The item, or NotFound when it does not exist or lies outside the user's jurisdiction."""
    item = work_items_visible_to(user).filter(pk=item_id).first()
    if item is None:
        raise NotFound()
    return item


@dataclass(frozen=True)
class ItemFilters:
    state: str = ""
    process: str = ""
    light: str = ""
    mine: bool = False
    my_unit: bool = False
    my_role: bool = False  # waiting for one of my roles anywhere in my jurisdiction
    territory: str = ""
    overdue: bool = False
    include_closed: bool = False


def user_unit_ids(user: User) -> list[int]:
    return list(Assignment.objects.filter(user=user, active=True).values_list("org_unit_id", flat=True))


@cache
def _jurisdiction_steps() -> dict[str, tuple[tuple[frozenset[str], frozenset[str]], ...]]:
    """Per process: (roles, source states) of each required action anyone holding the role in the
    jurisdiction may take (actor: jurisdiction, not `optional`) — read from the definitions, not listed."""
    return {
        definition.name: tuple(
            (frozenset(action.roles), frozenset(action.sources))
            for action in definition.actions.values()
            if action.actor == "jurisdiction" and not action.optional
        )
        for _path, definition in load_all()
    }


def waiting_for_role(user: User) -> Q:
    """Items whose current state waits for one of the user's roles (scope them with the jurisdiction)."""
    roles = actor_roles(user)
    condition = Q(pk__in=[])
    for process, steps in _jurisdiction_steps().items():
        states = sorted({state for step_roles, sources in steps if roles & step_roles for state in sources})
        if states:
            condition |= Q(process_name=process, state__in=states)
    return condition


@cache
def _state_titles() -> dict[tuple[str, str], str]:
    return {
        (definition.name, state.name): state.title
        for _path, definition in load_all()
        for state in definition.states.values()
    }


def state_title(process: str, state: str) -> str:
    """The title of a process's state (as the definitions on disk name it) in the session's language:
    for lists that show many items' states without reading each one's pinned version."""
    return english.state_title(process, state, _state_titles().get((process, state), state))


def state_tally(queryset: QuerySet[WorkItem], *, limit: int = 12) -> list[tuple[str, int]]:
    """How many items of the list wait in each state (titles from the definitions), most first: the
    inbox's counts, which agree with the streams' own queues (the same states in the same scope)."""
    titles = _state_titles()
    rows = (
        queryset.order_by()
        .values_list("process_name", "state")
        .annotate(n=Count("id"))
        .order_by("-n", "process_name", "state")[:limit]
    )
    return [
        (english.state_title(process, state, titles.get((process, state), state)), n)
        for process, state, n in rows
    ]


def filter_items(user: User, filters: ItemFilters, *, now: datetime) -> QuerySet[WorkItem]:
    queryset = work_items_visible_to(user)
    if not filters.include_closed:
        queryset = queryset.filter(closed_at__isnull=True)
    if filters.state:
        queryset = queryset.filter(state=filters.state)
    if filters.process:
        queryset = queryset.filter(process_name=filters.process)
    waiting = [
        condition
        for wanted, condition in (
            (filters.mine, lambda: Q(assignee=user)),
            (filters.my_unit, lambda: Q(assigned_unit_id__in=user_unit_ids(user))),
            (filters.my_role, lambda: waiting_for_role(user)),
        )
        if wanted
    ]
    if waiting:
        combined = waiting[0]()
        for condition in waiting[1:]:
            combined |= condition()
        queryset = queryset.filter(combined)
    if filters.territory:
        if not filters.territory.isdigit():
            raise DomainError("invalid", "区划代码须为数字。", field="territory")
        queryset = queryset.filter(within([filters.territory], "territory_code"))
    if filters.light == Light.GREEN:
        queryset = queryset.filter(warn_at__gt=now)
    elif filters.light == Light.YELLOW:
        queryset = queryset.filter(warn_at__lte=now, step_due_at__gt=now)
    elif filters.light == Light.RED:
        queryset = queryset.filter(step_due_at__lte=now)
    elif filters.light:
        raise DomainError("invalid", "红绿灯取值应为 green / yellow / red。", field="light")
    if filters.overdue:
        queryset = queryset.filter(Q(step_due_at__lte=now) | Q(due_at__lte=now))
    return (
        queryset.order_by("step_due_at", "-priority", "id")
        if filters.light
        else queryset.order_by("-created_at", "-id")
    )


def history_of(item: WorkItem) -> list[Transition]:
    return list(item.transitions.select_related("actor").order_by("id"))


@dataclass(frozen=True)
class TimelineRow:
    transition: Transition
    action_title: str
    from_title: str
    to_title: str


# Transitions the engine writes itself (no definition action): their titles in a timeline.
ENGINE_ACTION_TITLES = {"start": gettext_lazy("发起"), "recompute_deadline": gettext_lazy("期限重算")}


def timeline_of(item: WorkItem) -> list[TimelineRow]:
    """History with the titles of the item's own (pinned) definition."""
    definition = definition_for(item)

    def state_title(name: str) -> str:
        title = definition.states[name].title if name in definition.states else name
        return english.state_title(definition.name, name, title)

    rows = []
    for record in history_of(item):
        action = definition.actions.get(record.action)
        title = (
            english.action_title(definition.name, action.name, action.title)
            if action
            else str(ENGINE_ACTION_TITLES.get(record.action, record.action))
        )
        rows.append(
            TimelineRow(
                record,
                title,
                state_title(record.from_state) if record.from_state else "",
                state_title(record.to_state),
            )
        )
    return rows


@dataclass(frozen=True)
class ItemView:
    """A work item with what the pages and the API show beside it."""

    item: WorkItem
    definition: ProcessDefinition
    light: str | None
    time_left: TimeLeft | None

    @property
    def state_title(self) -> str:
        state = self.definition.states.get(self.item.state)
        title = state.title if state else self.item.state
        return english.state_title(self.definition.name, self.item.state, title)


def view_of(item: WorkItem, *, now: datetime) -> ItemView:
    return ItemView(
        item=item,
        definition=definition_for(item),
        light=traffic_light(item, now),
        time_left=time_left(item, now),
    )


def actions_for(item: WorkItem, user: User) -> list[ActionDef]:
    return available_actions(item, user)
