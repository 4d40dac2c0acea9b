"""A data steward's long import: the progress bar of a running job, then the result once the worker is
done (the fragment polls itself) — in Chromium."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import OrgUnit, Role
from accounts.testing import PASSWORD, make_person
from registry import import_jobs
from tests.browser.conftest import PageProblems, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_progress_bar_then_result(
    live_server: Any,
    page: Any,
    problems: PageProblems,
    personas: dict[str, Any],
    settings: Any,
    tmp_path: Any,
) -> None:
    settings.VAR_DIR = tmp_path
    steward = make_person(
        "hq_steward", unit=OrgUnit.objects.get(code="320507003-gov"), role=Role.DATA_STEWARD
    )
    running = {"owner": steward.pk, "kind": "people", "status": "running", "done": 42_000, "total": 100_000}
    import_jobs.save_state("job-b", running)
    log_in(page, live_server.url, "hq_steward", PASSWORD)
    page.goto(f"{live_server.url}/registry/import/jobs/job-b/")
    assert "已导入 42000 / 100000 行" in page.inner_text("#import-job")
    screenshot(page, "registry-import-progress")
    report = {"created": 99_990, "duplicates": 10, "households": 0, "rows": 100_000}
    import_jobs.save_state("job-b", {**running, "status": "done", "done": 100_000, "report": report})
    page.wait_for_selector("#import-job[data-status='done']", timeout=10_000)
    assert "新增 99990 条" in page.inner_text("#import-job")
    assert problems.errors == []
