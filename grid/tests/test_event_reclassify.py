"""改类 (`reclassify`): the dispatcher puts a report under the right minor class — a resident's report taken
without one (其他事件, unclassified) or one under the wrong class after an agency sent it back. The handling
limit, the priority and the routing follow the new class; the resident's text is untouched; the step is
audited; refused for other roles, outsiders, unknown or disabled classes, and nothing is written then."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import OrgUnit, Role
from accounts.testing import make_person
from audit.models import AuditEvent
from core.errors import DomainError
from grid.events.report import UNCLASSIFIED_CATEGORY
from grid.models import Category, GridEvent, RoutingDecision
from grid.tests import test_event_support as support
from grid.tests.test_event_support import URBAN, act, at, client_for, report
from workflow.models import Priority, Transition, WorkItem

pytestmark = pytest.mark.django_db
media, people = support.media, support.people  # fixtures

BURST_PIPE = "0401"  # 管道破裂: an urgent row of the standard
GOVERNMENT = "320507003-gov"  # 其他 (06) routes to the street's government office


def _resident_report(people: dict[str, Any]) -> GridEvent:
    return report(
        people,
        who=None,
        category_code="",
        address="黄桥路12号",
        description="小区门口一直有人倾倒垃圾，味道很大",
        reporter_name="王先生",
        publish_consent=True,
    )


def _item(event: GridEvent) -> WorkItem:
    assert event.work_item_id is not None
    return WorkItem.objects.get(pk=event.work_item_id)


def _routed(event: GridEvent) -> list[str | None]:
    return list(
        RoutingDecision.objects.filter(subject_id=str(event.pk))
        .order_by("id")
        .values_list("chosen_unit__code", flat=True)
    )


def test_an_unclassified_report_is_reclassified_routed_and_timed_by_its_new_class(
    people: dict[str, Any],
) -> None:
    event = _resident_report(people)
    assert event.category.code == UNCLASSIFIED_CATEGORY and event.title == "其他事件（黄桥路12号）"
    assert _item(event).limit_overrides["handling"] == {"amount": 5, "unit": "work_days"}
    description = event.description

    event = act(event, "reclassify", people, "dispatcher", at(3, 2, 9, 20), inputs={"category_code": "0102"})
    item = _item(event)
    assert item.state == "filed"
    assert event.category.code == "0102" and "unclassified" not in event.attributes
    assert event.standard is not None and event.standard.category.code == "0102"
    # The handling limit of 暴露垃圾 (4 working hours), not 其他事件's 5 working days.
    assert item.limit_overrides["handling"] == {"amount": 4, "unit": "work_hours"}
    # The generated title follows the class; what the resident wrote stays.
    assert event.title == item.title == "暴露垃圾（黄桥路12号）"
    assert event.description == description and event.reporter_name == "王先生" and event.publish_consent
    assert _routed(event) == [URBAN]
    step = Transition.objects.get(item=item, action="reclassify")
    assert (
        step.inputs["category_code"] == "0102" and step.inputs["previous_category"] == UNCLASSIFIED_CATEGORY
    )
    assert step.inputs["routed_unit"] == URBAN
    audit = AuditEvent.objects.get(action="grid.event_reclassify")
    assert audit.before is not None and audit.after is not None
    assert audit.before["category"] == UNCLASSIFIED_CATEGORY and audit.before["unclassified"] is True
    assert audit.after["category"] == "0102" and audit.after["limits"]["handling"]["unit"] == "work_hours"
    assert AuditEvent.objects.filter(action="workflow.reclassify").count() == 1

    # Dispatch takes the newly routed unit; signing starts the new class's handling clock.
    event = act(event, "dispatch", people, "dispatcher", at(3, 2, 9, 30))
    unit = _item(event).assigned_unit
    assert unit is not None and unit.code == URBAN
    event = act(event, "sign", people, "hq_agency", at(3, 2, 10))
    item = _item(event)
    assert item.step_unit == "work_hours" and item.step_due_at == at(
        3, 2, 15, 30
    )  # 4 working hours, lunch break excluded

    # The resident's tracking page shows the new class and their own words.
    status = client_for(None).get(f"/api/v1/public/reports/{event.receipt_number}/").json()
    assert status["category"]["code"] == "0102"


def test_a_wrong_class_sent_back_is_reclassified_and_routed_elsewhere(people: dict[str, Any]) -> None:
    event = report(people, category_code="0601", description="路灯杆上贴满了小广告")
    assert event.title.startswith("其他事件（")
    event = act(event, "file", people, "dispatcher", at(3, 2, 9, 10))
    assert _routed(event) == [GOVERNMENT]
    event = act(event, "dispatch", people, "dispatcher", at(3, 2, 9, 20))
    office = make_person("hq_office", unit=OrgUnit.objects.get(code=GOVERNMENT), role=Role.AGENCY_STAFF)
    event = act(
        event,
        "send_back",
        {**people, "hq_office": office},
        "hq_office",
        at(3, 2, 9, 25),
        reason="小广告归城管",
    )
    event = act(event, "reclassify", people, "dispatcher", at(3, 2, 9, 30), inputs={"category_code": "0201"})
    assert event.category.code == "0201" and event.title.startswith("非法小广告（")
    assert _routed(event) == [GOVERNMENT, GOVERNMENT, URBAN]  # filing, dispatch, reclassification
    event = act(event, "dispatch", people, "dispatcher", at(3, 2, 9, 40))
    assert _item(event).assigned_unit.code == URBAN  # type: ignore[union-attr]


def test_confirming_the_catch_all_class_clears_the_unclassified_mark(people: dict[str, Any]) -> None:
    event = _resident_report(people)
    event = act(
        event,
        "reclassify",
        people,
        "dispatcher",
        at(3, 2, 9, 20),
        inputs={"category_code": UNCLASSIFIED_CATEGORY},
    )
    assert event.category.code == UNCLASSIFIED_CATEGORY and "unclassified" not in event.attributes
    assert event.title == "其他事件（黄桥路12号）"


def test_a_title_someone_wrote_is_kept(people: dict[str, Any]) -> None:
    event = report(people, category_code="0601", title="桥下堆物")
    event = act(event, "reclassify", people, "dispatcher", at(3, 2, 9, 20), inputs={"category_code": "0102"})
    assert event.title == _item(event).title == "桥下堆物"


def test_an_urgent_class_raises_the_priority(people: dict[str, Any]) -> None:
    event = _resident_report(people)
    assert _item(event).priority == Priority.NORMAL
    event = act(
        event, "reclassify", people, "dispatcher", at(3, 2, 9, 20), inputs={"category_code": BURST_PIPE}
    )
    assert event.category.name == "管道破裂" and _item(event).priority == Priority.URGENT


def _refused(event: GridEvent, people: dict[str, Any], who: str, inputs: dict[str, Any]) -> DomainError:
    before = (
        AuditEvent.objects.count(),
        RoutingDecision.objects.count(),
        Transition.objects.count(),
    )
    with pytest.raises(DomainError) as caught:
        act(event, "reclassify", people, who, at(3, 2, 9, 20), inputs=inputs)
    after = (AuditEvent.objects.count(), RoutingDecision.objects.count(), Transition.objects.count())
    assert after == before
    fresh = GridEvent.objects.select_related("category").get(pk=event.pk)
    assert fresh.category.code == event.category.code and fresh.attributes == event.attributes
    return caught.value


@pytest.mark.parametrize("who", ["hq_grid", "hq_agency", "hq_leader", "hq_officer"])
def test_other_roles_may_not_reclassify(people: dict[str, Any], who: str) -> None:
    error = _refused(_resident_report(people), people, who, {"category_code": "0102"})
    assert error.status == 403


def test_an_outsider_dispatcher_does_not_see_the_event(people: dict[str, Any]) -> None:
    outsider_unit = OrgUnit.objects.get(code="320507105201-vc")
    outsider = make_person(
        "wt_dispatcher", unit=outsider_unit, role=Role.DISPATCHER, territory_code="320507105"
    )
    people = {**people, "wt_dispatcher": outsider}
    error = _refused(_resident_report(people), people, "wt_dispatcher", {"category_code": "0102"})
    assert error.status == 404


@pytest.mark.parametrize(
    ("inputs", "code"),
    [
        ({}, "required"),
        ({"category_code": "  "}, "required"),
        ({"category_code": "9999"}, "invalid_category"),
        ({"category_code": "01"}, "invalid_category"),  # a major class
        ({"category_code": "disabled"}, "invalid_category"),
    ],
)
def test_bad_classes_are_refused(people: dict[str, Any], inputs: dict[str, Any], code: str) -> None:
    if inputs.get("category_code") == "disabled":
        Category.objects.filter(kind="event", code="0201").update(active=False)
        inputs = {"category_code": "0201"}
    error = _refused(_resident_report(people), people, "dispatcher", inputs)
    assert (error.code, error.field) == (code, "inputs.category_code")


def test_a_component_class_is_not_an_event_class(people: dict[str, Any]) -> None:
    # 0101 is 私搭乱建 among events and 上水井盖 among components: the event's own kind decides.
    event = act(
        _resident_report(people),
        "reclassify",
        people,
        "dispatcher",
        at(3, 2, 9, 20),
        inputs={"category_code": "0101"},
    )
    assert event.category.kind == "event" and event.category.name == "私搭乱建"


def test_the_same_class_of_a_classified_event_is_refused(people: dict[str, Any]) -> None:
    error = _refused(report(people), people, "dispatcher", {"category_code": "0102"})
    assert (error.code, error.field) == ("unchanged", "inputs.category_code")


def test_not_after_dispatch(people: dict[str, Any]) -> None:
    event = act(report(people), "file", people, "dispatcher", at(3, 2, 9, 10))
    event = act(event, "dispatch", people, "dispatcher", at(3, 2, 9, 15))
    error = _refused(event, people, "dispatcher", {"category_code": "0201"})
    assert error.code == "invalid_transition"


def test_the_generic_door_reclassifies_too(people: dict[str, Any]) -> None:
    event = _resident_report(people)
    client = client_for(people["dispatcher"])
    refused = client.post(
        f"/api/v1/work-items/{event.work_item_id}/transitions/",
        {"action": "reclassify", "inputs": {"category_code": "9999"}},
        format="json",
    )
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "inputs.category_code"
    done = client.post(
        f"/api/v1/work-items/{event.work_item_id}/transitions/",
        {"action": "reclassify", "inputs": {"category_code": "0102"}},
        format="json",
    )
    assert done.status_code == 200, done.content
    event.refresh_from_db()
    assert event.category.code == "0102"
