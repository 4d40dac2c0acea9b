"""Long imports in the background: the page queues the job and shows a progress bar polling it; the
worker's run fills in the counts or every problem (with the error report); only the uploader sees it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.test import Client
from openpyxl import load_workbook

from registry import import_jobs
from registry.models import Person
from registry.tasks import run_import
from registry.tests.conftest import HQ_GRID
from registry.tests.test_import_page import upload
from registry.tests.test_imports import GOOD, idn

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def background(settings, tmp_path):
    settings.REGISTRY_IMPORT_BACKGROUND_BYTES = 10  # every test file counts as long
    settings.VAR_DIR = tmp_path


def as_user(user):
    client = Client()
    client.force_login(user)
    return client


def queued(client, rows) -> str:
    """Upload a long file; the test settings run huey tasks at once, as a consumer would pick it up."""
    response = client.post("/registry/import/", {"kind": "people", "file": upload(rows)})
    assert response.status_code == 303, response.content.decode()
    return response["Location"].rstrip("/").split("/")[-1]


def test_long_file_runs_in_the_background_with_progress(people):
    steward = people["hq_steward"]
    client = as_user(steward)
    token = queued(client, GOOD)
    state = import_jobs.state_for(steward, token)
    assert state is not None and state["status"] == "done" and (state["done"], state["total"]) == (4, 4)
    assert state["report"]["created"] == 4 and Person.objects.count() == 4
    assert not list(Path(import_jobs._directory()).glob(f"{token}.csv"))  # the upload is removed
    page = client.get(f"/registry/import/jobs/{token}/").content.decode()
    assert "新增 4 条" in page and "hx-trigger" not in page
    fragment = client.get(f"/registry/import/jobs/{token}/", HTTP_HX_REQUEST="true").content.decode()
    assert "新增 4 条" in fragment and "<html" not in fragment


def test_the_bar_polls_while_the_job_is_queued_or_running(people):
    steward = people["hq_steward"]
    client = as_user(steward)
    import_jobs.save_state("job-1", {"owner": steward.pk, "kind": "people", "status": "queued"})
    assert 'hx-trigger="every 1s"' in client.get("/registry/import/jobs/job-1/").content.decode()
    import_jobs.save_state(
        "job-1", {"owner": steward.pk, "kind": "people", "status": "running", "done": 500, "total": 2000}
    )
    fragment = client.get("/registry/import/jobs/job-1/", HTTP_HX_REQUEST="true").content.decode()
    assert 'max="2000" value="500"' in fragment and "已导入 500 / 2000 行" in fragment
    assert 'hx-trigger="every 1s"' in fragment


def test_the_worker_run_reports_progress_and_removes_the_upload(people, tmp_path):
    steward = people["hq_steward"]
    stored = tmp_path / "long.csv"
    stored.write_bytes(upload(GOOD).read())
    import_jobs.save_state("job-2", {"owner": steward.pk, "kind": "people", "status": "queued"})
    state = run_import.call_local("job-2", "people", steward.pk, str(stored))
    assert state["status"] == "done" and state["total"] == 4 and not stored.exists()


def test_a_bad_long_file_imports_nothing_and_offers_the_error_report(people):
    steward = people["hq_steward"]
    client = as_user(steward)
    token = queued(client, [*GOOD, [HQ_GRID, "甲", idn(30)[:-1] + "Y", "", "", "", ""]])
    state = import_jobs.state_for(steward, token)
    assert state is not None and state["status"] == "failed" and state["problem_count"] == 1
    assert not Person.objects.exists()
    page = client.get(f"/registry/import/jobs/{token}/").content.decode()
    assert "未导入任何数据" in page and "身份证号" in page
    report = client.get(f"/registry/import/jobs/{token}/errors/")
    assert report.status_code == 200
    sheet = load_workbook(io.BytesIO(report.content)).active
    assert sheet is not None and sheet.max_row == 2


def test_only_the_uploader_sees_the_job(people):
    steward = people["hq_steward"]
    token = queued(as_user(steward), GOOD)
    for other in ("hq_clerk", "wt_steward"):
        assert as_user(people[other]).get(f"/registry/import/jobs/{token}/").status_code == 404
        assert as_user(people[other]).get(f"/registry/import/jobs/{token}/errors/").status_code == 404
    assert as_user(steward).get("/registry/import/jobs/nonexistent/").status_code == 404
    assert as_user(steward).get("/registry/import/jobs/../errors/").status_code == 404
    assert Client().get(f"/registry/import/jobs/{token}/").status_code == 302


def test_refused_roles_cannot_queue(people):
    response = as_user(people["hq_clerk"]).post("/registry/import/", {"kind": "people", "file": upload(GOOD)})
    assert response.status_code == 403 and not list(Path(import_jobs._directory()).iterdir())
