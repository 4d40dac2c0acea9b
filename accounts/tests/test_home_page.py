"""The profile home (/me/) names the division or grid of each assignment, with its code beside it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from territory.models import Division, Grid

pytestmark = pytest.mark.django_db


def test_assignments_show_the_place_by_name(client: Client, personas: dict[str, Any]) -> None:
    worker = personas["hq_grid"]
    assignment = worker.assignments.filter(active=True).first()
    code = assignment.territory_code
    name = (Grid.objects.filter(code=code).first() or Division.objects.get(code=code)).name
    client.force_login(worker)
    html = client.get("/me/").content.decode()
    assert f'<td>{name} <span class="muted small">{code}</span></td>' in html


def test_each_assignment_row_carries_its_place(client: Client, personas: dict[str, Any]) -> None:
    from accounts.selectors import profile_for

    worker = personas["hq_grid"]
    rows = profile_for(worker).assignment_rows
    assert rows and all(place.code == a.territory_code for a, place in rows)
    client.force_login(personas["hq_agency"])
    assert client.get("/me/").status_code == 200


def test_anonymous_is_sent_to_login(client: Client, territory: Any) -> None:
    response = client.get("/me/")
    assert response.status_code == 302 and "/login/" in response["Location"]
