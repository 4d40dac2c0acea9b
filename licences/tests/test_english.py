"""The public pages have English (licences/locale)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

pytestmark = pytest.mark.django_db


def test_self_service_home_in_english(client: Client) -> None:
    with translation.override("en"):
        html = client.get("/selfservice/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No-housing certificate" in html and "Verify a certificate" in html
