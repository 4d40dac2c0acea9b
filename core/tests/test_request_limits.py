"""Oversize or malformed request bodies are refused from their headers, before the body is read, with the
error envelope (never Django's HTML 400 page)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from core.testing import image_bytes

pytestmark = pytest.mark.django_db
REPORTS = "/api/v1/public/reports/"
MB = 1024 * 1024


def _envelope(response: Any, status: int, code: str) -> None:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert json.loads(response.content)["errors"][0]["code"] == code


def test_a_3_mb_json_body_gets_413_in_the_envelope(client: Client) -> None:
    body = json.dumps({"description": "x" * (3 * MB), "category_code": "0101"})
    _envelope(client.post(REPORTS, body, content_type="application/json"), 413, "request_too_large")


@pytest.mark.parametrize("claimed", [60 * MB, 9 * 10 * MB])  # a 60 MB body; nine 10 MB photos
def test_an_oversize_multipart_body_is_refused_before_it_is_read(client: Client, claimed: int) -> None:
    # The body sent is tiny: only its declared length is looked at, so nothing of it was read.
    response = client.generic(
        "POST",
        REPORTS,
        b"--x--\r\n",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(claimed),
    )
    _envelope(response, 413, "request_too_large")
    assert response["Connection"] == "close"


def test_evidence_uploads_have_their_own_larger_limit(client: Client, settings: Any) -> None:
    path = "/api/v1/enforcement/cases/1/record/"
    within = client.generic(
        "POST",
        path,
        b"--x--\r\n",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(60 * MB),
    )
    assert within.status_code != 413  # reaches the view (which asks for a login)


def test_a_bad_content_length_is_refused(client: Client) -> None:
    response = client.generic("POST", REPORTS, b"{}", content_type="application/json", CONTENT_LENGTH="lots")
    _envelope(response, 400, "invalid_content_length")


def test_too_many_files_get_the_envelope(client: Client) -> None:
    files = [SimpleUploadedFile(f"p{n}.png", image_bytes("PNG"), content_type="image/png") for n in range(11)]
    response = client.post(REPORTS, {"category_code": "0101", "description": "路灯坏了", "photos": files})
    _envelope(response, 400, "too_many_files")
