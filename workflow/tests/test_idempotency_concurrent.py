"""Idempotency-Key at the same moment: requests with one key released together by a barrier, each on
its own connection. Every one gets the first one's answer (the others replayed), never a 409, and the
work is done once."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from rest_framework.test import APIClient

from workflow.models import IdempotencyRecord, Transition, WorkItem
from workflow.tests.conftest import at
from workflow.tests.test_concurrency import run_at_once

REQUESTS = 8


@pytest.mark.postgres
def test_same_key_at_the_same_moment_replays_instead_of_409(
    on_postgres: None, transactional_db: None, personas: dict[str, Any], handling_item: WorkItem
) -> None:
    agency = personas["hq_agency"]
    url = f"/api/v1/work-items/{handling_item.pk}/transitions/"
    body = {"action": "park", "reason": "等待业主", "inputs": {}}

    def send() -> Any:
        client = APIClient()
        client.force_authenticate(agency)
        return client.post(url, body, format="json", headers={"Idempotency-Key": "park-once"})

    with time_machine.travel(at(2026, 10, 8), tick=False):
        responses = run_at_once(*[send] * REQUESTS)
    assert [r.status_code for r in responses] == [200] * REQUESTS
    assert all(r.json() == responses[0].json() for r in responses)
    assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in responses) == REQUESTS - 1
    assert Transition.objects.filter(item=handling_item, action="park").count() == 1
    assert IdempotencyRecord.objects.filter(key="park-once").count() == 1
