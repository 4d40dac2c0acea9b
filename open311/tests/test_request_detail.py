"""GET requests/{service_request_id}.{xml,json}: a list of one, as the spec shows; statuses, notes,
the handling unit and the deadline follow the event's work item."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from django.test import Client

from grid.events.steps import do_event_action
from grid.models import GridEvent
from open311.render import iso
from open311.tests.conftest import json_of, report, spec_error, xml_of
from registry.testing import register_named_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def receipt(client: Client, client_key: str) -> str:
    return str(json_of(report(client, address_string="黄桥大道与春申路口"))[0]["service_request_id"])


def test_xml_is_a_list_of_one(client: Client, receipt: str) -> None:
    root = xml_of(client.get(f"/open311/v2/requests/{receipt}.xml"))

    assert root.tag == "service_requests"
    (request,) = root.findall("request")
    assert request.findtext("service_request_id") == receipt
    assert request.findtext("status") == "open"
    assert request.findtext("status_notes") == "已收到"  # the tracking page's words
    assert request.findtext("service_name") == "暴露垃圾"
    assert request.findtext("address") == "黄桥大道与春申路口"
    assert request.findtext("agency_responsible") == ""
    assert request.findtext("zipcode") == ""
    expected = request.findtext("expected_datetime") or ""
    assert expected.endswith("+08:00")  # the acceptance step's deadline while reported


def test_json_is_a_list_of_one(client: Client, receipt: str) -> None:
    body = json_of(client.get(f"/open311/v2/requests/{receipt}.json"))

    assert isinstance(body, list) and len(body) == 1
    assert body[0]["service_request_id"] == receipt
    assert body[0]["media_url"] is None


def test_dispatched_request_names_the_agency_and_its_deadline(
    client: Client, receipt: str, personas: dict[str, Any], now: datetime
) -> None:
    event = GridEvent.objects.get(receipt_number=receipt)
    do_event_action(event, "file", actor=personas["dispatcher"], now=now)
    event = do_event_action(
        GridEvent.objects.get(pk=event.pk), "dispatch", actor=personas["dispatcher"], now=now
    )
    assert event.work_item is not None
    unit = event.work_item.assigned_unit
    assert unit is not None

    (body,) = json_of(client.get(f"/open311/v2/requests/{receipt}.json"))

    assert body["status"] == "open"
    assert body["status_notes"] == "处理中"
    assert body["agency_responsible"] == unit.name
    item = GridEvent.objects.get(pk=event.pk).work_item
    assert item is not None and item.step_due_at is not None
    assert body["expected_datetime"] == iso(item.step_due_at)
    assert body["expected_datetime"].endswith("+08:00")


def test_a_voided_request_is_closed_with_the_public_reply_not_the_reason(
    client: Client, receipt: str, personas: dict[str, Any], now: datetime
) -> None:
    event = GridEvent.objects.get(receipt_number=receipt)
    do_event_action(
        event,
        "void",
        actor=personas["dispatcher"],
        now=now,
        reason="来电人王小明（13812345678）系恶意举报",
        inputs={"public_reply": "经核实不属实，联系电话13812345678"},
    )

    (body,) = json_of(client.get(f"/open311/v2/requests/{receipt}.json"))

    assert body["status"] == "closed"
    assert body["status_notes"] == "不予受理：经核实不属实，联系电话138****5678"
    assert body["expected_datetime"] is None
    assert "王小明" not in client.get("/open311/v2/requests.json").content.decode()


def test_a_registered_persons_name_in_the_status_notes_is_masked_in_lists_and_details(
    client: Client, receipt: str, personas: dict[str, Any], now: datetime
) -> None:
    register_named_person("李建国", actor=personas["system"], now=now)
    event = GridEvent.objects.get(receipt_number=receipt)
    do_event_action(
        event,
        "void",
        actor=personas["dispatcher"],
        now=now,
        reason="重复反映",
        inputs={"public_reply": "经核实，李建国已自行清理"},
    )

    (detail,) = json_of(client.get(f"/open311/v2/requests/{receipt}.json"))
    listed = json_of(client.get("/open311/v2/requests.json"))
    xml = client.get(f"/open311/v2/requests/{receipt}.xml").content.decode()

    assert detail["status_notes"] == "不予受理：经核实，李**已自行清理"
    assert [r["status_notes"] for r in listed if r["service_request_id"] == receipt] == [
        detail["status_notes"]
    ]
    assert "李**已自行清理" in xml and "李建国" not in xml


def test_a_duplicate_is_closed_and_names_the_original(
    client: Client, receipt: str, personas: dict[str, Any], now: datetime
) -> None:
    second = str(json_of(report(client))[0]["service_request_id"])
    event = GridEvent.objects.get(receipt_number=second)
    do_event_action(
        event, "mark_duplicate", actor=personas["dispatcher"], now=now, inputs={"original": receipt}
    )

    (body,) = json_of(client.get(f"/open311/v2/requests/{second}.json"))

    assert body["status"] == "closed"
    assert receipt in body["status_notes"]
    assert "Duplicate request." in body["status_notes"]


def test_the_media_url_is_shown(client: Client, client_key: str) -> None:
    response = report(client, media_url="https://example.org/a.jpg")
    receipt = json_of(response)[0]["service_request_id"]

    (body,) = json_of(client.get(f"/open311/v2/requests/{receipt}.json"))

    assert body["media_url"] == "https://example.org/a.jpg"


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_an_unknown_id_is_404(client: Client, receipt: str, fmt: str) -> None:
    response = client.get(f"/open311/v2/requests/SJ000000XXXXXXXX.{fmt}")

    assert response.status_code == 404
    code, description = spec_error(response, fmt)
    assert code == 404
    assert "service_request_id" in description


def test_wrong_jurisdiction_is_404(client: Client, receipt: str) -> None:
    response = client.get(f"/open311/v2/requests/{receipt}.json", {"jurisdiction_id": "x.gov"})

    assert response.status_code == 404


def test_a_receipt_typed_loosely_is_found(client: Client, receipt: str) -> None:
    loose = receipt.lower()[:6] + "-" + receipt.lower()[6:]

    (body,) = json_of(client.get(f"/open311/v2/requests/{loose}.json"))

    assert body["service_request_id"] == receipt


def test_staff_reports_show_no_description_or_photo(
    client: Client, client_key: str, personas: dict[str, Any], now: datetime
) -> None:
    from grid.events.report import do_report_event

    event = do_report_event(
        actor=personas["dispatcher"],
        now=now,
        channel="hotline",
        category_code="0102",
        description="来电人张三反映其家门口有垃圾",
        grid_code="320507003201001",
        media_urls=["https://example.org/hotline.jpg"],
    )

    (body,) = json_of(client.get(f"/open311/v2/requests/{event.receipt_number}.json"))

    assert body["service_code"] == "E0102"
    assert body["description"] == ""
    assert body["media_url"] is None
    assert "张三" not in client.get("/open311/v2/requests.json").content.decode()
