"""Unknown addresses: a page in the site's layout for people, the error envelope for programs."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, RequestFactory

from zhili.errors import server_error


@pytest.mark.django_db
def test_an_unknown_page_keeps_the_layout_for_a_resident(client: Client) -> None:
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    text = response.content.decode()
    assert "页面不存在" in text and "/no-such-page/" in text
    assert 'class="topbar"' in text  # the site's header and navigation, not Django's bare "Not Found"
    assert 'href="/login/"' in text


def test_an_unknown_page_shows_a_member_of_staff_their_navigation(personas: dict[str, Any]) -> None:
    client = Client()
    client.force_login(personas["dispatcher"])

    response = client.get("/grid/no-such-page/")

    assert response.status_code == 404
    text = response.content.decode()
    assert 'class="mainnav"' in text and "退出" in text


@pytest.mark.django_db
def test_an_unknown_api_address_gets_the_envelope(client: Client) -> None:
    response = client.get("/api/v1/no-such-endpoint/")

    assert response.status_code == 404
    assert response.json() == {
        "errors": [{"code": "not_found", "message": "Not found. 未找到。", "field": None}]
    }


def test_a_crash_gets_a_page_that_needs_no_database() -> None:
    page = server_error(RequestFactory().get("/grid/dispatch/"))
    api = server_error(RequestFactory().get("/api/v1/work-items/"))

    assert page.status_code == 500 and "服务器内部错误" in page.content.decode()
    assert api.status_code == 500 and api["Content-Type"] == "application/json"


@pytest.mark.django_db
def test_the_not_found_page_speaks_english_too(client: Client) -> None:
    response = client.get("/no-such-page/", headers={"accept-language": "en"})

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
