"""Fixtures of the enforcement tests: the catalogue, a squad with four officers (one on the 黄桥 grids),
a squad leader, a legal reviewer, and the processes published from their own files (so a half-edited
definition of another app cannot break these tests)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from rest_framework.test import APIClient

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Monday 10:00 in Suzhou


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def published(db: None, personas: dict[str, Any]) -> None:
    from workflow.definitions import load_file
    from workflow.publishing import do_publish_process

    base = Path(settings.BASE_DIR)
    for path in (
        "enforcement/processes/case_summary.yaml",
        "enforcement/processes/case_ordinary.yaml",
        "grid/processes/grid_event.yaml",
    ):
        do_publish_process(load_file(base / path), actor=personas["system"], now=NOW)


@pytest.fixture
def people(personas: dict[str, Any], published: None) -> dict[str, Any]:
    """personas + hq_officer2/3 (same squad), hq_squad_leader, hq_legal (legal reviewer), wt_officer
    (渭塘, the outsider), the catalogue and the officer posts."""
    from django.db import transaction

    from accounts.models import OrgUnit, Role
    from accounts.testing import make_org_unit, make_person
    from enforcement.actions import do_post_officer
    from enforcement.catalogue import seed_catalogue

    squad = OrgUnit.objects.get(code="320507003-squad1")
    wt_gov = make_org_unit("320507105-gov", "渭塘镇人民政府", OrgUnit.Kind.GOVERNMENT, "320507105")
    wt_squad = make_org_unit(
        "320507105-squad1", "渭塘镇综合执法第一中队", OrgUnit.Kind.SQUAD, "320507105", wt_gov
    )
    legal_unit = make_org_unit(
        "320507003-legal", "黄桥街道司法所", OrgUnit.Kind.STATION, "320507003", squad.parent
    )
    people = dict(personas)
    people["hq_officer2"] = make_person("hq_officer2", unit=squad, role=Role.OFFICER, display_name="李执法")
    people["hq_officer3"] = make_person("hq_officer3", unit=squad, role=Role.OFFICER, display_name="王执法")
    people["hq_squad_leader"] = make_person(
        "hq_squad_leader", unit=squad, role=Role.SQUAD_LEADER, display_name="赵中队长"
    )
    people["hq_legal"] = make_person(
        "hq_legal", unit=legal_unit, role=Role.LEGAL_REVIEWER, display_name="钱法制"
    )
    people["wt_officer"] = make_person("wt_officer", unit=wt_squad, role=Role.OFFICER, display_name="孙执法")
    system = personas["system"]
    with transaction.atomic():
        seed_catalogue()
    grids = ["320507003201001", "320507003201002"]
    do_post_officer(personas["hq_officer"], squad, grids[:1], actor=system, now=NOW)
    do_post_officer(people["hq_officer2"], squad, grids[1:], actor=system, now=NOW)
    do_post_officer(people["hq_officer3"], squad, grids, actor=system, now=NOW)
    do_post_officer(people["hq_squad_leader"], squad, [], actor=system, now=NOW, is_leader=True)
    do_post_officer(people["wt_officer"], wt_squad, ["320507105201001"], actor=system, now=NOW)
    return people


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def client_for(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client
