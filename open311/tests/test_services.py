"""GET services.{xml,json}: one service per minor class of the current standard, E… events then C…
components."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from django.test import Client

from grid.models import Category, CategoryStandard
from open311.models import ServiceAttribute
from open311.tests.conftest import json_of, spec_error, xml_of

pytestmark = pytest.mark.django_db

SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]


def test_services_xml_follows_the_spec_example(client: Client, definitions: dict[str, int]) -> None:
    response = client.get("/open311/v2/services.xml")

    assert response.status_code == 200
    root = xml_of(response)
    assert root.tag == "services"
    services = root.findall("service")
    rows = CategoryStandard.objects.filter(version__active=True).values("category_id").distinct().count()
    assert len(services) == rows
    first = services[0]
    assert [child.tag for child in first] == SERVICE_FIELDS
    assert first.findtext("service_code") == "E0101"
    assert first.findtext("service_name") == "私搭乱建"
    assert first.findtext("metadata") == "true"
    assert first.findtext("type") == "realtime"
    assert first.findtext("group") == "市容环境"
    assert "私搭乱建" in (first.findtext("keywords") or "")
    assert "立案条件" in (first.findtext("description") or "")


def test_services_json_lists_events_then_components(client: Client, definitions: dict[str, int]) -> None:
    body = json_of(client.get("/open311/v2/services.json"))

    codes = [service["service_code"] for service in body]
    assert codes.index("E0102") < codes.index("C0101")
    assert all(code[0] in "EC" and len(code) == 5 for code in codes)
    garbage = next(service for service in body if service["service_code"] == "E0102")
    assert garbage == {
        "service_code": "E0102",
        "service_name": "暴露垃圾",
        "description": "事件·市容环境·暴露垃圾。立案条件：道路、广场等公共区域有暴露垃圾",
        "metadata": True,
        "type": "realtime",
        "keywords": "事件, 市容环境, 暴露垃圾",
        "group": "市容环境",
    }
    component = next(service for service in body if service["service_code"].startswith("C"))
    assert component["keywords"].startswith("部件")


def test_metadata_is_false_for_a_service_without_attributes(
    client: Client, definitions: dict[str, int]
) -> None:
    ServiceAttribute.objects.filter(category__kind="event", category__code="0104").delete()

    body = json_of(client.get("/open311/v2/services.json"))

    by_code = {service["service_code"]: service for service in body}
    assert by_code["E0104"]["metadata"] is False
    assert by_code["E0102"]["metadata"] is True


def test_inactive_categories_are_no_service(client: Client, definitions: dict[str, int]) -> None:
    Category.objects.filter(kind="event", code="0102").update(active=False)

    codes = {service["service_code"] for service in json_of(client.get("/open311/v2/services.json"))}

    assert "E0102" not in codes
    assert "E0101" in codes


def test_no_standard_yet_means_no_services(client: Client, now: datetime) -> None:
    assert json_of(client.get("/open311/v2/services.json")) == []
    assert list(xml_of(client.get("/open311/v2/services.xml"))) == []


def test_the_list_takes_a_fixed_number_of_queries(
    client: Client, definitions: dict[str, int], django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(4):
        response = client.get("/open311/v2/services.json")
    assert len(json_of(response)) > 50


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_wrong_jurisdiction_is_404(client: Client, definitions: dict[str, int], fmt: str) -> None:
    response = client.get(f"/open311/v2/services.{fmt}", {"jurisdiction_id": "other.gov"})

    assert response.status_code == 404
    assert spec_error(response, fmt)[0] == 404
