"""Real concurrency on PostgreSQL: two connections (threads) taking the same action at once, and two
sweepers (threads, and two huey consumers on Redis) escalating the same rows at once."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from audit.models import AuditEvent
from core.errors import Conflict
from workflow.engine import transition
from workflow.models import Transition, WorkItem
from workflow.sweeper import SweepReport, sweep
from workflow.tests.conftest import URBAN, at

DUE = at(2026, 10, 13, 17, 30)


def run_at_once(*jobs: Callable[[], Any]) -> list[Any]:
    """Run each job in its own thread (its own database connection), released together by a barrier."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def runner(index: int, job: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = job()
        except Exception as error:
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.postgres
def test_two_actors_same_action_exactly_one_wins(
    on_postgres: None, transactional_db: None, personas: dict[str, Any], handling_item: WorkItem
) -> None:
    def park(username: str) -> Callable[[], WorkItem]:
        def job() -> WorkItem:
            mine = WorkItem.objects.select_related("process_version").get(pk=handling_item.pk)
            return transition(
                mine, "park", actor=personas[username], now=at(2026, 10, 8), reason=f"{username} 挂账"
            )

        return job

    results = run_at_once(park("hq_agency"), park("hq_agency_colleague"))
    winners = [r for r in results if isinstance(r, WorkItem)]
    losers = [r for r in results if isinstance(r, Conflict)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert losers[0].status == 409 and losers[0].code in {"stale_version", "invalid_transition"}
    assert "刷新" in losers[0].message or "不能执行" in losers[0].message
    assert Transition.objects.filter(item=handling_item, action="park").count() == 1
    assert WorkItem.objects.get(pk=handling_item.pk).version == handling_item.version + 1


def _overdue_items(personas: dict[str, Any], start_item: Callable[..., WorkItem], count: int) -> list[int]:
    ids = []
    for n in range(count):
        item = start_item(at(2026, 9, 29), title=f"事件{n}")
        transition(
            item,
            "dispatch",
            actor=personas["dispatcher"],
            now=at(2026, 9, 30),
            inputs={"assigned_unit": URBAN},
        )
        ids.append(item.pk)
    return ids


def _assert_each_escalated_once(ids: list[int]) -> None:
    for pk in ids:
        assert Transition.objects.filter(item_id=pk, action="supervise").count() == 1
        assert AuditEvent.objects.filter(action="workflow.overdue", subject_id=str(pk)).count() == 1
        assert AuditEvent.objects.filter(action="workflow.warn", subject_id=str(pk)).count() == 1


@pytest.mark.postgres
def test_two_sweepers_escalate_each_item_exactly_once(
    on_postgres: None, transactional_db: None, personas: dict[str, Any], start_item: Callable[..., WorkItem]
) -> None:
    ids = _overdue_items(personas, start_item, 12)
    reports = run_at_once(lambda: sweep(now=DUE), lambda: sweep(now=DUE))
    assert all(isinstance(r, SweepReport) for r in reports), reports
    assert sum(r.overdue for r in reports) == 12 and sum(r.escalated for r in reports) == 12
    assert sum(r.warned for r in reports) == 12 and sum(r.failed for r in reports) == 0
    _assert_each_escalated_once(ids)


def _close_connections_after(job: Callable[[], Any]) -> Callable[[], Any]:
    def wrapped() -> Any:
        try:
            return job()
        finally:
            connections.close_all()

    return wrapped


@pytest.mark.postgres
@pytest.mark.redis
def test_two_huey_consumers_on_redis_escalate_each_item_exactly_once(
    on_postgres: None, transactional_db: None, personas: dict[str, Any], start_item: Callable[..., WorkItem]
) -> None:
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url:
        pytest.skip("needs a Redis server (set REDIS_URL)")
    from huey import RedisHuey
    from huey.consumer import Consumer

    ids = _overdue_items(personas, start_item, 12)
    huey = RedisHuey(name=f"zhili-test-{uuid.uuid4().hex}", url=redis_url, results=True)
    sweep_task = huey.task(name="sweep_at")(_close_connections_after(lambda: _report_dict(sweep(now=DUE))))
    consumers = [Consumer(huey, workers=2, worker_type="thread", periodic=False) for _ in range(2)]
    try:
        results = [sweep_task() for _ in range(4)]
        for consumer in consumers:
            consumer.start()
        reports = [result.get(blocking=True, timeout=60) for result in results]
    finally:
        for consumer in consumers:
            consumer.stop(graceful=True)
        huey.storage.flush_all()
        connections.close_all()
    assert sum(r["overdue"] for r in reports) == 12 and sum(r["escalated"] for r in reports) == 12
    assert sum(r["failed"] for r in reports) == 0
    _assert_each_escalated_once(ids)
    assert connection.vendor == "postgresql"


def _report_dict(report: SweepReport) -> dict[str, int]:
    return {
        "warned": report.warned,
        "overdue": report.overdue,
        "escalated": report.escalated,
        "failed": report.failed,
    }
