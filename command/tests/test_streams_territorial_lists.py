"""The 属地管理 module's open 三资 warnings (per village), 财务公开 on time (per village, the monthly report's
rule) and institutions (per town), against a world worked out by hand: built through the territorial
actions and the warning rules, figures and drill-downs and lists equal, past periods judged by what was
known then, each desk scoped to its leader; the desk page shows them to the leader, refuses other roles
and the outsider."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client

from accounts.models import OrgUnit, Role, User
from accounts.testing import make_org_unit, make_person
from command import streams
from command.warnings.actions import do_act_on_warning, evaluate_warnings
from command.warnings.models import TERRITORIAL_RULES, EarlyWarning, Rule
from registry.models import Entity
from registry.testing import synthetic_uscc
from territorial import actions
from territorial.contracts import ContractInput, do_sign_contract
from territorial.report import funds_section
from territorial.tests.conftest import voucher
from territory.models import Division
from territory.testing import HUANGQIAO_VILLAGE, WEITANG_VILLAGE

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 6, 15, 2, 0, tzinfo=UTC)  # 10:00 in Suzhou
TODAY = date(2026, 6, 15)
JUNE, END = date(2026, 6, 1), date(2026, 6, 16)  # the desk's default: this month up to today
DISTRICT, HUANGQIAO, WEITANG = "320507", "320507003", "320507105"
SECOND, THIRD = "320507003202", "320507003203"  # two more villages of 黄桥
SQUARE = {"type": "Polygon", "coordinates": [[[120.5, 31.4], [120.51, 31.4], [120.51, 31.41], [120.5, 31.4]]]}


def at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 2, 0, tzinfo=UTC)


def _account(village: str, actor: User, founded: datetime) -> Any:
    org = actions.do_create_organisation(
        village_code=village, name=f"{village}股份经济合作社", actor=actor, now=founded
    )
    return actions.do_open_account(org, name="基本户", kind="bank", actor=actor, now=founded)


def _book(
    account: Any, actor: User, booked: date, recorded: datetime, amount: str, direction: str = "in"
) -> None:
    actions.do_record_entry(
        account,
        direction=direction,
        amount=amount,
        booked_on=booked,
        summary="收款" if direction == "in" else "调整",
        voucher=voucher() if direction == "in" else None,
        actor=actor,
        now=recorded,
    )
    account.refresh_from_db()


def _lease(account: Any, actor: User, number: str, ends_on: date, due: tuple[date, str], seq: int) -> None:
    org = account.organisation
    tenant = Entity.objects.create(
        uscc=synthetic_uscc(org.village_code, seq),
        name=f"苏州某农业有限公司{seq}",
        legal_representative="李四",
        industry_code="A0111",
        size=Entity.Size.SMALL,
        territory_code=f"{org.village_code}001",
    )
    pond = actions.do_record_resource(
        org, name=f"鱼塘{number}", kind="water", area_mu="10", outline=SQUARE, actor=actor, now=at(5, 1)
    )
    do_sign_contract(
        org,
        ContractInput(
            number=number,
            starts_on=date(2026, 1, 1),
            ends_on=ends_on,
            annual_price="6000",
            schedule=[due],
            entity=tenant,
            resource=pond,
        ),
        actor=actor,
        now=at(5, 1),
    )


@pytest.fixture
def world(personas: dict[str, User]) -> dict[str, Any]:
    """黄桥测试村: 10,000.00 booked 20 May (recorded that day) and 500.00 booked 28 May but recorded 12 June,
    after the 10 June deadline: May's 财务公开 late by one entry; a lease ending 1 August (47 days: the
    90-day warning) and the town's 6,000.00 correction without the chain (large payment): 2 warnings.
    黄桥二村: 3,000.00 booked and recorded 5 May (on time); a lease whose 1 June rent is unpaid (overdue,
    and no income: 2 warnings), the no-income one dismissed by the leader: 1 open. 黄桥三村: founded 20
    June, after the desk's period. 渭塘测试村 (another town): 8,000.00 booked 3 May, recorded 11 June
    (late), a 5,000.00 correction (1 warning). Institutions: 黄桥 a water station and a school, its
    hospital run by the district (not counted); 渭塘 a school."""
    agency, system = personas["hq_agency"], personas["system"]
    town = Division.objects.get(code=HUANGQIAO)
    for code, name in ((SECOND, "黄桥二村"), (THIRD, "黄桥三村")):
        Division.objects.create(code=code, name=name, level=Division.Level.VILLAGE, parent=town)
    first = _account(HUANGQIAO_VILLAGE, agency, at(5, 1))
    _book(first, agency, date(2026, 5, 20), at(5, 20), "10000.00")
    _book(first, agency, date(2026, 5, 28), at(6, 12), "500.00")
    _book(first, agency, date(2026, 6, 14), at(6, 14), "6000.00", direction="out")
    _lease(first, agency, "HT-1", date(2026, 8, 1), (date(2026, 7, 1), "6000"), 1)
    second = _account(SECOND, agency, at(5, 1))
    _book(second, agency, date(2026, 5, 5), at(5, 5), "3000.00")
    _lease(second, agency, "HT-2", date(2028, 12, 31), (date(2026, 6, 1), "3000"), 2)
    _account(THIRD, agency, at(6, 20))
    weitang = _account(WEITANG_VILLAGE, system, at(5, 1))
    _book(weitang, system, date(2026, 5, 3), at(6, 11), "8000.00")
    _book(weitang, system, date(2026, 6, 14), at(6, 14), "5000.00", direction="out")

    evaluate_warnings(now=NOW, rules=list(TERRITORIAL_RULES))
    no_income = EarlyWarning.objects.get(rule=Rule.TERRITORIAL_CONTRACT_NO_INCOME)
    do_act_on_warning(no_income, "dismiss", actor=personas["hq_leader"], now=NOW, reason="首期租金约定延后")

    make_org_unit("320507003-water", "黄桥街道水务站", OrgUnit.Kind.STATION, HUANGQIAO)
    make_org_unit("320507003-school", "黄桥中心小学", OrgUnit.Kind.SCHOOL, HUANGQIAO)
    hospital = make_org_unit("320507003-hospital", "黄桥人民医院", OrgUnit.Kind.HOSPITAL, HUANGQIAO)
    OrgUnit.objects.filter(pk=hospital.pk).update(management_mode=OrgUnit.ManagementMode.VERTICAL)
    make_org_unit("320507105-school", "渭塘中心小学", OrgUnit.Kind.SCHOOL, WEITANG)
    return personas


def test_figures_and_lists_by_hand(world: dict[str, Any]) -> None:
    assert EarlyWarning.objects.count() == 5  # 2 in 黄桥测试村, 2 in 黄桥二村, 1 in 渭塘
    town = streams.values(HUANGQIAO, JUNE, END, today=TODAY)
    assert town["territorial_warnings_open"] == 3  # 2 + 2 − the dismissed one
    assert (town["territorial_disclosure_villages"], town["territorial_disclosed_on_time"]) == (2, 1)
    assert town["territorial_disclosure_on_time"] == 0.5  # 黄桥二村 of 黄桥测试村 and 黄桥二村
    assert town["territorial_institutions"] == 2

    lists = streams.territorial_lists(HUANGQIAO, JUNE, END, today=TODAY)
    assert (lists["month"], lists["deadline"]) == (date(2026, 5, 1), date(2026, 6, 10))
    rows = {row["code"]: row for row in lists["villages"]}
    assert list(rows) == [HUANGQIAO_VILLAGE, SECOND]  # 黄桥三村 was founded after the period
    assert (rows[HUANGQIAO_VILLAGE]["warnings"], rows[SECOND]["warnings"]) == (2, 1)
    first, second = rows[HUANGQIAO_VILLAGE]["disclosure"], rows[SECOND]["disclosure"]
    assert (first["state"], first["overdue"]) == ("未按时公开（1 笔逾期记账）", True)
    assert (second["state"], second["overdue"]) == ("按时公开", False)
    assert first["url"] == f"/public/territorial/{HUANGQIAO_VILLAGE}/2026/5/"
    assert lists["towns"] == [
        {"code": HUANGQIAO, "name": "黄桥街道", "station": 1, "school": 1, "hospital": 0, "total": 2}
    ]
    # The monthly report made today judges the same month the same way (one rule).
    report = {v.code: v.disclosure for v in funds_section(HUANGQIAO, JUNE, END, today=TODAY).villages}
    late, on_time = report[HUANGQIAO_VILLAGE], report[SECOND]
    assert late is not None and late.month == date(2026, 5, 1) and late.late_entries == 1
    assert on_time is not None and on_time.on_time

    district = streams.values(DISTRICT, JUNE, END, today=TODAY)
    assert district["territorial_warnings_open"] == 4
    assert district["territorial_disclosure_on_time"] == round(1 / 3, 4)  # 渭塘测试村 late too
    towns = streams.territorial_lists(DISTRICT, JUNE, END, today=TODAY)["towns"]
    assert [(t["code"], t["total"]) for t in towns] == [(HUANGQIAO, 2), (WEITANG, 1)]
    assert sum(t["total"] for t in towns) == district["territorial_institutions"] == 3


def test_drill_downs_are_the_figures_rows(world: dict[str, Any]) -> None:
    warnings = streams.items("territorial_warnings_open", HUANGQIAO, JUNE, END, today=TODAY)
    assert len(warnings) == 3
    assert sorted(row["territory_code"] for row in warnings) == [HUANGQIAO_VILLAGE] * 2 + [SECOND]
    overdue = next(row for row in warnings if row["territory_code"] == SECOND)
    assert overdue["title"] == "三资合同租金逾期未收：黄桥二村" and overdue["state"] == "黄色预警"
    assert (
        overdue["url"]
        == f"/command/warnings/?level=village&code={SECOND}&rule=territorial_instalment_overdue"
    )
    villages = streams.drill_rows("territorial_disclosure_on_time", HUANGQIAO, JUNE, END)
    assert [(row["title"], row["receipt_number"], row["day"]) for row in villages] == [
        ("黄桥测试村", "2026-05", date(2026, 6, 10)),
        ("黄桥二村", "2026-05", date(2026, 6, 10)),
    ]
    assert len(streams.items("territorial_disclosed_on_time", HUANGQIAO, JUNE, END, today=TODAY)) == 1
    # 渭塘's leader sees 渭塘's only.
    assert [
        row["territory_code"] for row in streams.items("territorial_warnings_open", WEITANG, JUNE, END)
    ] == [WEITANG_VILLAGE]


def test_a_past_period_is_judged_as_it_stood(world: dict[str, Any]) -> None:
    """May (ending before the warnings were raised and before May's deadline): no warning open at its end;
    April is the month judged, with no entries, so both villages founded by then were on time."""
    may = streams.values(HUANGQIAO, date(2026, 5, 1), JUNE, today=TODAY)
    assert may["territorial_warnings_open"] == 0
    assert (may["territorial_disclosure_villages"], may["territorial_disclosure_on_time"]) == (2, 1.0)
    assert may["territorial_institutions"] is None  # today's count says nothing of May
    lists = streams.territorial_lists(HUANGQIAO, date(2026, 5, 1), JUNE, today=TODAY)
    assert lists["month"] == date(2026, 4, 1) and lists["towns"] is None


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


PERIOD = {"from": "2026-06-01", "to": "2026-06-15"}


def test_the_desk_shows_the_lists_to_the_leader(world: dict[str, Any]) -> None:
    with time_machine.travel(NOW, tick=False):
        page = client_for(world["hq_leader"]).get("/command/", {"level": "town", "code": HUANGQIAO, **PERIOD})
        html = page.content.decode()
        assert page.status_code == 200
        assert 'data-figure="territorial_warnings_open"' in html
        assert 'data-figure="territorial_disclosure_on_time"' in html and "50.0%" in html
        assert f'<tr data-village="{HUANGQIAO_VILLAGE}" class="cmd-overdue">' in html
        assert 'data-warnings="2"' in html and 'data-warnings="1"' in html
        assert html.count('data-disclosure="late"') == 1 and html.count('data-disclosure="on_time"') == 1
        assert "2026年5月财务公开" in html and f'data-town="{HUANGQIAO}"' in html
        assert 'data-institutions="2"' in html and WEITANG_VILLAGE not in html
        items = f"/command/items/?from=2026-06-01&amp;to=2026-06-15&amp;level=village&amp;code={SECOND}"
        assert f"{items}&amp;indicator=territorial_warnings_open" in html
        drill = client_for(world["hq_leader"]).get(
            "/command/items/",
            {"level": "village", "code": SECOND, "indicator": "territorial_warnings_open", **PERIOD},
        )
        assert drill.status_code == 200 and "data-items-count>1<" in drill.content.decode()
        district = client_for(world["dispatcher"]).get(
            "/command/", {"level": "district", "code": DISTRICT, **PERIOD}
        )
        assert f'data-town="{WEITANG}"' in district.content.decode()


def test_the_desk_refuses_other_roles_the_outsider_and_bad_input(world: dict[str, Any]) -> None:
    unit = OrgUnit.objects.get(code="320507105201-vc")
    outsider = client_for(make_person("wt_leader", unit=unit, role=Role.LEADER, territory_code=WEITANG))
    with time_machine.travel(NOW, tick=False):
        town = {"level": "town", "code": HUANGQIAO, **PERIOD}
        assert client_for(world["hq_agency"]).get("/command/", town).status_code == 403
        assert outsider.get("/command/", town).status_code == 404
        village = {"level": "village", "code": SECOND, "indicator": "territorial_warnings_open", **PERIOD}
        assert outsider.get("/command/items/", village).status_code == 404
        own = outsider.get("/command/", {"level": "town", "code": WEITANG, **PERIOD}).content.decode()
        assert f'data-village="{WEITANG_VILLAGE}"' in own and HUANGQIAO_VILLAGE not in own
        leader = client_for(world["hq_leader"])
        assert leader.get("/command/items/", {**village, "code": "32050700320"}).status_code in (400, 404)
        assert leader.get("/command/", {**town, "to": "2026-13-01"}).status_code == 400
