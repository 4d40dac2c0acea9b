"""The report form is filed once: each copy of the form carries a one-time token, and a second POST of the
same copy (a double tap while the photos upload, a retry after a lost answer) answers with the first
report's receipt instead of filing another event. The same copy sent with other content is refused with a
fresh token, so nothing is lost and the next submit files it; a refused submit does not spend the token."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from grid.models import EventAttachment, GridEvent
from grid.tests import test_pages_support as support
from grid.tests.test_pages_support import HQ_POINT, png
from workflow.models import IdempotencyRecord

pytestmark = pytest.mark.django_db
page_people = support.page_people  # fixture
People = dict[str, User]

TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


def _form(client: Client) -> dict[str, Any]:
    html = client.get("/grid/report/").content.decode()
    found = TOKEN.search(html)
    assert found is not None, "the form carries a one-time token"
    return {
        "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        "form_token": found.group(1),
        "category": "event:0102",
        "description": "小区门口垃圾",
        "lon": HQ_POINT[0],
        "lat": HQ_POINT[1],
    }


def test_a_double_post_files_one_event_and_both_answer_with_its_receipt(page_people: People) -> None:
    client = Client(enforce_csrf_checks=True)
    values = _form(client)
    first = client.post("/grid/report/", {**values, "photos": [png()]})
    second = client.post("/grid/report/", {**values, "photos": [png()]})
    assert first.status_code == second.status_code == 303
    assert first["Location"] == second["Location"]
    event = GridEvent.objects.get()
    assert first["Location"] == f"/grid/report/{event.receipt_number}/done/"
    assert EventAttachment.objects.filter(event=event).count() == 1
    assert event.receipt_number in client.get(second["Location"]).content.decode()


def test_each_copy_of_the_form_has_its_own_token(page_people: People) -> None:
    client = Client()
    one, two = _form(client), _form(client)
    assert one["form_token"] != two["form_token"]
    client.post("/grid/report/", one)
    client.post("/grid/report/", two)
    assert GridEvent.objects.count() == 2


def test_the_same_copy_with_other_content_is_refused_and_nothing_is_lost(page_people: People) -> None:
    client = Client()
    values = _form(client)
    assert client.post("/grid/report/", values).status_code == 303
    changed = {**values, "description": "另一处：路灯不亮"}
    refused = client.post("/grid/report/", changed)
    html = refused.content.decode()
    assert refused.status_code == 400 and "这份表单已经提交过" in html and "另一处：路灯不亮" in html
    renewed = TOKEN.search(html)
    assert renewed is not None and renewed.group(1) != values["form_token"]
    assert GridEvent.objects.count() == 1
    again = client.post("/grid/report/", {**changed, "form_token": renewed.group(1)})
    assert again.status_code == 303
    descriptions = set(GridEvent.objects.values_list("description", flat=True))
    assert descriptions == {"小区门口垃圾", "另一处：路灯不亮"}


def test_a_refused_submit_does_not_spend_the_token(page_people: People) -> None:
    client = Client()
    values = _form(client)
    refused = client.post("/grid/report/", {**values, "lon": 116.4, "lat": 39.9})
    assert refused.status_code == 400 and "不在本区任何网格内" in refused.content.decode()
    assert not IdempotencyRecord.objects.exists()
    assert client.post("/grid/report/", values).status_code == 303
    assert GridEvent.objects.count() == 1


def test_a_forged_token_is_refused_and_replaced(page_people: People) -> None:
    client = Client()
    values = {**_form(client), "form_token": "x'><script>"}
    refused = client.post("/grid/report/", values)
    html = refused.content.decode()
    assert refused.status_code == 400 and "表单已失效，请重新提交" in html and "<script>" not in html
    renewed = TOKEN.search(html)
    assert renewed is not None and re.fullmatch(r"[A-Za-z0-9_-]{32,64}", renewed.group(1))
    assert not GridEvent.objects.exists()


def test_a_post_without_a_token_is_still_filed(page_people: People) -> None:
    # Scripts and old bookmarks post without it: filed, only without the replay.
    values = _form(Client())
    del values["form_token"], values["csrfmiddlewaretoken"]
    assert Client().post("/grid/report/", values).status_code == 303
    assert GridEvent.objects.count() == 1 and not IdempotencyRecord.objects.exists()
