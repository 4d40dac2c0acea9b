"""The licences admin is read-only and never shows encrypted numbers."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from licences.tests.conftest import ID_NUMBER, issue

pytestmark = pytest.mark.django_db


def test_admin_lists_without_personal_numbers(client: Client, staff: dict[str, Any]) -> None:
    certificate = issue(staff)
    admin = User.objects.create_superuser("root", password="x")
    client.force_login(admin)
    listing = client.get("/admin/licences/certificate/")
    assert listing.status_code == 200 and certificate.identifier in listing.content.decode()
    detail = client.get(f"/admin/licences/certificate/{certificate.pk}/change/")
    assert detail.status_code == 200
    assert (
        ID_NUMBER not in detail.content.decode()
        and certificate.holder_number_hash not in detail.content.decode()
    )
    assert client.get("/admin/licences/certificate/add/").status_code == 403
    assert client.get("/admin/licences/propertyrecord/").status_code == 200
    assert client.get("/admin/licences/licencetype/").status_code == 200
