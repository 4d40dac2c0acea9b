"""The public reply (公开答复): an optional input of the actions that end handling, stored on the event
apart from the internal result; the staff page's form carries it; bad input and wrong actions refused;
patrol events keep their description hidden while the reply shows."""

from __future__ import annotations

from typing import Any

import pytest

from core.errors import DomainError
from grid.models import GridEvent
from grid.tests import test_event_support as support
from grid.tests import test_pages_support as pages
from grid.tests.test_event_support import act, at, client_for, photo, report
from registry.testing import register_named_person

pytestmark = pytest.mark.django_db
media, people, page_people = support.media, support.people, pages.page_people  # fixtures


def handled(people: dict[str, Any], who: str | None = "hq_grid") -> GridEvent:
    event = report(people, who=who, description="张三丰家门口（身份证320507199001011236）堆放垃圾")
    event = act(event, "file", people, "dispatcher", at(3, 2, 9, 30))
    event = act(event, "dispatch", people, "dispatcher", at(3, 2, 10))
    return act(event, "sign", people, "hq_agency", at(3, 2, 10, 30))


def test_feedback_and_verify_store_the_reply_apart_from_the_result(people: dict[str, Any]) -> None:
    event = act(
        handled(people),
        "feedback",
        people,
        "hq_agency",
        at(3, 2, 14),
        inputs={"result": "约谈户主张三丰 13812345678", "public_reply": "已清运"},
        photos=[photo()],
    )
    assert GridEvent.objects.get(pk=event.pk).public_reply == "已清运"
    act(event, "verify_pass", people, "dispatcher", at(3, 2, 15), inputs={"public_reply": " 已清运完毕 "})
    assert GridEvent.objects.get(pk=event.pk).public_reply == "已清运完毕"

    body = client_for(None).get(f"/api/v1/public/reports/{event.receipt_number}/").json()
    assert body["public_reply"] == "已清运完毕"
    page = client_for(None).get(f"/grid/track/{event.receipt_number}/").content.decode()
    # A patrol event: its description stays hidden; the internal result never shows.
    assert "已清运完毕" in page and "张三丰" not in page and "13812345678" not in page


def test_a_registered_persons_name_in_the_reply_is_masked(people: dict[str, Any]) -> None:
    """Nobody passes 李建国 to the scrubber (he is neither reporter nor party): the registries know him."""
    register_named_person("李建国", actor=people["system"], now=at(3, 2, 9))
    reply = "经核实，李建国已自行清理门前堆物，王小红来电致谢。"
    event = act(
        handled(people),
        "feedback",
        people,
        "hq_agency",
        at(3, 2, 14),
        inputs={"result": "约谈李建国", "public_reply": reply},
        photos=[photo()],
    )
    act(event, "verify_pass", people, "dispatcher", at(3, 2, 15))
    body = client_for(None).get(f"/api/v1/public/reports/{event.receipt_number}/").json()
    # 王小红 is nobody the registries know and no label names her: she stays (the scrubber is no guesser).
    assert body["public_reply"] == "经核实，李**已自行清理门前堆物，王小红来电致谢。"
    page = client_for(None).get(f"/grid/track/{event.receipt_number}/").content.decode()
    assert "李**已自行清理" in page and "李建国" not in page


@pytest.mark.parametrize(
    ("action", "inputs", "code"),
    [
        ("sign", {"public_reply": "x"}, "invalid"),
        ("feedback", {"result": "r", "public_reply": ["x"]}, "invalid"),
        ("feedback", {"result": "r", "public_reply": "长" * 1001}, "too_long"),
    ],
)
def test_bad_replies_are_refused_and_nothing_changes(
    people: dict[str, Any], action: str, inputs: dict[str, Any], code: str
) -> None:
    event = report(people)
    event = act(event, "file", people, "dispatcher", at(3, 2, 9, 30))
    event = act(event, "dispatch", people, "dispatcher", at(3, 2, 10))
    if action == "feedback":
        event = act(event, "sign", people, "hq_agency", at(3, 2, 10, 30))
    with pytest.raises(DomainError) as refused:
        act(
            event,
            action,
            people,
            "hq_agency",
            at(3, 2, 14),
            inputs=inputs,
            photos=[photo()] if action == "feedback" else [],
        )
    assert refused.value.code == code and refused.value.field == "inputs.public_reply"
    assert GridEvent.objects.get(pk=event.pk).public_reply == ""


def test_the_staff_page_form_takes_the_reply(page_people: dict[str, Any]) -> None:
    event = pages.report(page_people)
    event = pages.act(event, "file", page_people, "dispatcher")
    event = pages.act(event, "dispatch", page_people, "dispatcher")
    event = pages.act(event, "sign", page_people, "hq_agency")
    client = pages.client_for(page_people["hq_agency"])
    page = client.get(f"/grid/events/{event.pk}/").content.decode()
    assert 'name="feedback-public_reply"' in page
    response = client.post(
        f"/grid/events/{event.pk}/act/",
        {
            "action": "feedback",
            "feedback-action": "feedback",
            "feedback-result": "内部：约谈当事人",
            "feedback-public_reply": "已处理完毕",
            "feedback-photos": pages.png(),
        },
    )
    assert response.status_code == 303, response.content.decode()[:2000]
    assert GridEvent.objects.get(pk=event.pk).public_reply == "已处理完毕"
