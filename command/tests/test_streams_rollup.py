"""审批服务 and 综合执法 figures from their ledger-rollup contributors, against a week worked out by hand.
The histories are imported through the engine's own replay (workflow.bulk, as the demo's history is), so
deadlines and the sweeper's 督办 are what `transition()` and the sweeper would have written."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import pytest
import time_machine
from rest_framework.test import APIClient

from accounts.models import OrgUnit, Role, User
from accounts.testing import make_org_unit, make_person
from command import streams
from command.indicators import figures
from workflow.bulk import ItemRecord, RecordedStep, do_import_items
from workflow.rollups import fold_all
from workflow.tests.conftest import at

pytestmark = pytest.mark.django_db

HQ_GRID, WT_GRID = "320507003201001", "320507105201001"
HUANGQIAO, DISTRICT = "320507003", "320507"
MON, NEXT_MON = date(2026, 3, 2), date(2026, 3, 9)
URBAN = "320507003-urban"


def _import(
    process: str,
    who: User,
    rows: Sequence[tuple[str, Any, list[tuple[str, Any, dict[str, Any]]]]],
    limits: dict[str, Any] | None = None,
) -> None:
    records = [
        ItemRecord(
            title=f"{process} {n}",
            territory_code=grid,
            created_at=created,
            limits=limits,
            transitions=[
                RecordedStep(action, who, when, inputs, reason="依法办理" if action.startswith("re") else "")
                for action, when, inputs in steps
            ],
        )
        for n, (grid, created, steps) in enumerate(rows)
    ]
    do_import_items(process, records, actor=who, now=at(2026, 3, 9, 0))


ACCEPT = {"assigned_unit": URBAN}
BASIS = {"legal_basis": "《行政许可法》第三十八条"}
DELIVER = {"delivery_method": "window"}


@pytest.fixture
def week(personas: dict[str, User]) -> dict[str, User]:
    system = personas["system"]
    _import(
        "approval_application",
        system,
        [
            # A1: accepted Mon, approved Tue (within the 5-day review limit), delivered Wed → early.
            (
                HQ_GRID,
                at(2026, 3, 2, 9),
                [
                    ("accept", at(2026, 3, 2), ACCEPT),
                    ("approve", at(2026, 3, 3), BASIS),
                    ("deliver", at(2026, 3, 4), DELIVER),
                ],
            ),
            # A2: 即办件, completed on the spot Mon → accepted and done, instant and early.
            (HQ_GRID, at(2026, 3, 2, 9), [("complete_on_spot", at(2026, 3, 2, 11), {})]),
            # A3: accepted Tue, refused Thu → done, early.
            (
                HQ_GRID,
                at(2026, 3, 3, 9),
                [("accept", at(2026, 3, 3), ACCEPT), ("refuse", at(2026, 3, 5), BASIS)],
            ),
            # A6 (the week before): accepted Wed 25 Feb, approved and delivered that week.
            (
                HQ_GRID,
                at(2026, 2, 25, 9),
                [
                    ("accept", at(2026, 2, 25), ACCEPT),
                    ("approve", at(2026, 2, 26), BASIS),
                    ("deliver", at(2026, 2, 27), DELIVER),
                ],
            ),
            # A5: another town's, accepted Mon.
            (WT_GRID, at(2026, 3, 2, 9), [("accept", at(2026, 3, 2), ACCEPT)]),
        ],
    )
    # A4: a one-working-day review limit, accepted Mon 10:00 → 督办 by the system Tue 10:00 (超期), approved
    # Thu and delivered Fri → done, late, not early.
    _import(
        "approval_application",
        system,
        [
            (
                HQ_GRID,
                at(2026, 3, 2, 9),
                [
                    ("accept", at(2026, 3, 2), ACCEPT),
                    ("approve", at(2026, 3, 5), BASIS),
                    ("deliver", at(2026, 3, 6), DELIVER),
                ],
            )
        ],
        limits={"reviewing": {"amount": 1, "unit": "work_days"}},
    )
    ordinary: list[tuple[str, Any, dict[str, Any]]] = [
        ("propose_filing", at(2026, 2, 23), {}),
        ("approve_filing", at(2026, 2, 24), {}),  # filed the week before
        ("submit_report", at(2026, 2, 27), {}),
        ("issue_notice", at(2026, 3, 2), {}),
        ("request_hearing", at(2026, 3, 3), {}),
        ("conclude_hearing", at(2026, 3, 4), {}),
        ("hearing_review_pass", at(2026, 3, 4, 15), {}),
        ("decide", at(2026, 3, 5), {}),  # 9 days after filing
        ("serve", at(2026, 3, 5, 15), {}),
        ("confirm_execution", at(2026, 3, 6), {}),
        ("close", at(2026, 3, 6, 15), {}),
    ]
    quick: list[tuple[str, Any, dict[str, Any]]] = [
        ("propose_filing", at(2026, 3, 2), {}),
        ("approve_filing", at(2026, 3, 2, 15), {}),  # filed Mon
        ("submit_report", at(2026, 3, 3), {}),
        ("issue_notice", at(2026, 3, 3, 15), {}),
        ("end_notice", at(2026, 3, 4), {}),
        ("decide", at(2026, 3, 5), {}),  # 3 days after filing
    ]
    _import(
        "case_ordinary",
        system,
        [
            (HQ_GRID, at(2026, 2, 23, 9), ordinary),
            (HQ_GRID, at(2026, 3, 2, 9), quick),
            (WT_GRID, at(2026, 3, 2, 9), quick),
        ],
    )
    summary: list[tuple[str, Any, dict[str, Any]]] = [
        ("decide_on_spot", at(2026, 3, 4), {}),
        ("confirm_execution", at(2026, 3, 4, 11), {}),
        ("close", at(2026, 3, 4, 15), {}),
    ]
    _import("case_summary", system, [(HQ_GRID, at(2026, 3, 4, 9), summary)])
    return personas


APPROVALS = {
    "approvals_accepted": 4,  # A1, A2, A4 Mon; A3 Tue
    "approvals_done": 4,  # A2 Mon, A1 Wed, A3 Thu, A4 Fri
    "approvals_instant_rate": 0.25,  # A2
    "approvals_early_rate": 0.75,  # A1, A2, A3
    "approvals_overdue": 1,  # A4
}
ENFORCEMENT = {
    "enforcement_filed": 2,  # the quick case Mon, the summary case Wed (the long one was filed before)
    "enforcement_closed": 2,  # the long case Fri, the summary case Wed
    "enforcement_decision_days": 6.0,  # (9 + 3) / 2
    "enforcement_hearings": 1,
}


@pytest.mark.parametrize("folded", [False, True])
def test_week_by_hand_and_drill_down(week: dict[str, User], folded: bool) -> None:
    if folded:
        for process in ("approval_application", "case_ordinary", "case_summary"):
            fold_all(process, now=at(2026, 3, 10))
    found = figures(HUANGQIAO, MON, NEXT_MON)
    for code, value in {**APPROVALS, **ENFORCEMENT}.items():
        assert found[code]["connected"] and found[code]["value"] == value, code
    # 环比: the week before had A6 accepted and done (early), and the long case filed.
    assert found["approvals_accepted"]["previous"] == 1 and found["approvals_accepted"]["mom"] == 3.0
    assert found["approvals_early_rate"]["previous"] == 1.0 and found["approvals_early_rate"]["mom"] == -0.25
    assert found["enforcement_filed"]["previous"] == 1 and found["enforcement_filed"]["mom"] == 1.0
    # 同比: nothing a year before.
    assert found["approvals_accepted"]["last_year"] == 0 and found["approvals_accepted"]["yoy"] is None
    assert found["enforcement_decision_days"]["last_year"] is None
    # Each count drills down to exactly its items; a rate to its denominator's.
    for code in (*APPROVALS, *ENFORCEMENT):
        target = streams.drill_code(code)
        assert target is not None
        rows = streams.items(target, HUANGQIAO, MON, NEXT_MON)
        expected = (
            found[code]["value"]
            if found[code]["value"] is not None
            and code.endswith(("_accepted", "_done", "_overdue", "_filed", "_closed", "_hearings"))
            else None
        )
        if expected is not None:
            assert len(rows) == expected, code
    assert len(streams.items("approvals_done", HUANGQIAO, MON, NEXT_MON)) == 4
    assert len(streams.items("enforcement_decided", HUANGQIAO, MON, NEXT_MON)) == 2
    # The district sees the other town's too; the other town sees only its own.
    assert figures(DISTRICT, MON, NEXT_MON)["approvals_accepted"]["value"] == 5
    assert figures("320507105", MON, NEXT_MON)["enforcement_filed"]["value"] == 1
    assert len(streams.items("approvals_accepted", "320507105", MON, NEXT_MON)) == 1


def _api(user: User, path: str, **params: str) -> Any:
    client = APIClient()
    client.force_authenticate(user)
    return client.get(f"/api/v1/command/{path}", params)


def test_api_drill_down_is_scoped(week: dict[str, User]) -> None:
    period = {"from": "2026-03-02", "to": "2026-03-08"}
    with time_machine.travel(at(2026, 3, 9, 12), tick=False):
        body = _api(week["hq_leader"], "figures/items/", indicator="approvals_done", **period).json()
        assert body["count"] == 4 and {row["receipt_number"] for row in body["items"]} == {""}
        rate = _api(week["hq_leader"], "figures/items/", indicator="approvals_instant_rate", **period).json()
        assert rate["count"] == 4  # the rate's denominator: 办结数
        # A grid worker is refused; the outsider (渭塘's leader) gets 404 for 黄桥 and sees only 渭塘's item.
        assert (
            _api(week["hq_grid"], "figures/items/", indicator="approvals_done", **period).status_code == 403
        )
        outsider = make_person(
            "wt_leader",
            unit=make_org_unit("320507105-gov", "渭塘镇党委政府", OrgUnit.Kind.GOVERNMENT, "320507105"),
            role=Role.LEADER,
        )
        refused = _api(
            outsider, "figures/items/", indicator="approvals_accepted", level="town", code=HUANGQIAO, **period
        )
        assert refused.status_code == 404
        own = _api(outsider, "figures/items/", indicator="approvals_accepted", **period).json()
        assert own["code"] == "320507105" and own["count"] == 1
        found = _api(outsider, "figures/", **period).json()["indicators"]
        assert found["approvals_accepted"]["value"] == 1 and found["enforcement_filed"]["value"] == 1
        bad = _api(week["hq_leader"], "figures/items/", indicator="party_one_shoulder_x", **period)
        assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "indicator"
