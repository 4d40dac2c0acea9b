"""改类 on the dispatcher's pages: a report a resident left without a class is marked in the review queue,
which offers a class picker by name inline (htmx row) and the event page's form; a wrong class is refused
beside the field; roles that may not reclassify are not offered the form and are refused when they post."""

from __future__ import annotations

import re

import pytest

from accounts.models import User
from grid.models import GridEvent
from grid.tests import test_pages_support as support
from grid.tests.test_pages_support import URBAN, client_for, report

pytestmark = pytest.mark.django_db
page_people = support.page_people  # fixture
People = dict[str, User]


def _unclassified(people: People) -> GridEvent:
    return report(people, who=None, category_code="", address="黄桥路12号")


def test_review_queue_marks_and_reclassifies_an_unclassified_report_inline(page_people: People) -> None:
    event = _unclassified(page_people)
    classified = report(page_people)
    client = client_for(page_people["dispatcher"])
    html = client.get("/grid/dispatch/").content.decode()
    row = re.search(rf'<tr data-event="{event.receipt_number}">.*?</tr>', html, re.S)
    other = re.search(rf'<tr data-event="{classified.receipt_number}">.*?</tr>', html, re.S)
    assert row is not None and other is not None
    assert "data-unclassified" in row.group(0) and "data-unclassified" not in other.group(0)
    picker = re.search(r'<select name="reclassify-category_code".*?</select>', row.group(0), re.S)
    assert picker is not None and '<option value="0102">暴露垃圾</option>' in picker.group(0)
    assert "selected" not in picker.group(0)  # nothing preselected
    assert f'href="/grid/events/{classified.pk}/#act-reclassify"' in other.group(0)

    assert event.work_item is not None
    done = client.post(
        f"/grid/events/{event.pk}/act/",
        {
            "action": "reclassify",
            "reclassify-action": "reclassify",
            "reclassify-version": event.work_item.version,
            "reclassify-category_code": "0102",
        },
        HTTP_HX_REQUEST="true",
    )
    assert done.status_code == 200 and 'data-done="true"' in done.content.decode()
    event.refresh_from_db()
    assert event.category.code == "0102" and event.title == "暴露垃圾（黄桥路12号）"
    assert event.work_item is not None and event.work_item.state == "filed"
    # The dispatch queue now pre-selects the unit routed by the new class.
    html = client.get("/grid/dispatch/dispatch/").content.decode()
    assert re.search(rf'<option value="{URBAN}" selected>', html)


def test_event_page_form_and_errors_beside_the_field(page_people: People) -> None:
    event = _unclassified(page_people)
    client = client_for(page_people["dispatcher"])
    html = client.get(f"/grid/events/{event.pk}/").content.decode()
    assert 'id="act-reclassify"' in html and 'name="reclassify-category_code"' in html
    assert "data-unclassified" in html
    refused = client.post(
        f"/grid/events/{event.pk}/act/",
        {"action": "reclassify", "reclassify-action": "reclassify", "reclassify-category_code": "9999"},
    )
    assert refused.status_code == 400
    event.refresh_from_db()
    assert event.category.code == "0601"
    done = client.post(
        f"/grid/events/{event.pk}/act/",
        {
            "action": "reclassify",
            "reclassify-action": "reclassify",
            "reclassify-category_code": "0201",
            "reclassify-reason": "实为小广告",
        },
    )
    assert done.status_code == 303
    event.refresh_from_db()
    assert event.category.code == "0201"


def test_other_roles_are_not_offered_it_and_are_refused(page_people: People) -> None:
    event = _unclassified(page_people)
    for who in ("hq_grid", "hq_agency"):
        client = client_for(page_people[who])
        page = client.get(f"/grid/events/{event.pk}/")
        assert 'id="act-reclassify"' not in page.content.decode()
        refused = client.post(
            f"/grid/events/{event.pk}/act/",
            {"action": "reclassify", "reclassify-action": "reclassify", "reclassify-category_code": "0102"},
        )
        assert refused.status_code in (403, 404)
    outsider = client_for(page_people["wt_grid"])
    assert outsider.get(f"/grid/events/{event.pk}/").status_code == 404
    event.refresh_from_db()
    assert event.category.code == "0601"


def test_void_without_scripts_asks_to_confirm_in_a_second_step(page_people: People) -> None:
    """作废 (destructive) posted from the event page without the page's script: the form comes back filled
    in, asking to confirm; nothing is taken until the confirmed post."""
    event = report(page_people)
    client = client_for(page_people["dispatcher"])
    posted = {"action": "void", "void-action": "void", "void-reason": "非本区问题"}
    asked = client.post(f"/grid/events/{event.pk}/act/", posted)
    page = asked.content.decode()
    assert asked.status_code == 200 and 'data-confirming="void"' in page
    assert '<input type="hidden" name="confirmed" value="1">' in page and "非本区问题</textarea>" in page
    event.refresh_from_db()
    assert event.work_item is not None and event.work_item.state == "reported"
    done = client.post(f"/grid/events/{event.pk}/act/", {**posted, "confirmed": "1"})
    assert done.status_code == 303
    event.work_item.refresh_from_db()
    assert event.work_item.state == "voided"


def test_queue_rows_show_destructive_buttons_apart(page_people: People) -> None:
    report(page_people)
    html = client_for(page_people["dispatcher"]).get("/grid/dispatch/").content.decode()
    void = re.search(r'<button[^>]*data-act="void"[^>]*>', html)
    file = re.search(r'<button[^>]*data-act="file"[^>]*>', html)
    assert void is not None and "btn danger" in void.group(0) and "data-confirm=" in void.group(0)
    assert file is not None and "danger" not in file.group(0)
