"""grid_event through both doors (tests/two_doors.py): every action of the definition, walked on two events
in lockstep — `do_event_action` (the grid's API and pages) and the generic work-item endpoint — with the
same state, routing decisions, photos, level, closure level, duplicate link, audit rows and notifications.
And the rules that used to hold only at the grid's door, refused at the generic one too."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

import pytest
from django.core.files.base import ContentFile
from rest_framework.test import APIClient

from grid.events.steps import do_event_action
from grid.models import AttachmentStage, CategoryStandard, EventAttachment, GridEvent, RoutingDecision
from grid.tests import test_event_support as support
from grid.tests.test_event_support import JPEG, at, report
from tests.two_doors import Move, Streams, present, refused_alike, uncovered
from workflow.models import WorkItem

pytestmark = pytest.mark.django_db
media, people = support.media, support.people  # fixtures

PHOTO = "<this event's handling photo>"
DISTRICT = "320507-command"


def _make(people: dict[str, Any]) -> Any:
    def make(now: datetime) -> GridEvent:
        event = report(people, now=now)
        # A handling photo uploaded earlier (both doors reference it by id: the generic door cannot upload).
        attachment = EventAttachment(
            event=event,
            stage=AttachmentStage.FEEDBACK,
            content_type="image/jpeg",
            size=len(JPEG),
            uploaded_at=now,
        )
        attachment.file.save(f"{event.receipt_number}-h.jpg", ContentFile(JPEG), save=False)
        attachment.save()
        return event

    return make


def _resolve(event: GridEvent, move: Move) -> Move:
    if move.inputs.get("attachments") == PHOTO:
        photo = event.attachments.get(stage=AttachmentStage.FEEDBACK)
        return replace(move, inputs={**move.inputs, "attachments": [str(photo.pk)]})
    return move


def _records(event: GridEvent) -> dict[str, Any]:
    event.refresh_from_db()
    return {
        "level": event.level,
        "closure_level": event.closure_level,
        "duplicate_of": event.duplicate_of_id,
        "routing_decisions": list(
            RoutingDecision.objects.filter(subject_id=str(event.pk))
            .order_by("id")
            .values_list("chosen_unit_id", flat=True)
        ),
        "photos": sorted(event.attachments.values_list("stage", flat=True)),
        "rating": event.rating,
        "category": event.category.code,
        "standard": event.standard_id is not None,
        "title": event.title,
        "limits": _item(event).limit_overrides,
        "priority": _item(event).priority,
    }


def _stream_door(event: GridEvent, move: Move, actor: Any, now: datetime) -> None:
    do_event_action(event, move.action, actor=actor, now=now, reason=move.reason, inputs=dict(move.inputs))


def _item(event: GridEvent) -> WorkItem:
    event.refresh_from_db()
    assert event.work_item is not None
    return event.work_item


@pytest.fixture
def streams(people: dict[str, Any]) -> Streams:
    return Streams(
        process="grid_event",
        people=people,
        make=_make(people),
        stream_door=_stream_door,
        item_of=_item,
        records=_records,
        resolve=_resolve,
    )


FILE = Move("file", "dispatcher")
DISPATCH = Move("dispatch", "dispatcher")
SIGN = Move("sign", "hq_agency")
FEEDBACK = Move("feedback", "hq_agency", inputs={"result": "已清运", "attachments": PHOTO})
ROUTES: dict[str, list[Move]] = {
    "loop": [
        FILE,
        DISPATCH,
        Move("send_back", "hq_agency", reason="非本单位职责"),
        DISPATCH,
        Move("supervise_sign", "dispatcher"),
        SIGN,
        Move("request_extension", "hq_agency", reason="需协调物业"),
        Move("approve_extension", "dispatcher"),
        Move("request_extension", "hq_agency", reason="仍需协调"),
        Move("reject_extension", "dispatcher", reason="不予延期"),
        Move("park", "dispatcher", reason="待汛期后处理"),
        Move("unpark", "dispatcher"),
        Move("supervise", "dispatcher"),
        FEEDBACK,
        Move("verify_fail", "dispatcher", reason="仍有残留"),
        FEEDBACK,
        Move("verify_pass", "dispatcher"),
    ],
    "self_resolve": [Move("self_resolve", "hq_grid", inputs={"result": "已清理", "attachments": PHOTO})],
    "void": [Move("void", "dispatcher", reason="误报")],
    "reclassify": [
        Move("reclassify", "dispatcher", inputs={"category_code": "0201"}),
        Move("reclassify", "dispatcher", reason="实为积存垃圾", inputs={"category_code": "0103"}),
        DISPATCH,
    ],
    "whistle": [
        FILE,
        DISPATCH,
        SIGN,
        Move(
            "whistle",
            "hq_agency",
            reason="超出街道权限",
            inputs={"trigger": "beyond_powers", "assigned_unit": DISTRICT},
        ),
    ],
    "enforcement_closed": [Move("to_enforcement", "system"), Move("enforcement_closed", "system")],
    "enforcement_returned": [
        FILE,
        Move("to_enforcement", "system"),
        Move("enforcement_returned", "system", reason="不予立案"),
    ],
}


# Its input (the original's receipt number) is made per test.
DUPLICATE = [Move("mark_duplicate", "dispatcher")]


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_every_step_is_the_same_through_both_doors(streams: Streams, route: str) -> None:
    assert streams.walk(ROUTES[route], at(3, 2, 9)) == [m.action for m in ROUTES[route]]


def test_duplicate_through_both_doors(streams: Streams, people: dict[str, Any]) -> None:
    original = report(people, now=at(3, 2, 8))
    route = [replace(m, inputs={"original": original.receipt_number}) for m in DUPLICATE]
    assert streams.walk(route, at(3, 2, 9)) == ["mark_duplicate"]
    assert GridEvent.objects.filter(duplicate_of=original).count() == 2


def test_the_routes_take_every_action(streams: Streams) -> None:
    routes = [*ROUTES.values(), DUPLICATE]
    assert uncovered(routes, streams.actions(at(3, 2, 9))) == set()


# ---------------------------------------------------------------------------------------------- rules


def _generic(people: dict[str, Any], event: GridEvent, action: str, **body: Any) -> Any:
    client = APIClient()
    client.force_authenticate(people[body.pop("who", "dispatcher")])
    assert event.work_item_id is not None
    return client.post(
        f"/api/v1/work-items/{event.work_item_id}/transitions/", {"action": action, **body}, format="json"
    )


def _codes(response: Any) -> list[tuple[str, str | None]]:
    return [(e["code"], e["field"]) for e in response.json()["errors"]]


def test_generic_door_files_with_a_routing_record(people: dict[str, Any]) -> None:
    event = report(people, now=at(3, 2, 9))
    assert _generic(people, event, "file").status_code == 200
    assert RoutingDecision.objects.filter(subject_id=str(event.pk)).count() == 1


@pytest.mark.parametrize("given", [["no-such-photo"], ["999999"]])
def test_feedback_attachments_must_be_this_events_photos(people: dict[str, Any], given: list[str]) -> None:
    event = report(people, now=at(3, 2, 9))
    for action, who in (("file", "dispatcher"), ("dispatch", "dispatcher"), ("sign", "hq_agency")):
        assert _generic(people, event, action, who=who).status_code == 200
    refused = _generic(
        people, event, "feedback", who="hq_agency", inputs={"result": "已清运", "attachments": given}
    )
    assert refused.status_code == 400 and _codes(refused) == [("invalid", "inputs.attachments")]
    # Another event's photo does not count either.
    other = report(people, now=at(3, 2, 9, 5), photos=[support.photo()])
    photo = other.attachments.get()
    refused = _generic(
        people,
        event,
        "feedback",
        who="hq_agency",
        inputs={"result": "已清运", "attachments": [str(photo.pk)]},
    )
    assert refused.status_code == 400 and _codes(refused) == [("invalid", "inputs.attachments")]
    assert _item_state(event) == "handling"


def _item_state(event: GridEvent) -> str:
    assert event.work_item_id is not None
    return WorkItem.objects.get(pk=event.work_item_id).state


def test_closing_needs_a_handling_photo_where_the_standard_says_so(people: dict[str, Any]) -> None:
    """A report photo is not a handling photo: closing is refused alike at both doors (422
    photos_required, the same field and message) when the standard row asks for one, and allowed when
    the row does not."""
    event = report(people, now=at(3, 2, 9), photos=[support.photo()])
    report_photo = str(event.attachments.get().pk)
    inputs = {"result": "已清理", "attachments": [report_photo]}
    move = Move("self_resolve", "hq_grid", inputs=inputs)
    refusal = refused_alike(
        lambda: do_event_action(
            event, "self_resolve", actor=people["hq_grid"], now=at(3, 2, 10), inputs=inputs
        ),
        _item(event),
        move,
        people["hq_grid"],
        at(3, 2, 10),
    )
    assert (refusal.status, refusal.code, refusal.field) == (422, "photos_required", "inputs.attachments")
    assert _item_state(event) == "reported"
    assert event.standard is not None
    CategoryStandard.objects.filter(pk=event.standard.pk).update(closing_photo_required=False)
    do_event_action(event, "self_resolve", actor=people["hq_grid"], now=at(3, 2, 10), inputs=inputs)
    other = report(people, now=at(3, 2, 9), photos=[support.photo()])
    other_inputs = {"result": "已清理", "attachments": [str(other.attachments.get().pk)]}
    assert _generic(people, other, "self_resolve", who="hq_grid", inputs=other_inputs).status_code == 200
    for closed in (event, other):
        closed.refresh_from_db()
        assert _item_state(closed) == "closed" and closed.closure_level == "grid"
        assert present(closed.closure_level)


def test_an_item_without_its_event_is_refused(people: dict[str, Any]) -> None:
    """A grid_event work item started through the generic door has no event: no step runs without it."""
    from workflow.engine import transition
    from workflow.start import do_start_item

    item = do_start_item(
        "grid_event",
        actor=people["dispatcher"],
        now=at(3, 2, 9),
        title="无事件",
        territory_code=support.HQ_GRID,
    )
    with pytest.raises(Exception) as caught:
        transition(item, "file", actor=people["dispatcher"], now=at(3, 2, 10))
    assert getattr(caught.value, "code", None) == "no_subject"
