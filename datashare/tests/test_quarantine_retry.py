"""Retrying quarantined rows (datashare.sync.do_retry_quarantined): after the source is fixed the row is
read again from it, or the steward's corrections apply over the kept row; a row that passes goes through
the run's upsert (idempotent), one refused again waits with the new reason; every retry is audited. The
connector's data steward only: other roles are refused, the outsider finds nothing; bad input refused."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from audit.models import AuditEvent
from core.errors import Conflict, DomainError, NotFound, PermissionRefused
from datashare.models import Connector, QuarantinedRow, SyncedRecord
from datashare.sync import do_retry_quarantined, do_run_connector
from datashare.tests.conftest import NOW, code, row, write_csv
from datashare.tests.test_run_connector_targets import connector, person, write
from registry.models import Entity

pytestmark = pytest.mark.django_db
LATER = NOW + timedelta(hours=1)


def folder(connector: Connector) -> Path:
    return Path(connector.config["directory"])


@pytest.fixture
def kept(drop: Connector, published: None) -> QuarantinedRow:
    """Entity 2's row refused for its industry code (entity 1 applied beside it)."""
    write_csv(
        folder(drop) / "a.csv",
        [row(1, "2026-03-01T00:00:00Z"), row(2, "2026-03-01T01:00:00Z", industry_code="不是代码")],
    )
    run = do_run_connector(drop, now=NOW)
    assert (run.created, run.quarantined) == (1, 1)
    return QuarantinedRow.objects.get(connector=drop)


def after(row: QuarantinedRow) -> dict[str, Any]:
    """What the first retry's audit row says happened."""
    return dict(audits(row)[0].after or {})


def audits(row: QuarantinedRow) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(action="datashare.quarantine_retried", subject_id=str(row.pk)).order_by(
            "pk"
        )
    )


def test_after_the_source_is_fixed_the_row_is_read_again_and_applied(
    drop: Connector, kept: QuarantinedRow, people: dict[str, User]
) -> None:
    # Fixed in place: same cursor (behind the bookmark, so a run would not read it again).
    write_csv(
        folder(drop) / "a.csv",
        [row(1, "2026-03-01T00:00:00Z"), row(2, "2026-03-01T01:00:00Z", industry_code="F5212")],
    )
    retried = do_retry_quarantined(kept, actor=people["hq_steward"], now=LATER)
    assert (retried.status, retried.outcome, retried.retries) == ("resolved", "created", 1)
    assert retried.retried_by == people["hq_steward"] and retried.retried_at == LATER
    entity = Entity.objects.get(uscc=code(2))
    assert entity.industry_code == "F5212"
    assert SyncedRecord.objects.get(connector=drop, key=code(2)).target_id == entity.pk
    (event,) = audits(kept)
    assert event.before == {"code": "invalid_industry", "field": "industry_code"}
    assert event.after == {"status": "resolved", "outcome": "created", "edited": [], "from_source": True}
    assert event.actor == people["hq_steward"]
    drop.refresh_from_db()
    assert drop.bookmark_key == code(2)  # the bookmark did not move
    # Done: a second retry is refused; a run replaying the source changes nothing.
    with pytest.raises(Conflict):
        do_retry_quarantined(retried, actor=people["hq_steward"], now=LATER)
    Connector.objects.filter(pk=drop.pk).update(bookmark_cursor="", bookmark_key="")
    drop.refresh_from_db()
    replay = do_run_connector(drop, now=LATER)
    assert (replay.created, replay.unchanged, replay.quarantined) == (0, 2, 0)


def test_a_row_refused_again_stays_with_the_new_reason(
    drop: Connector, kept: QuarantinedRow, people: dict[str, User]
) -> None:
    write_csv(
        folder(drop) / "a.csv",
        [row(1, "2026-03-01T00:00:00Z"), row(2, "2026-03-01T01:00:00Z", industry_code="F5212", size="巨型")],
    )
    retried = do_retry_quarantined(kept, actor=people["hq_steward"], now=LATER)
    assert (retried.status, retried.code, retried.field, retried.retries) == (
        "waiting",
        "invalid_choice",
        "size",
        1,
    )
    assert retried.payload["size"] == "巨型" and not Entity.objects.filter(uscc=code(2)).exists()
    assert after(kept)["code"] == "invalid_choice"


def test_the_stewards_corrections_apply_over_the_kept_row(
    drop: Connector, kept: QuarantinedRow, people: dict[str, User]
) -> None:
    retried = do_retry_quarantined(
        kept, actor=people["hq_steward"], now=LATER, values={"industry_code": "f5212", "name": "测试单位2"}
    )
    assert (retried.status, retried.outcome) == ("resolved", "created")
    assert Entity.objects.get(uscc=code(2)).industry_code == "F5212"
    assert after(kept)["edited"] == ["industry_code"]  # the name was unchanged


def test_a_row_applied_meanwhile_resolves_without_a_change(
    drop: Connector, kept: QuarantinedRow, people: dict[str, User]
) -> None:
    """The source fixed with a newer cursor: the next run applies it; the kept row is then a no-op."""
    write_csv(folder(drop) / "b.csv", [row(2, "2026-03-02T00:00:00Z", industry_code="F5212")])
    do_run_connector(drop, now=LATER)
    before = Entity.objects.get(uscc=code(2)).history.count()
    retried = do_retry_quarantined(kept, actor=people["hq_steward"], now=LATER, values={})
    assert (retried.status, retried.outcome) == ("resolved", "unchanged")
    assert Entity.objects.get(uscc=code(2)).history.count() == before


def test_who_may_retry(drop: Connector, kept: QuarantinedRow, people: dict[str, User]) -> None:
    for refused in ("hq_grid", "hq_head", "hq_agency", "hq_leader"):
        with pytest.raises(PermissionRefused):
            do_retry_quarantined(kept, actor=people[refused], now=LATER, values={"industry_code": "F5212"})
    for outsider in ("wt_steward", "wt_grid"):
        with pytest.raises(NotFound):
            do_retry_quarantined(kept, actor=people[outsider], now=LATER, values={"industry_code": "F5212"})
    kept.refresh_from_db()
    assert (kept.status, kept.retries) == ("waiting", 0) and not audits(kept)


@pytest.mark.parametrize(
    ("values", "error", "field"),
    [({"no_such_column": "x"}, "unknown_column", "no_such_column")],
)
def test_bad_corrections_are_refused(
    kept: QuarantinedRow, people: dict[str, User], values: dict[str, str], error: str, field: str
) -> None:
    with pytest.raises(DomainError) as refused:
        do_retry_quarantined(kept, actor=people["hq_steward"], now=LATER, values=values)
    assert (refused.value.code, refused.value.field) == (error, field)
    kept.refresh_from_db()
    assert kept.retries == 0


def test_an_unreadable_source_changes_nothing(
    drop: Connector, kept: QuarantinedRow, people: dict[str, User]
) -> None:
    (folder(drop) / "c.xlsx").write_bytes(b"not a workbook")
    with pytest.raises(DomainError) as refused:
        do_retry_quarantined(kept, actor=people["hq_steward"], now=LATER)
    assert refused.value.code == "source_unreadable"
    kept.refresh_from_db()
    assert (kept.status, kept.retries) == ("waiting", 0)


# ------------------------------------------------------------------------------------------ personal rows


def test_a_personal_row_is_retried_from_the_source_never_edited(
    tmp_path: Path, residents: list[Any], people: dict[str, User]
) -> None:
    feed = connector(tmp_path, Connector.Target.PERSON, "id_number")
    write(tmp_path / "a.csv", [person(11, "2026-03-01T00:00:00Z", phone="call me")])
    do_run_connector(feed, now=NOW)
    kept = QuarantinedRow.objects.get(connector=feed)
    assert kept.payload_sealed and "call me" not in str(kept.payload)
    with pytest.raises(DomainError) as refused:
        do_retry_quarantined(kept, actor=people["hq_steward"], now=LATER, values={"phone": "13900001111"})
    assert (refused.value.code, refused.value.field) == ("personal_row", "values")
    write(tmp_path / "a.csv", [person(11, "2026-03-01T00:00:00Z", phone="13900001111")])
    retried = do_retry_quarantined(kept, actor=people["hq_steward"], now=LATER)
    assert (retried.status, retried.outcome) == ("resolved", "created")
    assert "13900001111" not in str(after(kept))


# ------------------------------------------------------------------------------------- the page and the API


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_stewards_page_lists_the_reasons_and_retries(
    drop: Connector, kept: QuarantinedRow, people: dict[str, User]
) -> None:
    steward = client_for(people["hq_steward"])
    page = steward.get(f"/datashare/sources/{drop.pk}/").content.decode()
    assert f'id="quarantined-{kept.pk}"' in page and kept.reason in page and "修改后重试" in page
    url = f"/datashare/sources/{drop.pk}/quarantine/{kept.pk}/retry/"
    again = steward.post(
        url, {"mode": "edit", "value__industry_code": "F5212", "value__size": "巨型"}, follow=True
    )
    assert "仍未通过" in again.content.decode() and 'data-field-error="size"' in again.content.decode()
    done = steward.post(
        url, {"mode": "edit", "value__industry_code": "F5212", "value__size": "小型"}, follow=True
    )
    assert "已导入" in done.content.decode() and 'data-resolved="created"' in done.content.decode()
    assert QuarantinedRow.objects.get(pk=kept.pk).retries == 2


def test_the_page_reads_in_english(drop: Connector, kept: QuarantinedRow, people: dict[str, User]) -> None:
    steward = client_for(people["hq_steward"])
    steward.cookies["django_language"] = "en"
    page = steward.get(f"/datashare/sources/{drop.pk}/").content.decode()
    assert "Retry from the source" in page and "Correct and retry" in page and "Retries" in page
    assert "按源数据重试" not in page and "修改后重试" not in page


def test_the_page_refuses_other_roles_and_the_outsider(
    drop: Connector, kept: QuarantinedRow, people: dict[str, User]
) -> None:
    url = f"/datashare/sources/{drop.pk}/quarantine/{kept.pk}/retry/"
    viewer = client_for(people["hq_agency"])
    assert "修改后重试" not in viewer.get(f"/datashare/sources/{drop.pk}/").content.decode()
    assert viewer.post(url, {"mode": "source"}).status_code == 403
    assert client_for(people["wt_steward"]).post(url, {"mode": "source"}).status_code == 404
    other = f"/datashare/sources/{drop.pk}/quarantine/999999/retry/"
    assert client_for(people["hq_steward"]).post(other, {"mode": "source"}).status_code == 404
    assert QuarantinedRow.objects.get(pk=kept.pk).retries == 0


def test_the_api_lists_and_retries(drop: Connector, kept: QuarantinedRow, people: dict[str, User]) -> None:
    steward = client_for(people["hq_steward"])
    base = f"/api/v1/datashare/connectors/{drop.pk}/quarantine/"
    listed = steward.get(base).json()
    assert [(r["id"], r["code"], r["field"], r["personal"]) for r in listed] == [
        (kept.pk, "invalid_industry", "industry_code", False)
    ]
    bad = steward.post(f"{base}{kept.pk}/retry/", {"values": {"nope": "x"}}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "nope"
    assert steward.get(base, {"status": "lost"}).status_code == 400
    answer = steward.post(
        f"{base}{kept.pk}/retry/", {"values": {"industry_code": "F5212"}}, content_type="application/json"
    )
    assert answer.status_code == 200 and answer.json()["status"] == "resolved"
    (source,) = [
        a for a in steward.get("/api/v1/datashare/catalogue/").json() if a["connector_id"] == drop.pk
    ]
    assert source["quarantined"] == 0  # the catalogue counts the rows still waiting
    assert steward.get(base).json() == [] and len(steward.get(base, {"status": "resolved"}).json()) == 1
    again = steward.post(f"{base}{kept.pk}/retry/", {}, content_type="application/json")
    assert again.status_code == 409 and again.json()["errors"][0]["code"] == "already_resolved"


def test_the_api_refuses_other_roles_and_the_outsider(
    drop: Connector, kept: QuarantinedRow, people: dict[str, User]
) -> None:
    base = f"/api/v1/datashare/connectors/{drop.pk}/quarantine/"
    grid = client_for(people["hq_grid"])
    assert grid.get(base).status_code == 403
    assert grid.post(f"{base}{kept.pk}/retry/", {}, content_type="application/json").status_code == 403
    outsider = client_for(people["wt_steward"])
    assert outsider.get(base).status_code == 404
    assert outsider.post(f"{base}{kept.pk}/retry/", {}, content_type="application/json").status_code == 404
    assert QuarantinedRow.objects.get(pk=kept.pk).retries == 0
