"""The data catalogue (page and API): registries and connected sources within the jurisdiction, with
fields and sensitivity, frequency, last sync, row counts; the outsider sees none of 黄桥's sources."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from datashare.models import Connector
from datashare.sync import do_run_connector
from datashare.tests.conftest import NOW, row, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def fed(drop: Connector) -> Connector:
    write_csv(
        Path(drop.config["directory"]) / "a.csv",
        [row(1, "2026-03-01T00:00:00Z"), row(2, "2026-03-01T01:00:00Z", uscc="x")],
    )
    do_run_connector(drop, now=NOW)
    return drop


def test_the_steward_sees_registries_and_sources_with_counts(fed: Connector, people: dict[str, User]) -> None:
    client = APIClient()
    client.force_authenticate(people["hq_steward"])
    assets = client.get("/api/v1/datashare/catalogue/").json()
    source = next(a for a in assets if a["kind"] == "source")
    assert (source["name"], source["category"], source["rows"], source["quarantined"]) == (
        "黄桥环保监测企业",
        "环保",
        1,
        1,
    )
    assert ["legal_representative", "个人信息"] in source["fields"] and source["last_sync"]
    entities = next(a for a in assets if a["name"] == "实有单位")
    assert entities["rows"] == 1 and ["法定代表人", "个人信息"] in entities["fields"]


def test_the_outsider_sees_no_source_of_another_town(fed: Connector, people: dict[str, User]) -> None:
    client = APIClient()
    client.force_authenticate(people["wt_steward"])
    assets = client.get("/api/v1/datashare/catalogue/").json()
    assert [a for a in assets if a["kind"] == "source"] == []
    assert next(a for a in assets if a["name"] == "实有单位")["rows"] == 0
    page = Client()
    page.force_login(people["wt_steward"])
    assert page.get(f"/datashare/sources/{fed.pk}/").status_code == 404


def test_the_pages_show_the_catalogue_runs_and_quarantine(fed: Connector, people: dict[str, User]) -> None:
    page = Client()
    page.force_login(people["hq_steward"])
    catalogue = page.get("/datashare/").content.decode()
    assert "黄桥环保监测企业" in catalogue and "实有人口" in catalogue
    assert 'href="/datashare/"' in page.get("/").content.decode()  # the steward's navigation
    source = page.get(f"/datashare/sources/{fed.pk}/").content.decode()
    assert "统一社会信用代码无效" in source and "2026-03-01T01:00:00Z" in source


def test_anonymous_is_refused(fed: Connector) -> None:
    assert APIClient().get("/api/v1/datashare/catalogue/").status_code in {401, 403}
    assert Client().get("/datashare/").status_code == 302
