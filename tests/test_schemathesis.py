"""The API against its OpenAPI document (`/api/schema/`), with schemathesis driving the Django WSGI app in
process: every operation, examples generated from the document with a fixed seed and a bounded count,
as a signed-in dispatcher of the district (token authentication) over a small seeded territory. The
contract: no server error and no response outside the documented schema."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, Phase, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from accounts.models import User

MAX_EXAMPLES = 6  # per operation: ~100 operations, about two minutes of one core

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
schema.config.generation.update(max_examples=MAX_EXAMPLES, deterministic=True)


@pytest.fixture
def keep_connection() -> Iterator[None]:
    """The WSGI handler closes the database connection at the end of each request, which would close the
    test's transaction: hold it open as Django's own test client does."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token(db: None, personas: dict[str, User], media: Any, keep_connection: None) -> Iterator[str]:
    from grid.standards.actions import do_seed_reference

    do_seed_reference(actor=personas["system"], now=timezone.now())
    yield Token.objects.create(user=personas["dispatcher"]).key


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.mark.django_db(transaction=False)
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_as_documented(case: Any, token: str) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Token {token}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
