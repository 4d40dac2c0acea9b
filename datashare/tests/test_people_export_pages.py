"""The people export page: a staff member requests from the page, a steward of the territory decides there
(the requester never sees their own request to decide), the requester downloads until it expires.
Refused roles, the outsider, bad input (nothing written)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from accounts.models import User
from datashare.models import PeopleExport
from datashare.tests.conftest import HQ, NOW
from registry.models import Person

pytestmark = pytest.mark.django_db
URL = "/datashare/people-exports/"
HOUR = timedelta(hours=1)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_request(user: User, **extra: Any) -> Any:
    body = {
        "territory_code": HQ,
        "export_fields": ["name", "id_number", "kind"],
        "unmasked": ["name"],
        "purpose": "防汛转移名单核对",
    }
    with time_machine.travel(NOW, tick=False):
        return client_for(user).post(URL, {**body, **extra})


def test_request_decide_and_download_from_the_page(people: dict[str, User], residents: list[Person]) -> None:
    officer, steward = people["hq_officer"], people["hq_steward"]
    assert post_request(officer).status_code == 303
    export = PeopleExport.objects.get()
    with time_machine.travel(NOW, tick=False):
        own = client_for(officer).get(URL).content.decode()
        waiting = client_for(steward).get(URL).content.decode()
    assert f'data-export="{export.pk}"' in own and 'id="to-review"' not in own
    assert 'id="to-review"' in waiting and "防汛转移名单核对" in waiting
    with time_machine.travel(NOW + HOUR, tick=False):
        decided = client_for(steward).post(f"{URL}{export.pk}/review/", {"action": "approve"})
    assert decided.status_code == 303
    with time_machine.travel(NOW + 2 * HOUR, tick=False):
        listed = client_for(officer).get(URL).content.decode()
        file = client_for(officer).get(f"{URL}{export.pk}/export.xlsx")
    assert "可下载" in listed and f"{URL}{export.pk}/export.xlsx" in listed
    assert file.status_code == 200 and file["Cache-Control"] == "no-store"
    with time_machine.travel(NOW + HOUR + timedelta(hours=73), tick=False):
        late = client_for(officer).get(f"{URL}{export.pk}/export.xlsx")
        expired = client_for(officer).get(URL).content.decode()
    assert late.status_code == 303 and "已过期" in expired


def test_the_outsider_and_refused_roles(people: dict[str, User], residents: list[Person]) -> None:
    post_request(people["hq_officer"])
    export = PeopleExport.objects.get()
    with time_machine.travel(NOW + HOUR, tick=False):
        outsider = client_for(people["wt_steward"]).post(f"{URL}{export.pk}/review/", {"action": "approve"})
        agency = client_for(people["hq_agency"]).post(f"{URL}{export.pk}/review/", {"action": "approve"})
        own = client_for(people["hq_officer"]).post(f"{URL}{export.pk}/review/", {"action": "approve"})
        stranger = client_for(people["hq_steward"]).get(f"{URL}{export.pk}/export.xlsx")
    assert outsider.status_code == 404 and stranger.status_code == 404
    assert agency.status_code == 303 and own.status_code == 303  # refused with a message
    export.refresh_from_db()
    assert export.status == "requested"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"territory_code": "320507105"}, ""),
        ({"export_fields": []}, ""),
        ({"unmasked": ["phone"]}, "明文字段"),
        ({"purpose": ""}, ""),
    ],
)
def test_bad_input_writes_nothing(
    people: dict[str, User], residents: list[Person], change: dict[str, Any], message: str
) -> None:
    answer = post_request(people["hq_officer"], **change)
    assert answer.status_code in (400, 404)
    if message:
        assert message in answer.content.decode()
    assert not PeopleExport.objects.exists()
