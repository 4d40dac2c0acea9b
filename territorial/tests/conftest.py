from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from accounts.models import OrgUnit, Role
from accounts.testing import make_org_unit, make_person
from registry.models import Entity
from registry.testing import synthetic_uscc
from territorial import actions
from territory.testing import HUANGQIAO_VILLAGE, WEITANG_VILLAGE

NOW = datetime(2026, 6, 15, 2, 0, tzinfo=UTC)


@pytest.fixture
def people(personas: dict[str, Any]) -> dict[str, Any]:
    """hq_head: the 黄桥 village's head (村书记); hq_agency: the town's 三资 office; hq_officer: a town
    role that keeps no 三资; wt_head: the head of 渭塘's village (the outsider)."""
    hq_vc = OrgUnit.objects.get(code="320507003201-vc")
    wt_vc = OrgUnit.objects.get(code="320507105201-vc")
    return {
        **personas,
        "hq_head": make_person("hq_head", unit=hq_vc, role=Role.GRID_HEAD),
        "wt_head": make_person("wt_head", unit=wt_vc, role=Role.GRID_HEAD),
    }


@pytest.fixture
def org(people: dict[str, Any]) -> Any:
    return actions.do_create_organisation(
        village_code=HUANGQIAO_VILLAGE, name="黄桥测试村股份经济合作社", actor=people["hq_agency"], now=NOW
    )


@pytest.fixture
def wt_org(people: dict[str, Any]) -> Any:
    return actions.do_create_organisation(
        village_code=WEITANG_VILLAGE, name="渭塘测试村股份经济合作社", actor=people["system"], now=NOW
    )


def voucher(name: str = "voucher.png") -> SimpleUploadedFile:
    """A small PNG, as a scanned voucher."""
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (250, 250, 240)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def pdf_bytes(*, catalog: dict[str, Any] | None = None, tail: bytes = b"", password: str = "") -> bytes:
    """A one-page A4 PDF as a scanner writes it; `catalog` entries are added to its document catalog
    (an /OpenAction, /Names), `tail` is appended after its end, `password` encrypts it."""
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    for key, value in (catalog or {}).items():
        writer.root_object[NameObject(key)] = value
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue() + tail


def javascript_action(code: str = "app.alert(1)") -> DictionaryObject:
    return DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject(code)}
    )


def pdf_voucher(data: bytes | None = None, name: str = "voucher.pdf") -> SimpleUploadedFile:
    """A PDF scan of a voucher, as uploaded."""
    return SimpleUploadedFile(name, data if data is not None else pdf_bytes(), content_type="application/pdf")


@pytest.fixture
def funded(people: dict[str, Any], org: Any) -> Any:
    """The organisation's bank account with 20,000.00 received."""
    account = actions.do_open_account(
        org, name="农商行基本户", kind="bank", actor=people["hq_agency"], now=NOW
    )
    actions.do_record_entry(
        account,
        direction="in",
        voucher=voucher(),
        amount="20000.00",
        booked_on=NOW.date(),
        summary="土地租金",
        actor=people["hq_agency"],
        now=NOW,
    )
    account.refresh_from_db()
    return account


@pytest.fixture
def clerk(people: dict[str, Any]) -> Any:
    """The village's 报账员 (a grid worker of the whole village)."""
    return make_person("hq_clerk", unit=OrgUnit.objects.get(code="320507003201-vc"), role=Role.GRID_WORKER)


@pytest.fixture
def tenant(db: None) -> Entity:
    return Entity.objects.create(
        uscc=synthetic_uscc(HUANGQIAO_VILLAGE, 7),
        name="苏州某农业有限公司",
        legal_representative="李四",
        industry_code="A0111",
        size=Entity.Size.SMALL,
        territory_code=f"{HUANGQIAO_VILLAGE}001",
    )


@pytest.fixture
def frozen() -> Iterator[None]:
    """The pages read the clock: it stands at NOW."""
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def stations(people: dict[str, Any]) -> dict[str, OrgUnit]:
    """黄桥's animal-epidemic station (guided by the district's agriculture bureau) and water station;
    渭塘's central primary school (the outsider's institution)."""
    gov = OrgUnit.objects.get(code="320507003-gov")
    animal = make_org_unit("320507003-animal", "黄桥街道动物防疫站", OrgUnit.Kind.STATION, "320507003", gov)
    animal.guiding_department = "区农业农村局"
    animal.save(update_fields=["guiding_department"])
    water = make_org_unit("320507003-water", "黄桥街道水务站", OrgUnit.Kind.STATION, "320507003", gov)
    wt = make_org_unit("320507105-school", "渭塘中心小学", OrgUnit.Kind.SCHOOL, "320507105")
    return {"animal": animal, "water": water, "wt": wt}
