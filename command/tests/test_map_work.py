"""The command map's layers of open enforcement cases and approvals applications
(/api/v1/command/map/cases.geojson, applications.geojson): what is drawn where, with which light, and
what is never shown; the roles refused, the outsider from another town, bad input.

Planted on Monday 2 November 2026 (a plain working month) in 黄桥:
- case A (占道经营) opened 10:00 at its own place in grid 2; case B opened 10:00 with grid 1 only;
- application P filed 10:00 by the grid worker as proxy (territory: the grid), left awaiting acceptance;
- application W taken at the town's window 10:00 and accepted (territory: the town, which has no place
  in the test territory until a seat is given);
- application I, a 即办件 completed on the spot 10:00: closed, never on the map.
Lights (the engine's, by the step's limit): a case's 线索核查 has 15 working days, so on Thu 19 Nov
(13 of 15 working days gone: over 80 %) it is yellow; P's 预审 (2 working days) and W's 审查 (5 working
days) have run out by then: red. At 11:00 on the day they were filed, everything is green."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import OrgUnit, Role, User
from accounts.testing import make_person
from approvals.actions import ApplicantInput, do_file_application, do_take_application
from approvals.models import Channel
from approvals.testing import CONFIRM_CODE, ID_NUMBER, IMMEDIATE_CODE, PHONE, make_approvals
from command.tokens import do_issue_screen_token
from enforcement.actions import do_open_case, do_post_officer
from enforcement.catalogue import seed_catalogue

pytestmark = pytest.mark.django_db

HQ_GRID = "320507003201001"
HQ_GRID2 = "320507003201002"
HUANGQIAO = "320507003"
FILED = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # Mon 10:00 in Suzhou
SAME_DAY = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)  # Mon 11:00
LATER = datetime(2026, 11, 19, 2, 0, tzinfo=UTC)  # Thu 19 Nov 10:00
CASES = "/api/v1/command/map/cases.geojson"
APPLICATIONS = "/api/v1/command/map/applications.geojson"
PARTY = "张三丰"
APPLICANT = "王秀英"


def _case(people: dict[str, User], **place: Any) -> Any:
    data = {
        "procedure": "ordinary",
        "source": "patrol",
        "matter": "CG-003",
        "address": "黄桥街道春申路口",
        "party_kind": "natural",
        "party_name": PARTY,
        "party_number": "320507198001011231",
        "party_phone": "13912345678",
        "facts": f"{PARTY}在春申路人行道上摆摊经营水果。",
        "circumstance_level": "ordinary",
        "proposed_fine": "200",
        "officers": ["hq_officer", "hq_officer2"],
        **place,
    }
    with time_machine.travel(FILED, tick=False):
        return do_open_case(data, actor=people["hq_officer"], now=FILED)


@pytest.fixture
def planted(personas: dict[str, User]) -> dict[str, Any]:
    people = dict(personas)
    system = personas["system"]
    squad = OrgUnit.objects.get(code="320507003-squad1")
    people["hq_officer2"] = make_person("hq_officer2", unit=squad, role=Role.OFFICER)
    seed_catalogue()
    for officer in ("hq_officer", "hq_officer2"):
        do_post_officer(people[officer], squad, [HQ_GRID, HQ_GRID2], actor=system, now=FILED)
    approvals = make_approvals(personas, FILED)
    applicant = ApplicantInput(kind="natural", name=APPLICANT, number=ID_NUMBER, phone=PHONE)
    with time_machine.travel(FILED, tick=False):
        proxy = do_file_application(
            actor=people["hq_grid"],
            now=FILED,
            item_code=CONFIRM_CODE,
            centre=approvals["hq_centre"],
            channel=Channel.PROXY,
            applicant=applicant,
            materials=["居民身份证", "户口簿"],
            proxy_consent=f"{APPLICANT}本人当面签字同意委托网格员代办",
        )
        window = do_take_application(
            actor=approvals["hq_clerk"],
            now=FILED,
            decision="accept",
            item_code=CONFIRM_CODE,
            centre=approvals["hq_centre"],
            applicant=applicant,
            materials=["居民身份证", "户口簿"],
        )
        instant = do_take_application(
            actor=approvals["hq_clerk"],
            now=FILED,
            decision="accept",
            item_code=IMMEDIATE_CODE,
            centre=approvals["hq_centre"],
            applicant=applicant,
            materials=["居民身份证"],
        )
    return {
        **people,
        "A": _case(people, territory_code=HQ_GRID2, lon=120.5653, lat=31.4047),
        "B": _case(people, territory_code=HQ_GRID),
        "P": proxy,
        "W": window,
        "I": instant,
        "wt_leader": make_person(
            "wt_leader",
            unit=OrgUnit.objects.get(code="320507105201-vc"),
            role=Role.LEADER,
            territory_code="320507105",
        ),
    }


def get(user: User | None, url: str, *, at: datetime = LATER, **params: str) -> Any:
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    with time_machine.travel(at, tick=False):
        return api.get(url, params)


def by_id(response: Any) -> dict[int, dict[str, Any]]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/geo+json"
    return {f["properties"]["id"]: f for f in response.json()["features"]}


def test_open_cases_at_their_place_or_their_grids(planted: dict[str, Any]) -> None:
    a, b = planted["A"], planted["B"]
    features = by_id(get(planted["hq_leader"], CASES))
    assert set(features) == {a.pk, b.pk}
    assert features[a.pk]["geometry"]["coordinates"] == [120.5653, 31.4047]
    props = features[a.pk]["properties"]
    assert props["layer"] == "case" and props["approximate"] is False
    assert props["number"] == (a.number or f"#{a.pk}") and props["title"] == "占道经营"
    assert props["state"] == "verifying" and props["state_title"] == "线索核查"
    assert props["url"] == f"/enforcement/cases/{a.pk}/" and props["place"] == "黄桥测试村第2网格"
    # B has no place of its own: it stands inside its grid (the square 120.55–120.56 × 31.40–31.41).
    lon, lat = features[b.pk]["geometry"]["coordinates"]
    assert features[b.pk]["properties"]["approximate"] is True
    assert 120.55 < lon < 120.56 and 31.40 < lat < 31.41
    # 13 of 15 working days gone: yellow; on the day they were opened: green.
    assert {f["properties"]["light"] for f in features.values()} == {"yellow"}
    assert {
        f["properties"]["light"] for f in by_id(get(planted["hq_leader"], CASES, at=SAME_DAY)).values()
    } == {"green"}
    assert get(planted["hq_leader"], CASES, light="green").json()["features"] == []


def test_open_applications_at_their_territorys_place(planted: dict[str, Any]) -> None:
    p, w = planted["P"], planted["W"]
    body = get(planted["dispatcher"], APPLICATIONS).json()
    # I was completed on the spot: closed, not drawn. W's town has no place yet: counted, not drawn.
    assert [f["properties"]["id"] for f in body["features"]] == [p.pk] and body["unplaced"] == 1
    props = body["features"][0]["properties"]
    assert props["layer"] == "application" and props["approximate"] is True
    assert (props["number"], props["title"]) == (p.receipt_no, "城乡居民基本养老保险参保登记")
    assert props["state_title"] == "待受理（预审）" and props["light"] == "red"  # 2 working days ran out
    assert props["url"] == f"/approvals/applications/{p.pk}/"
    from territory.models import Division

    Division.objects.filter(code=HUANGQIAO).update(seat_lon=120.5702, seat_lat=31.4203)
    features = by_id(get(planted["dispatcher"], APPLICATIONS))
    assert features[w.pk]["geometry"]["coordinates"] == [120.5702, 31.4203]
    assert features[w.pk]["properties"]["state_title"] == "审查中"
    assert features[w.pk]["properties"]["light"] == "red"  # 5 working days of review ran out
    assert features[w.pk]["properties"]["unit"]  # the unit reviewing it
    same_day = by_id(get(planted["dispatcher"], APPLICATIONS, at=SAME_DAY))
    assert {f["properties"]["light"] for f in same_day.values()} == {"green"}


def test_nothing_personal_in_the_layers(planted: dict[str, Any]) -> None:
    for url in (CASES, APPLICATIONS):
        text = json.dumps(get(planted["dispatcher"], url).json(), ensure_ascii=False)
        for secret in (PARTY, APPLICANT, "320507198001011231", ID_NUMBER, "13912345678", PHONE, "春申路"):
            assert secret not in text, (url, secret)


def test_the_outsider_other_roles_and_the_screen_token(planted: dict[str, Any]) -> None:
    outsider = planted["wt_leader"]
    for url in (CASES, APPLICATIONS):
        refused = get(outsider, url, level="town", code=HUANGQIAO)
        assert refused.status_code == 404 and refused.json()["errors"][0]["code"] == "not_found"
        own = get(outsider, url).json()  # the outsider's own town: none of 黄桥's items
        assert own["features"] == [] and own["unplaced"] == 0
        for who in ("hq_grid", "hq_agency", "hq_officer"):
            response = get(planted[who], url)
            assert response.status_code == 403 and response.json()["errors"][0]["code"] == "not_allowed"
        assert get(None, url).status_code in (401, 403)
    # The hall screen's token opens the screen's layers only, not these.
    with time_machine.travel(LATER, tick=False):
        key = do_issue_screen_token(
            name="大厅", territory_code=HUANGQIAO, expires_at=None, actor=planted["hq_leader"], now=LATER
        )[1]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Screen {key}")
    assert api.get(CASES).status_code in (401, 403)
    assert api.get("/api/v1/command/map/items.geojson").status_code == 200


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"light": "blue"}, "light"),
        ({"level": "county", "code": "1"}, "level"),
        ({"level": "town", "code": "12"}, "code"),
    ],
)
def test_bad_input_names_the_field(planted: dict[str, Any], params: dict[str, str], field: str) -> None:
    for url in (CASES, APPLICATIONS):
        response = get(planted["hq_leader"], url, at=LATER, **params)
        assert response.status_code == 400 and response.json()["errors"][0]["field"] == field, url


def test_the_map_page_offers_the_layers(planted: dict[str, Any], settings: Any) -> None:
    settings.MAP_TILE_URL = "https://tiles.example.gov.cn/{z}/{x}/{y}.png"
    settings.MAP_TILE_ATTRIBUTION = "© 测绘"
    settings.MAP_TILE_CRS = "gcj02"
    client = Client()
    client.force_login(planted["dispatcher"])
    html = client.get("/command/map/").content.decode()
    for layer in ("event", "case", "application"):
        assert f'name="layer" value="{layer}" checked' in html
    assert 'data-cases="/api/v1/command/map/cases.geojson"' in html
    config = json.loads(html.split('id="cmd-map-config" type="application/json">')[1].split("</script>")[0])
    assert (config["tileUrl"], config["tileAttribution"], config["tileCrs"]) == (
        "https://tiles.example.gov.cn/{z}/{x}/{y}.png",
        "© 测绘",
        "gcj02",
    )
    assert config["labels"]["layers"]["case"] == "执法案件"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get("/command/map/").content.decode()
    assert "Enforcement cases" in english and "Open the case" in english and "under 80% used green" in english
    assert "执法案件" not in english
