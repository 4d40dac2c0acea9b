"""The item card on the command map: the actions the engine offers the user now (as the grid's forms, the
dispatch picker preselected with the routed unit), who may open it (command roles; the outsider gets 404),
and the door its forms post to (the grid's event action API, multipart as static/command/map_card.js
sends it): success, a stale version (409, nothing changed) and bad input (400 beside the field)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import OrgUnit, Role, User
from accounts.testing import make_person
from grid.models import GridEvent
from grid.tests import test_pages_support as support
from grid.tests.test_pages_support import URBAN, act, client_for, report
from grid.web.forms import ACTION_FIELDS
from workflow.access import available_actions

pytestmark = pytest.mark.django_db
page_people = support.page_people  # fixture
People = dict[str, User]


def card_url(event: GridEvent) -> str:
    return f"/command/map/items/{event.pk}/card/"


def offered(html: str) -> list[str]:
    return re.findall(r'data-card-form="([a-z_]+)"', html)


@pytest.fixture
def filed(page_people: People) -> GridEvent:
    event = report(page_people)
    act(event, "file", page_people, "dispatcher")
    event.refresh_from_db()
    return event


def engine_actions(event: GridEvent, user: User) -> list[str]:
    assert event.work_item is not None
    return [a.name for a in available_actions(event.work_item, user) if a.name in ACTION_FIELDS]


def test_dispatcher_card_offers_the_engines_actions_with_the_routed_unit(
    page_people: People, filed: GridEvent
) -> None:
    response = client_for(page_people["dispatcher"]).get(card_url(filed))
    assert response.status_code == 200
    html = response.content.decode()
    assert offered(html) == engine_actions(filed, page_people["dispatcher"])
    assert "dispatch" in offered(html)
    picker = re.search(r'<select name="dispatch-assigned_unit"[^>]*>(.*?)</select>', html, re.S)
    assert picker is not None
    routed = rf'<option value="{URBAN}"[^>]*selected[^>]*>黄桥街道城市管理办公室</option>'
    assert re.search(routed, picker.group(0))
    assert filed.work_item is not None
    assert f'name="dispatch-version" value="{filed.work_item.version}"' in html
    assert f'action="/api/v1/grid/events/{filed.pk}/actions/"' in html


@pytest.fixture
def handling(page_people: People, filed: GridEvent) -> GridEvent:
    act(filed, "dispatch", page_people, "dispatcher", inputs={"assigned_unit": URBAN})
    act(filed, "sign", page_people, "hq_agency")
    filed.refresh_from_db()
    return filed


def test_in_handling_the_dispatchers_card_offers_supervise(page_people: People, handling: GridEvent) -> None:
    dispatcher = client_for(page_people["dispatcher"]).get(card_url(handling)).content.decode()
    assert offered(dispatcher) == engine_actions(handling, page_people["dispatcher"])
    assert "supervise" in offered(dispatcher) and "dispatch" not in offered(dispatcher)
    leader = client_for(page_people["hq_leader"]).get(card_url(handling)).content.decode()
    assert offered(leader) == engine_actions(handling, page_people["hq_leader"])
    assert "supervise" not in offered(leader)  # supervising is the centre's, not a town leader's
    assert handling.work_item is not None
    response = post_as_card(
        page_people["dispatcher"], handling, "supervise", handling.work_item.version, reason="请今日办结"
    )
    assert response.status_code == 200, response.content
    assert response.json()["timeline"][-1]["action"] == "supervise"


def test_an_item_without_actions_for_the_user_says_so(page_people: People, filed: GridEvent) -> None:
    html = client_for(page_people["hq_leader"]).get(card_url(filed)).content.decode()
    assert offered(html) == engine_actions(filed, page_people["hq_leader"]) == []
    assert "data-no-actions" in html and 'data-state="filed"' in html


def test_roles_without_the_command_centre_are_refused(page_people: People, filed: GridEvent) -> None:
    # The grid worker of the event's own grid sees the event, but not the command centre.
    response = client_for(page_people["hq_grid"]).get(card_url(filed))
    assert response.status_code == 403
    assert 'data-card-error="not_allowed"' in response.content.decode()
    assert client_for(None).get(card_url(filed)).status_code == 302  # to the login page


def test_the_outsider_and_unknown_items_get_404(page_people: People, filed: GridEvent) -> None:
    unit = OrgUnit.objects.get(code="320507105201-vc")
    wt_leader = make_person("wt_leader", unit=unit, role=Role.LEADER, territory_code="320507105")
    for user, path in (
        (wt_leader, card_url(filed)),
        (page_people["wt_grid"], card_url(filed)),
        (page_people["dispatcher"], "/command/map/items/999999/card/"),
    ):
        response = client_for(user).get(path)
        assert response.status_code == 404
        assert filed.receipt_number not in response.content.decode()


def post_as_card(user: User, event: GridEvent, action: str, version: int | None, **inputs: Any) -> Any:
    """What map_card.js sends: multipart with action, version, reason and the other fields as inputs."""
    api = APIClient()
    api.force_authenticate(user)
    reason = inputs.pop("reason", "")
    data: dict[str, Any] = {"action": action, "reason": reason, "inputs": json.dumps(inputs)}
    if version is not None:
        data["version"] = version
    return api.post(f"/api/v1/grid/events/{event.pk}/actions/", data, format="multipart")


def test_dispatch_from_the_card_then_the_card_shows_the_new_state(
    page_people: People, filed: GridEvent
) -> None:
    assert filed.work_item is not None
    response = post_as_card(
        page_people["dispatcher"], filed, "dispatch", filed.work_item.version, assigned_unit=URBAN
    )
    assert response.status_code == 200, response.content
    filed.work_item.refresh_from_db()
    assert filed.work_item.state == "dispatched" and filed.work_item.assigned_unit is not None
    assert filed.work_item.assigned_unit.code == URBAN
    html = client_for(page_people["dispatcher"]).get(card_url(filed)).content.decode()
    assert "dispatch" not in offered(html) and 'data-state="dispatched"' in html


def test_two_dispatchers_at_once_the_second_gets_a_clear_409(page_people: People, filed: GridEvent) -> None:
    assert filed.work_item is not None
    drawn_at = filed.work_item.version
    centre = OrgUnit.objects.get(code="320507-command")
    colleague = make_person("dispatcher2", unit=centre, role=Role.DISPATCHER)
    first = post_as_card(colleague, filed, "dispatch", drawn_at, assigned_unit=URBAN)
    assert first.status_code == 200
    second = post_as_card(page_people["dispatcher"], filed, "dispatch", drawn_at, assigned_unit=URBAN)
    assert second.status_code == 409
    assert second.json()["errors"][0]["code"] == "stale_version"
    filed.work_item.refresh_from_db()
    assert filed.work_item.version == drawn_at + 1  # the second did nothing


def test_bad_input_from_the_card_is_refused_beside_its_field(page_people: People, filed: GridEvent) -> None:
    assert filed.work_item is not None
    version = filed.work_item.version
    nowhere = "320599-nowhere"
    outside = post_as_card(page_people["dispatcher"], filed, "dispatch", version, assigned_unit=nowhere)
    assert outside.status_code in (400, 404, 422)
    assert outside.json()["errors"][0]["field"].endswith("assigned_unit")
    bad_version = post_as_card(page_people["dispatcher"], filed, "dispatch", None)
    bad_version_data = {"action": "dispatch", "version": "abc", "inputs": "{}"}
    api = APIClient()
    api.force_authenticate(page_people["dispatcher"])
    typo = api.post(f"/api/v1/grid/events/{filed.pk}/actions/", bad_version_data, format="multipart")
    assert typo.status_code == 400 and typo.json()["errors"][0]["field"] == "version"
    assert bad_version.status_code == 200  # no version: the engine acts on the current one
    filed.work_item.refresh_from_db()
    assert filed.work_item.version == version + 1


VILLAGE_UNIT = "320507003201-vc"


@pytest.fixture
def at_village(page_people: People, filed: GridEvent) -> GridEvent:
    """Dispatched to the village committee and signed for by its grid head: the village holds it."""
    act(filed, "dispatch", page_people, "dispatcher", inputs={"assigned_unit": VILLAGE_UNIT})
    act(filed, "sign", page_people, "hq_head")
    filed.refresh_from_db()
    return filed


@pytest.fixture
def village_leader() -> User:
    """A leader of the holding village committee: a command role, and of the unit that holds the item."""
    unit = OrgUnit.objects.get(code=VILLAGE_UNIT)
    return make_person("hq_village_leader", unit=unit, role=Role.LEADER, territory_code="320507003201")


def test_an_eligible_leader_whistles_from_the_card(at_village: GridEvent, village_leader: User) -> None:
    html = client_for(village_leader).get(card_url(at_village)).content.decode()
    assert offered(html) == engine_actions(at_village, village_leader)
    assert "whistle" in offered(html)
    # The whistle picker lists the units one level up covering the place (the grid's own choices).
    picker = re.search(r'<select name="whistle-assigned_unit"[^>]*>(.*?)</select>', html, re.S)
    assert picker is not None and f'value="{URBAN}"' in picker.group(1)
    assert at_village.work_item is not None
    response = post_as_card(
        village_leader,
        at_village,
        "whistle",
        at_village.work_item.version,
        reason="需要执法力量，村里处理不了",
        trigger="needs_enforcement",
        assigned_unit=URBAN,
    )
    assert response.status_code == 200, response.content
    assert response.json()["timeline"][-1]["action"] == "whistle"
    at_village.refresh_from_db()
    at_village.work_item.refresh_from_db()
    assert at_village.work_item.state == "dispatched" and at_village.level == "town"
    assert at_village.work_item.assigned_unit is not None
    assert at_village.work_item.assigned_unit.code == URBAN
    after = client_for(village_leader).get(card_url(at_village)).content.decode()
    assert "whistle" not in offered(after) and 'data-state="dispatched"' in after


def test_whistle_is_refused_to_those_the_grid_rules_exclude(
    page_people: People, at_village: GridEvent, village_leader: User
) -> None:
    assert at_village.work_item is not None
    version = at_village.work_item.version
    inputs = {"reason": "紧急", "trigger": "emergency", "assigned_unit": URBAN}
    # The centre's dispatcher and the town leader are not of the holding unit: no whistle on their card,
    # and a post is refused by the step's handler.
    for who in ("dispatcher", "hq_leader"):
        user = page_people[who]
        html = client_for(user).get(card_url(at_village)).content.decode()
        assert "whistle" not in offered(html)
        refused = post_as_card(user, at_village, "whistle", version, **dict(inputs))
        assert refused.status_code == 403, refused.content
    # Bad input from an eligible whistler: the field is named, nothing changes.
    skipped = post_as_card(
        village_leader, at_village, "whistle", version, **{**inputs, "assigned_unit": "320507-command"}
    )
    assert skipped.status_code == 400 and skipped.json()["errors"][0]["field"].endswith("assigned_unit")
    no_reason = post_as_card(village_leader, at_village, "whistle", version, **{**inputs, "reason": ""})
    assert no_reason.status_code == 400 and no_reason.json()["errors"][0]["field"] == "reason"
    at_village.refresh_from_db()
    at_village.work_item.refresh_from_db()
    assert at_village.work_item.state == "handling" and at_village.work_item.version == version
    assert at_village.level == "village"
