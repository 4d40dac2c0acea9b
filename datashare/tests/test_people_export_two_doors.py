"""people_export through both doors (tests/two_doors.py): every action walked on two bulk export requests
in lockstep — `do_review_people_export` (the exports page and API) and the generic work-item endpoint —
with the same state, the same decision (who, when, until when the download lives), the same file to
download (its columns, its rows, personal fields masked or in clear as requested, the watermark naming
the requester and the request on every row), audit rows and notifications. The requester deciding their
own request, the roles that may not decide and the outsider are refused alike at both doors (status,
code, field and message)."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from typing import Any

import pytest
from openpyxl import load_workbook

from accounts.models import User
from datashare import people_exports
from datashare.models import PeopleExport
from datashare.tests.conftest import HQ, NOW, idn
from registry.models import Person
from tests.two_doors import Move, Refusal, Streams, act_without_subject, refused_alike, uncovered
from workflow.models import WorkItem

pytestmark = pytest.mark.django_db

PROCESS = "people_export"
FIELDS = ["name", "id_number", "phone", "kind", "household"]


def _maker(requester: User) -> Any:
    def make(now: datetime) -> PeopleExport:
        return people_exports.do_request_people_export(
            territory_code=HQ,
            fields=FIELDS,
            unmasked=["phone"],
            purpose="防汛转移名单核对",
            actor=requester,
            now=now,
        )

    return make


def _door(export: PeopleExport, move: Move, actor: User, now: datetime) -> None:
    people_exports.do_review_people_export(export, move.action, actor=actor, now=now, reason=move.reason)


def _item(export: PeopleExport) -> WorkItem:
    return WorkItem.objects.get(pk=export.work_item_id)


def _file(export: PeopleExport) -> dict[str, Any] | None:
    """The XLSX the requester would download an hour after the decision (read, not downloaded: a download
    writes its own audit row): columns, rows, and whether every row carries this request's watermark."""
    if export.decided_at is None or not export.live(export.decided_at + timedelta(hours=1)):
        return None
    at = export.decided_at + timedelta(hours=1)
    content, count = people_exports.workbook_bytes(export, at)
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    rows = [[cell.value for cell in line] for line in sheet.iter_rows()]
    mark = people_exports.watermark(export, at)
    return {
        "header": rows[0],
        "rows": [line[:-1] for line in rows[1:]],
        "count": count,
        "watermarked": all(line[-1] == mark for line in rows[1:])
        and sheet.oddHeader.center.text == mark
        and f"#{export.pk}" in mark
        and export.requested_by.username in mark,
    }


def _records(export: PeopleExport) -> dict[str, Any]:
    export.refresh_from_db()
    return {
        "status": export.status,
        "decided_by": export.decided_by_id,
        "decided_at": export.decided_at,
        "expires_at": export.expires_at,
        "downloadable_until": (export.expires_at - export.decided_at)
        if export.expires_at and export.decided_at
        else None,
        "expired_at_the_end": export.expires_at is None or not export.live(export.expires_at),
        "file": _file(export),
    }


@pytest.fixture
def streams(people: dict[str, User], residents: list[Person]) -> Streams:
    return Streams(
        process=PROCESS,
        people=people,
        make=_maker(people["hq_officer"]),
        stream_door=_door,
        item_of=_item,
        records=_records,
    )


ROUTES: dict[str, list[Move]] = {
    "approved_by_the_steward": [Move("approve", "hq_steward")],
    "approved_by_the_leader": [Move("approve", "hq_leader")],
    "rejected": [Move("reject", "hq_steward", reason="用途不需要证件号码")],
}


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_every_step_is_the_same_through_both_doors(streams: Streams, route: str) -> None:
    assert streams.walk(ROUTES[route], NOW) == [m.action for m in ROUTES[route]]


def test_the_routes_take_every_action(streams: Streams) -> None:
    assert uncovered(list(ROUTES.values()), streams.actions(NOW)) == set()


def test_the_file_both_doors_approved(streams: Streams) -> None:
    """What the walk compared, once in full: 黄桥's two people, names and ID numbers masked, the phone in
    clear as requested, valid for PEOPLE_EXPORT_HOURS from the decision."""
    streams.walk(ROUTES["approved_by_the_steward"], NOW)
    for export in PeopleExport.objects.all():
        records = _records(export)
        assert records["downloadable_until"] == timedelta(hours=people_exports.valid_hours())
        assert records["file"] is not None
        assert records["file"]["header"] == ["姓名", "证件号码", "联系电话", "人口类别", "户号", "水印"]
        first, second = records["file"]["rows"]
        assert first[0] == "王**" and first[1] != idn(1) and first[2] == "13912345678"
        assert second[0] == "李**" and records["file"]["watermarked"]


def _refused(export: PeopleExport, move: Move, actor: User) -> Refusal:
    return refused_alike(lambda: _door(export, move, actor, NOW), _item(export), move, actor, NOW)


@pytest.mark.parametrize(
    ("requester", "who", "status"),
    [
        ("hq_steward", "hq_steward", 403),  # a steward's own request: a superior decides, never the asker
        ("hq_officer", "hq_agency", 403),
        ("hq_officer", "hq_grid", 404),  # a grid worker does not see the town's scope
        ("hq_officer", "wt_steward", 404),
    ],
)
def test_who_may_not_decide_is_refused_at_either_door(
    people: dict[str, User], residents: list[Person], requester: str, who: str, status: int
) -> None:
    """Refused with the same status, code, field and message at the exports door and the generic one."""
    export = _maker(people[requester])(NOW)
    refusal = _refused(export, Move("approve", who), people[who])
    assert (refusal.status, refusal.code) == (status, "not_allowed" if status == 403 else "not_found")
    export.refresh_from_db()
    assert export.status == "requested" and export.decided_by_id is None


def test_a_reject_without_a_reason_is_refused_at_either_door(
    people: dict[str, User], residents: list[Person]
) -> None:
    export = _maker(people["hq_officer"])(NOW)
    refusal = _refused(export, Move("reject", "hq_steward"), people["hq_steward"])
    assert (refusal.status, refusal.code, refusal.field) == (400, "required", "reason")
    export.refresh_from_db()
    assert export.status == "requested"


def test_an_item_without_its_request_is_refused(people: dict[str, User], published: None) -> None:
    answer = act_without_subject(
        PROCESS,
        "approve",
        starter=people["hq_officer"],
        actor=people["hq_steward"],
        territory_code=HQ,
        now=NOW,
    )
    assert answer.status_code == 409 and answer.json()["errors"][0]["code"] == "no_subject"
