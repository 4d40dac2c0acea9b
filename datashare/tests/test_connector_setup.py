"""Setting up a connector from the staff pages (datashare.connectors, datashare.views_connectors):
create and edit with per-field errors, secrets sealed and never shown back (a password in a DSN moved
out of it), run now queued with the steward as actor; the data steward only, the outsider finds
nothing; bad input on every field that has a rule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from accounts.models import OrgUnit, User
from audit.models import AuditEvent
from datashare.models import Connector, ConnectorRun
from datashare.tests.conftest import HQ, row, write_csv
from registry import crypto

pytestmark = pytest.mark.django_db
SECRET = "s3cret-Pa55"


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form(**extra: Any) -> dict[str, Any]:
    base = {
        "name": "黄桥水务监测",
        "category": "water",
        "owner_unit": OrgUnit.objects.get(code="320507003-gov").pk,
        "territory_code": HQ,
        "target": "entity",
        "key_field": "uscc",
        "cursor_field": "updated_at",
        "frequency_minutes": "30",
        "enabled": "on",
        "adapter": "sql",
        "dsn": f"postgres://reader:{SECRET}@db.example:5432/water",
        "table": "public.companies",
    }
    return {**base, **extra}


def test_the_steward_creates_a_sql_source_whose_password_is_sealed_and_never_shown(
    people: dict[str, User],
) -> None:
    steward = client_for(people["hq_steward"])
    assert steward.get("/datashare/sources/new/").status_code == 200
    answer = steward.post("/datashare/sources/new/", form())
    assert answer.status_code == 303
    connector = Connector.objects.get(name="黄桥水务监测")
    assert connector.config == {"dsn": "postgres://reader@db.example:5432/water", "table": "public.companies"}
    assert crypto.unseal(connector, "secret_sealed") == SECRET and SECRET not in connector.secret_sealed
    assert (connector.frequency_minutes, connector.target, connector.enabled) == (30, "entity", True)
    for url in (f"/datashare/sources/{connector.pk}/", f"/datashare/sources/{connector.pk}/edit/"):
        page = steward.get(url).content.decode()
        assert SECRET not in page and "reader@db.example" in page
    event = AuditEvent.objects.get(action="datashare.connector_saved", subject_id=str(connector.pk))
    assert SECRET not in str(event.after) and (event.after or {})["secret_set"] is True


def test_editing_keeps_the_secret_unless_a_new_one_is_given_or_it_is_cleared(people: dict[str, User]) -> None:
    steward = client_for(people["hq_steward"])
    steward.post("/datashare/sources/new/", form(dsn="postgres://reader@db.example/water", secret=SECRET))
    connector = Connector.objects.get()
    edit = f"/datashare/sources/{connector.pk}/edit/"
    assert (
        steward.post(edit, form(dsn="postgres://reader@db.example/water", frequency_minutes="15")).status_code
        == 303
    )
    connector.refresh_from_db()
    assert connector.frequency_minutes == 15 and crypto.unseal(connector, "secret_sealed") == SECRET
    steward.post(edit, form(dsn="postgres://reader@db.example/water", secret="new-token"))
    connector.refresh_from_db()
    assert crypto.unseal(connector, "secret_sealed") == "new-token"
    steward.post(edit, form(dsn="postgres://reader@db.example/water", clear_secret="on"))
    connector.refresh_from_db()
    assert connector.secret_sealed == ""
    # A bad value re-renders the form: the secret typed is not filled back either.
    bad = steward.post(
        edit, form(dsn="postgres://reader@db.example/water", secret="typed-secret", table="a;b")
    )
    assert bad.status_code == 400 and "typed-secret" not in bad.content.decode()


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"name": "  "}, "name"),
        ({"key_field": "uscc; drop"}, "key_field"),
        ({"cursor_field": "1st"}, "cursor_field"),
        ({"territory_code": "999999999"}, "territory_code"),
        ({"territory_code": "320507105"}, "territory_code"),  # 渭塘: not the steward's
        ({"frequency_minutes": "1"}, "frequency_minutes"),
        ({"adapter": "sql", "dsn": "mysql://x@h/db"}, "dsn"),
        ({"adapter": "sql", "table": "a;b"}, "table"),
        ({"adapter": "http", "url": "ftp://feed.example/x"}, "url"),
        ({"adapter": "http", "url": "https://u:p@feed.example/x"}, "url"),
        ({"adapter": "file", "directory": "relative/dir"}, "directory"),
        ({"target": "planet"}, "target"),
    ],
)
def test_bad_input_is_shown_beside_its_field(
    people: dict[str, User], extra: dict[str, str], field: str
) -> None:
    answer = client_for(people["hq_steward"]).post("/datashare/sources/new/", form(**extra))
    assert answer.status_code == 400
    assert f'data-field-error="{field}"' in answer.content.decode()
    assert not Connector.objects.exists()


def test_a_name_taken_and_a_target_changed_after_records_are_refused(
    people: dict[str, User], drop: Connector, django_capture_on_commit_callbacks: Any
) -> None:
    steward = client_for(people["hq_steward"])
    taken = steward.post("/datashare/sources/new/", form(name=drop.name))
    assert 'data-field-error="name"' in taken.content.decode()
    write_csv(Path(drop.config["directory"]) / "a.csv", [row(1, "2026-03-01T00:00:00Z")])
    with django_capture_on_commit_callbacks(execute=True):
        steward.post(f"/datashare/sources/{drop.pk}/run/")
    edit = form(name=drop.name, adapter="file", directory=drop.config["directory"], target="key_place")
    answer = steward.post(f"/datashare/sources/{drop.pk}/edit/", edit)
    assert answer.status_code == 400 and 'data-field-error="target"' in answer.content.decode()
    assert Connector.objects.get(pk=drop.pk).target == "entity"


def test_run_now_is_queued_and_runs_as_the_steward(
    people: dict[str, User], drop: Connector, django_capture_on_commit_callbacks: Any
) -> None:
    write_csv(Path(drop.config["directory"]) / "a.csv", [row(1, "2026-03-01T00:00:00Z")])
    with django_capture_on_commit_callbacks(execute=False) as queued:
        answer = client_for(people["hq_steward"]).post(f"/datashare/sources/{drop.pk}/run/", follow=True)
    assert "已安排立即同步" in answer.content.decode()
    assert len(queued) == 1 and not ConnectorRun.objects.exists()  # queued after the commit, not run inline
    queued[0]()  # the commit: the task is queued (the test settings run huey tasks at once)
    run = ConnectorRun.objects.get(connector=drop)
    assert (run.status, run.created) == ("succeeded", 1)
    assert AuditEvent.objects.filter(
        action="datashare.run_succeeded", subject_id=str(drop.pk), actor=people["hq_steward"]
    ).exists()
    assert AuditEvent.objects.filter(action="datashare.run_requested", actor=people["hq_steward"]).exists()
    Connector.objects.filter(pk=drop.pk).update(enabled=False)
    off = client_for(people["hq_steward"]).post(f"/datashare/sources/{drop.pk}/run/", follow=True)
    assert "已停用" in off.content.decode() and ConnectorRun.objects.filter(connector=drop).count() == 1


def test_the_task_takes_the_actor_it_is_given(people: dict[str, User], drop: Connector) -> None:
    from datashare.tasks import run_connector

    write_csv(Path(drop.config["directory"]) / "a.csv", [row(1, "2026-03-01T00:00:00Z")])
    assert run_connector.call_local(drop.pk, people["hq_steward"].pk) == "succeeded"
    assert AuditEvent.objects.filter(action="datashare.run_succeeded", actor=people["hq_steward"]).exists()


def test_other_roles_are_refused_and_the_outsider_finds_nothing(
    people: dict[str, User], drop: Connector
) -> None:
    for refused in ("hq_agency", "hq_grid", "hq_head"):
        client = client_for(people[refused])
        assert client.get("/datashare/sources/new/").status_code == 403
        assert client.post("/datashare/sources/new/", form()).status_code == 403
        assert client.get(f"/datashare/sources/{drop.pk}/edit/").status_code == 403
        assert client.post(f"/datashare/sources/{drop.pk}/run/").status_code == 403
        assert "编辑设置" not in client.get(f"/datashare/sources/{drop.pk}/").content.decode()
    outsider = client_for(people["wt_steward"])
    assert outsider.get(f"/datashare/sources/{drop.pk}/edit/").status_code == 404
    assert outsider.post(f"/datashare/sources/{drop.pk}/edit/", form()).status_code == 404
    assert outsider.post(f"/datashare/sources/{drop.pk}/run/").status_code == 404
    assert not ConnectorRun.objects.exists() and Connector.objects.count() == 1


def test_the_form_reads_in_english(people: dict[str, User], drop: Connector) -> None:
    steward = client_for(people["hq_steward"])
    steward.cookies["django_language"] = "en"
    page = steward.get(f"/datashare/sources/{drop.pk}/edit/").content.decode()
    assert "Connector settings" in page and "Password / token" in page
    assert "数据接入设置" not in page and "口令/令牌" not in page
