"""POST /api/v1/auth/token/"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from accounts.testing import PASSWORD
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db
URL = "/api/v1/auth/token/"


def test_token_for_good_credentials_and_it_authenticates(api: APIClient, personas: dict[str, User]) -> None:
    response = api.post(URL, {"username": "hq_leader", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    event = AuditEvent.objects.filter(action="accounts.api_token.issued").get()
    assert event.actor_id == personas["hq_leader"].pk and event.after == {"new": True}
    again = api.post(URL, {"username": "hq_leader", "password": PASSWORD}, format="json")
    assert again.json()["token"] == token
    me = APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}")
    assert me.status_code == 200 and me.json()["user"]["username"] == "hq_leader"


def test_bad_credentials_give_invalid_credentials(api: APIClient, personas: dict[str, User]) -> None:
    response = api.post(URL, {"username": "hq_leader", "password": "wrong"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "invalid_credentials"
    failed = AuditEvent.objects.filter(action="accounts.login_failed").get()
    assert failed.after == {"username": "hq_leader"} and "wrong" not in str(failed.after)


def test_system_user_cannot_get_a_token(api: APIClient, personas: dict[str, User]) -> None:
    response = api.post(URL, {"username": "system", "password": ""}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "password"


@pytest.mark.parametrize(
    ("body", "field"), [({"password": "x"}, "username"), ({"username": "x"}, "password")]
)
def test_missing_field_is_named(
    api: APIClient, personas: dict[str, User], body: dict[str, str], field: str
) -> None:
    response = api.post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field


def test_bad_token_header_is_ignored_by_the_token_endpoint(api: APIClient, personas: dict[str, User]) -> None:
    response = api.post(
        URL,
        {"username": "hq_leader", "password": PASSWORD},
        format="json",
        HTTP_AUTHORIZATION="Token nonsense",
    )
    assert response.status_code == 200
