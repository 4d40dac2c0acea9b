"""Bulk export of people: a staff member requests (territory, fields, purpose), a data steward or leader of
that territory approves on the engine (never the requester; through the stream's door or the generic
work-item door, the same handler), the requester downloads an XLSX watermarked with requester, time and
request id, personal fields masked unless the request named them; the download expires. Audited on
request, decision and each download. Refused roles, the outsider, the expired link, bad input."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from openpyxl import load_workbook
from rest_framework.test import APIClient

from accounts.models import User
from audit.models import AuditEvent
from datashare import people_exports
from datashare.models import PeopleExport
from datashare.tests.conftest import HQ, NOW, idn
from registry.models import Person

pytestmark = pytest.mark.django_db
HOUR = timedelta(hours=1)
FIELDS = ["name", "id_number", "phone", "kind", "household"]


def api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def ask(user: User, **extra: Any) -> Any:
    body = {"territory_code": HQ, "fields": FIELDS, "unmasked": ["phone"], "purpose": "防汛转移名单核对"}
    with time_machine.travel(NOW, tick=False):
        return api(user).post("/api/v1/datashare/people-exports/", {**body, **extra}, format="json")


def review(user: User, export_id: int, action: str = "approve", **extra: Any) -> Any:
    with time_machine.travel(NOW + HOUR, tick=False):
        return api(user).post(
            f"/api/v1/datashare/people-exports/{export_id}/review/",
            {"action": action, **extra},
            format="json",
        )


def download(user: User, export_id: int, at: Any) -> Any:
    with time_machine.travel(at, tick=False):
        return api(user).get(f"/api/v1/datashare/people-exports/{export_id}/export.xlsx")


def test_requested_approved_downloaded_watermarked_and_masked(
    people: dict[str, User], residents: list[Person]
) -> None:
    officer, steward = people["hq_officer"], people["hq_steward"]
    asked = ask(officer)
    assert asked.status_code == 201, asked.content
    export_id = asked.json()["id"]
    assert asked.json()["status"] == "requested" and asked.json()["expires_at"] is None
    approved = review(steward, export_id)
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "approved"
    export = PeopleExport.objects.get(pk=export_id)
    assert export.expires_at == NOW + HOUR + timedelta(hours=people_exports.valid_hours())
    assert export.decided_by == steward

    answer = download(officer, export_id, NOW + 2 * HOUR)
    assert answer.status_code == 200
    assert answer["Content-Type"] == people_exports.XLSX and answer["Cache-Control"] == "no-store"
    book = load_workbook(io.BytesIO(answer.content))
    sheet = book.active
    assert sheet is not None
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert rows[0] == ["姓名", "证件号码", "联系电话", "人口类别", "户号", "水印"]
    assert len(rows) == 3  # the two people of 黄桥, not 渭塘's
    first = rows[1]
    assert first[0] == "王**" and first[1] != idn(1) and first[1].startswith(idn(1)[:6])
    assert first[1].endswith(idn(1)[-4:]) and first[2] == "13912345678"  # phone named in clear
    assert first[3] == "户籍人口" and first[4] == "HQ-E1"
    assert rows[2][0] == "李**" and rows[2][2] in ("", None)
    mark = people_exports.watermark(export, NOW + 2 * HOUR)
    assert f"#{export_id}" in mark and "hq_officer" in mark and "2026-03-02 04:00" in mark
    assert all(row[-1] == mark for row in rows[1:])
    assert sheet.oddHeader.center.text == mark and sheet.oddFooter.center.text == mark
    assert book.properties.description == mark and book.properties.creator == "hq_officer"

    download(officer, export_id, NOW + 3 * HOUR)
    audit = AuditEvent.objects.filter(subject_type="datashare.peopleexport", subject_id=str(export_id))
    assert list(audit.order_by("id").values_list("action", "actor__username")) == [
        ("datashare.people_export_requested", "hq_officer"),
        ("datashare.people_export_approved", "hq_steward"),
        ("datashare.people_exported", "hq_officer"),
        ("datashare.people_exported", "hq_officer"),
    ]
    exported = audit.filter(action="datashare.people_exported").first()
    assert exported is not None and exported.after is not None and exported.after["rows"] == 2
    assert idn(1) not in str(list(audit.values_list("after", flat=True)))


def test_the_generic_work_item_door_runs_the_same_rules(
    people: dict[str, User], residents: list[Person]
) -> None:
    export = PeopleExport.objects.get(pk=ask(people["hq_officer"]).json()["id"])
    with time_machine.travel(NOW + HOUR, tick=False):
        answer = api(people["hq_leader"]).post(
            f"/api/v1/work-items/{export.work_item_id}/transitions/", {"action": "approve"}, format="json"
        )
    assert answer.status_code == 200, answer.content
    export.refresh_from_db()
    assert export.status == "approved" and export.expires_at is not None
    assert AuditEvent.objects.filter(action="datashare.people_export_approved").count() == 1


def test_nobody_approves_their_own_request_through_any_door(
    people: dict[str, User], residents: list[Person]
) -> None:
    steward = people["hq_steward"]
    export = PeopleExport.objects.get(pk=ask(steward, unmasked=["name", "phone"]).json()["id"])
    refused = review(steward, export.pk)
    assert refused.status_code == 403 and refused.json()["errors"][0]["code"] == "not_allowed"
    with time_machine.travel(NOW + HOUR, tick=False):
        generic = api(steward).post(
            f"/api/v1/work-items/{export.work_item_id}/transitions/", {"action": "approve"}, format="json"
        )
    assert generic.status_code == 403
    export.refresh_from_db()
    assert export.status == "requested" and export.expires_at is None
    assert review(people["hq_leader"], export.pk).status_code == 200


@pytest.mark.parametrize("who", ["hq_agency", "hq_officer", "hq_grid"])
def test_roles_that_may_not_approve_are_refused(
    people: dict[str, User], residents: list[Person], who: str
) -> None:
    export_id = ask(people["hq_leader"]).json()["id"]
    refused = review(people[who], export_id)
    assert refused.status_code in (403, 404)
    assert PeopleExport.objects.get(pk=export_id).status == "requested"


def test_rejected_or_pending_exports_do_not_download(
    people: dict[str, User], residents: list[Person]
) -> None:
    officer = people["hq_officer"]
    export_id = ask(officer).json()["id"]
    pending = download(officer, export_id, NOW + HOUR)
    assert pending.status_code == 403 and pending.json()["errors"][0]["code"] == "not_allowed"
    assert review(people["hq_steward"], export_id, "reject").status_code == 400  # a reason is required
    assert review(people["hq_steward"], export_id, "reject", reason="用途不明确").status_code == 200
    assert download(officer, export_id, NOW + 2 * HOUR).status_code == 403
    assert not AuditEvent.objects.filter(action="datashare.people_exported").exists()


def test_the_link_expires(people: dict[str, User], residents: list[Person]) -> None:
    officer = people["hq_officer"]
    export_id = ask(officer).json()["id"]
    review(people["hq_steward"], export_id)
    expires_at = PeopleExport.objects.get(pk=export_id).expires_at
    assert expires_at is not None
    assert download(officer, export_id, expires_at - timedelta(seconds=1)).status_code == 200
    expired = download(officer, export_id, expires_at)
    assert expired.status_code == 410 and expired.json()["errors"][0]["code"] == "expired"
    assert AuditEvent.objects.filter(action="datashare.people_exported").count() == 1


def test_the_outsider_and_other_staff_see_nothing(people: dict[str, User], residents: list[Person]) -> None:
    outsider = people["wt_steward"]
    asked = ask(outsider)  # 黄桥 is not in 渭塘's jurisdiction
    assert asked.status_code == 404
    export_id = ask(people["hq_officer"]).json()["id"]
    assert review(outsider, export_id).status_code == 404
    review(people["hq_steward"], export_id)
    for who in ("wt_steward", "wt_grid", "hq_steward", "hq_agency"):  # only the requester downloads
        assert download(people[who], export_id, NOW + 2 * HOUR).status_code == 404
    assert not AuditEvent.objects.filter(action="datashare.people_exported").exists()


@pytest.mark.parametrize(
    ("change", "field", "status"),
    [
        ({"fields": ["name", "salary"]}, "fields", 400),
        ({"fields": []}, "fields", 400),
        ({"unmasked": ["id_number"], "fields": ["name"]}, "unmasked", 400),
        ({"unmasked": ["kind"]}, "unmasked", 400),
        ({"purpose": "  "}, "purpose", 400),
        ({"territory_code": "320507999"}, "territory_code", 400),
    ],
)
def test_bad_requests_write_nothing(
    people: dict[str, User], residents: list[Person], change: dict[str, Any], field: str, status: int
) -> None:
    answer = ask(people["hq_officer"], **change)
    assert answer.status_code == status, answer.content
    assert answer.json()["errors"][0]["field"] == field
    assert not PeopleExport.objects.exists()
    assert not AuditEvent.objects.filter(action="datashare.people_export_requested").exists()


def test_clear_fields_beyond_the_requesters_level_are_refused(
    people: dict[str, User], residents: list[Person]
) -> None:
    refused = ask(people["hq_agency"], unmasked=["name"])  # agency staff hold the internal level only
    assert refused.status_code == 403 and refused.json()["errors"][0]["field"] == "unmasked"
    assert ask(people["hq_agency"], unmasked=[]).status_code == 201  # masked is theirs to ask for
