"""/ratings/figures/ picks a service centre by name from the centres in the user's jurisdiction (no code
typed); the pick narrows the figures; another town's centre is neither offered nor accepted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from django.test import Client

from ratings.models import Rating
from ratings.tests.factories import make_application
from ratings.tests.test_pages import WINDOW_FORM

pytestmark = pytest.mark.django_db


def _login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def rated(people: dict[str, Any], item: Any, now: datetime, frozen: Any) -> Any:
    application = make_application(centre=people["hq_centre"], clerk=people["hq_clerk"], item=item, now=now)
    _login(people["hq_clerk"]).post(f"/ratings/pad/{application.pk}/", WINDOW_FORM)
    assert Rating.objects.filter(application=application).exists()
    return application


def test_centres_offered_by_name_within_jurisdiction(people: dict[str, Any], rated: Any) -> None:
    hq, wt = people["hq_centre"], people["wt_centre"]
    body = _login(people["hq_leader"]).get("/ratings/figures/").content.decode()
    assert f'<option value="{hq.code}">{hq.name}</option>' in body
    assert f'value="{wt.code}"' not in body
    assert 'name="centre" data-search' in body and 'type="text" name="centre"' not in body


def test_picking_a_centre_narrows_the_figures(people: dict[str, Any], rated: Any) -> None:
    hq = people["hq_centre"]
    page = _login(people["hq_leader"]).get("/ratings/figures/", {"centre": hq.code})
    body = page.content.decode()
    assert page.status_code == 200
    assert f'<option value="{hq.code}" selected>{hq.name}</option>' in body
    assert "100%" in body


def test_another_towns_centre_is_refused(people: dict[str, Any], rated: Any) -> None:
    page = _login(people["hq_leader"]).get("/ratings/figures/", {"centre": people["wt_centre"].code})
    assert page.status_code == 404
    assert 'data-field-error="centre"' in page.content.decode()
    unknown = _login(people["hq_leader"]).get("/ratings/figures/", {"centre": "no-such-centre"})
    assert unknown.status_code == 404
