"""The OpenAPI document of the whole API (every app's endpoints) generates without warnings or errors and
validates against the OpenAPI 3 schema."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_schema_generates_without_warnings(tmp_path: Path) -> None:
    out = tmp_path / "schema.yaml"
    # --fail-on-warn turns any drf-spectacular warning into SchemaGenerationError.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    assert "/api/v1/auth/token/" in text and "/api/v1/people/{username}/" in text


def test_schema_endpoint_serves_json() -> None:
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert "/api/v1/me/" in response.json()["paths"]
