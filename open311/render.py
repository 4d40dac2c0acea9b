"""Rendering GeoReport v2 documents as XML (the spec's required format) or JSON, and its error format
(`<errors><error><code/><description/></error></errors>` / `[{"code": …, "description": …}]`)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpResponse
from django.utils import timezone

XML = "xml"
JSON = "json"
FORMATS = (XML, JSON)
CONTENT_TYPES = {XML: "text/xml; charset=utf-8", JSON: "application/json; charset=utf-8"}
MEDIA_TYPES = ["text/xml", "application/json"]
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'

# The element name of one item inside each list element, as in the spec's XML examples.
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}


def iso(value: datetime | None) -> str | None:
    """ISO 8601 with the local offset (+08:00), to the second."""
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return iso(value) or ""
    return str(value)


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    elif isinstance(value, list):
        item_tag = ITEM_TAGS.get(element.tag, "item")
        for child in value:
            _fill(ET.SubElement(element, item_tag), child)
    else:
        element.text = _text(value)


def to_xml(root: str, document: Any) -> bytes:
    element = ET.Element(root)
    _fill(element, document)
    # The spec asks for this exact declaration (double quotes, "UTF-8").
    return XML_DECLARATION + ET.tostring(element, encoding="unicode").encode("utf-8")


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def respond(fmt: str, root: str, document: Any, *, status: int = 200) -> HttpResponse:
    """`root` names the XML root element; JSON is the document itself (a list or an object)."""
    if fmt == JSON:
        body = json.dumps(document, ensure_ascii=False, default=_jsonable).encode("utf-8")
    else:
        body = to_xml(root, document)
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def error_response(fmt: str, status: int, *descriptions: str) -> HttpResponse:
    """One or more errors in the spec's own format; the HTTP status is the first error's code."""
    errors = [{"code": status, "description": text} for text in descriptions]
    return respond(fmt if fmt in FORMATS else XML, "errors", errors, status=status)
