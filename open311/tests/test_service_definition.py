"""GET services/{service_code}.{xml,json}: the service definition with its attributes in all six
datatypes, as in the spec's example."""

from __future__ import annotations

import pytest
from django.test import Client

from open311.models import ServiceAttribute
from open311.tests.conftest import json_of, spec_error, xml_of

pytestmark = pytest.mark.django_db

ATTRIBUTE_FIELDS = [
    "variable",
    "code",
    "datatype",
    "required",
    "datatype_description",
    "order",
    "description",
]


def test_definition_xml_has_every_datatype(client: Client, definitions: dict[str, int]) -> None:
    response = client.get("/open311/v2/services/E0102.xml")

    assert response.status_code == 200
    root = xml_of(response)
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "E0102"
    attributes = root.findall("attributes/attribute")
    assert {a.findtext("datatype") for a in attributes} == {
        "string",
        "number",
        "datetime",
        "text",
        "singlevaluelist",
        "multivaluelist",
    }
    urgency = attributes[0]
    assert [child.tag for child in urgency] == [*ATTRIBUTE_FIELDS, "values"]
    assert urgency.findtext("variable") == "true"
    assert urgency.findtext("code") == "URGENCY"
    assert urgency.findtext("required") == "false"  # a generic client may leave it out (normal)
    assert urgency.findtext("order") == "1"
    assert [(v.findtext("key"), v.findtext("name")) for v in urgency.findall("values/value")] == [
        ("normal", "一般"),
        ("urgent", "紧急"),
        ("critical", "特别紧急（危及人身财产安全）"),
    ]
    found_at = next(a for a in attributes if a.findtext("code") == "FOUND_AT")
    assert [child.tag for child in found_at] == ATTRIBUTE_FIELDS  # no values for a datetime
    notice = next(a for a in attributes if a.findtext("code") == "NOTICE")
    assert notice.findtext("variable") == "false"
    assert [int(a.findtext("order") or 0) for a in attributes] == sorted(
        int(a.findtext("order") or 0) for a in attributes
    )


def test_definition_json_matches_the_spec_shape(client: Client, definitions: dict[str, int]) -> None:
    body = json_of(client.get("/open311/v2/services/C0101.json"))

    assert body["service_code"] == "C0101"
    by_code = {a["code"]: a for a in body["attributes"]}
    assert by_code["IMPACT"]["datatype"] == "multivaluelist"
    assert by_code["IMPACT"]["required"] is False
    assert {"key": "vehicles", "name": "车辆通行"} in by_code["IMPACT"]["values"]
    assert by_code["URGENCY"]["datatype_description"] is None
    assert by_code["QUANTITY"] == {
        "variable": True,
        "code": "QUANTITY",
        "datatype": "number",
        "required": False,
        "datatype_description": "非负数",
        "order": 4,
        "description": "数量（处、个或平方米）",
    }


def test_a_category_specific_attribute_shows_in_its_definition_only(
    client: Client, definitions: dict[str, int]
) -> None:
    from grid.models import Category

    category = Category.objects.get(kind="event", code="0102")
    ServiceAttribute.objects.create(
        category=category,
        code="WASTE_KIND",
        datatype="singlevaluelist",
        description="垃圾种类",
        order=8,
        values=[{"key": "household", "name": "生活垃圾"}, {"key": "construction", "name": "建筑垃圾"}],
    )

    garbage = json_of(client.get("/open311/v2/services/E0102.json"))
    other = json_of(client.get("/open311/v2/services/E0103.json"))

    assert garbage["attributes"][-1]["code"] == "WASTE_KIND"
    assert "WASTE_KIND" not in {a["code"] for a in other["attributes"]}


@pytest.mark.parametrize("fmt", ["xml", "json"])
@pytest.mark.parametrize("service_code", ["E9999", "X0102", "0102", "E01020"])
def test_an_unknown_service_code_is_404(
    client: Client, definitions: dict[str, int], fmt: str, service_code: str
) -> None:
    response = client.get(f"/open311/v2/services/{service_code}.{fmt}")

    assert response.status_code == 404
    code, description = spec_error(response, fmt)
    assert code == 404
    assert "service_code" in description


def test_wrong_jurisdiction_is_404(client: Client, definitions: dict[str, int]) -> None:
    response = client.get("/open311/v2/services/E0102.json", {"jurisdiction_id": "nyc.gov"})

    assert response.status_code == 404
    assert "jurisdiction_id" in spec_error(response, "json")[1]
