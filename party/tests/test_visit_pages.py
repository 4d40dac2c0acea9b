from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from grid.models import GridEvent
from party.models import Visit
from party.tests.test_visits import POINT, planned, png  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_member_sees_month_and_logs_a_visit(planned: dict[str, Any], frozen: Any) -> None:  # noqa: F811
    client = client_for(planned["member_user"])
    page = client.get("/party/m/visits/")
    assert page.status_code == 200 and page.content.decode().count("data-visit=") == 2
    visit = planned["plan"][0]
    response = client.post(
        f"/party/m/visits/{visit.pk}/",
        {
            "lon": POINT[0],
            "lat": POINT[1],
            "note": "走访",
            "photo": png(),
            "problem": "井盖缺失",
            "category_code": "0402",
        },
    )
    assert response.status_code == 302
    assert GridEvent.objects.get().channel == "party_link"


def test_bad_input_and_strangers(planned: dict[str, Any], frozen: Any) -> None:  # noqa: F811
    visit = planned["plan"][0]
    client = client_for(planned["member_user"])
    no_position = client.post(f"/party/m/visits/{visit.pk}/", {"note": "走访"})
    assert no_position.status_code == 400
    no_note = client.post(f"/party/m/visits/{visit.pk}/", {"lon": POINT[0], "lat": POINT[1], "note": ""})
    assert no_note.status_code == 400 and "请填写走访记录" in no_note.content.decode()
    assert not Visit.objects.filter(visited_at__isnull=False).exists()
    for name in ("hq_leader", "wt_leader"):
        stranger = client_for(planned["users"][name])
        assert stranger.get(f"/party/m/visits/{visit.pk}/").status_code == 404
        assert stranger.get("/party/m/visits/").status_code == 403
    assert Client().get("/party/m/visits/").status_code == 302
