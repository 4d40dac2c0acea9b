"""Receipts (收款) carry their voucher image like payments do: recorded on the ledger page, through the API
and when a contract's rent is received; refused without one (unless TERRITORIAL_RECEIPT_VOUCHER_REQUIRED
is off) or with a file that is not an image, with nothing written; stored re-encoded without EXIF; shown
to the village's keepers only, never on the public 财务公开 page or its API."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image
from rest_framework.test import APIClient

from accounts.models import User
from audit.models import AuditEvent
from core.errors import DomainError
from core.testing import image_bytes
from registry.models import Entity
from territorial import actions
from territorial.contracts import ContractInput, do_receive_instalment, do_sign_contract
from territorial.models import Account, Contract, Instalment, LedgerEntry
from territorial.tests.conftest import NOW, voucher
from territory.testing import HUANGQIAO_VILLAGE

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen", "media")]
SQUARE = {"type": "Polygon", "coordinates": [[[120.5, 31.4], [120.51, 31.4], [120.51, 31.41], [120.5, 31.4]]]}
NOT_AN_IMAGE = b"<html><script>alert(1)</script></html>"


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _receipt(account: Account, actor: User, **extra: Any) -> LedgerEntry:
    values: dict[str, Any] = {
        "direction": "in",
        "amount": "1500.00",
        "booked_on": date(2026, 6, 15),
        "summary": "厂房租金",
        "voucher": voucher("receipt.png"),
    }
    values.update(extra)
    return actions.do_record_entry(account, actor=actor, now=NOW, **values)


def _nothing_written(account: Account) -> None:
    """Only the `funded` fixture's receipt of 20,000.00 is on the account."""
    account.refresh_from_db()
    assert account.balance == Decimal("20000.00")
    assert LedgerEntry.objects.filter(account=account).count() == 1
    assert AuditEvent.objects.filter(action="territorial.record_entry").count() == 1


def _contract(org: Any, people: dict[str, Any], tenant: Entity) -> Contract:
    pond = actions.do_record_resource(
        org, name="东鱼塘", kind="water", area_mu="20", outline=SQUARE, actor=people["hq_head"], now=NOW
    )
    return do_sign_contract(
        org,
        ContractInput(
            number="HT-R1",
            starts_on=date(2026, 1, 1),
            ends_on=date(2027, 12, 31),
            annual_price="6000",
            schedule=[(date(2026, 6, 1), "3000.00")],
            entity=tenant,
            resource=pond,
        ),
        actor=people["hq_head"],
        now=NOW,
    )


# ---------------------------------------------------------------------------------------------- actions


def test_a_receipt_keeps_its_voucher_re_encoded(people: dict[str, Any], funded: Account) -> None:
    photo = SimpleUploadedFile("scan.jpg", image_bytes("JPEG", exif_gps=True), content_type="image/jpeg")
    entry = _receipt(funded, people["hq_head"], voucher=photo)
    funded.refresh_from_db()
    assert funded.balance == Decimal("21500.00")  # 20,000.00 + 1,500.00
    assert str(entry.voucher.name).startswith("territorial/vouchers/2026/06/")
    with entry.voucher.open("rb") as stored:
        data = stored.read()
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG" and not image.getexif()  # no camera model, no GPS
    assert b"Zhili Phone X" not in data


def test_a_receipt_without_its_voucher_is_refused(people: dict[str, Any], funded: Account) -> None:
    with pytest.raises(DomainError) as missing:
        _receipt(funded, people["hq_head"], voucher=None)
    assert (missing.value.code, missing.value.field) == ("voucher_required", "voucher")
    forged = SimpleUploadedFile("receipt.png", NOT_AN_IMAGE, content_type="image/png")
    with pytest.raises(DomainError) as wrong:
        _receipt(funded, people["hq_head"], voucher=forged)
    assert (wrong.value.code, wrong.value.field) == ("invalid_type", "voucher")
    _nothing_written(funded)


def test_a_receipt_without_voucher_when_configured_so(
    people: dict[str, Any], funded: Account, settings: Any
) -> None:
    settings.TERRITORIAL_RECEIPT_VOUCHER_REQUIRED = False
    entry = _receipt(funded, people["hq_head"], voucher=None)
    assert not entry.voucher
    with pytest.raises(DomainError) as wrong:  # one that is given is still checked
        _receipt(funded, people["hq_head"], voucher=SimpleUploadedFile("r.png", NOT_AN_IMAGE))
    assert wrong.value.code == "invalid_type"


def test_the_towns_correction_needs_no_voucher(people: dict[str, Any], funded: Account) -> None:
    """An `out` entry (opening balance, correction by the town) is not a receipt."""
    entry = _receipt(funded, people["hq_agency"], direction="out", amount="10.00", voucher=None)
    assert entry.amount == Decimal("-10.00") and not entry.voucher


def test_receipt_refused_to_other_roles_and_the_outsider(people: dict[str, Any], funded: Account) -> None:
    with pytest.raises(DomainError) as officer:
        _receipt(funded, people["hq_officer"])
    assert officer.value.status == 403
    with pytest.raises(DomainError) as outsider:
        _receipt(funded, people["wt_head"])
    assert outsider.value.status == 404
    _nothing_written(funded)


def test_rent_received_with_its_voucher(
    people: dict[str, Any], org: Any, funded: Account, tenant: Entity
) -> None:
    instalment = _contract(org, people, tenant).instalments.get()
    with pytest.raises(DomainError) as missing:
        do_receive_instalment(instalment, funded, voucher=None, actor=people["hq_head"], now=NOW)
    assert (missing.value.code, missing.value.field) == ("voucher_required", "voucher")
    with pytest.raises(DomainError) as outsider:
        do_receive_instalment(instalment, funded, voucher=voucher(), actor=people["wt_head"], now=NOW)
    assert outsider.value.status == 404
    with pytest.raises(DomainError) as officer:
        do_receive_instalment(instalment, funded, voucher=voucher(), actor=people["hq_officer"], now=NOW)
    assert officer.value.status == 403
    assert Instalment.objects.get(pk=instalment.pk).entry_id is None
    _nothing_written(funded)
    received = do_receive_instalment(instalment, funded, voucher=voucher(), actor=people["hq_head"], now=NOW)
    assert received.entry is not None and received.entry.voucher
    funded.refresh_from_db()
    assert funded.balance == Decimal("23000.00")  # 20,000.00 + 3,000.00


# ---------------------------------------------------------------------------------------------- pages


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_ledger_page_records_a_receipt_with_its_voucher(
    people: dict[str, Any], funded: Account, clerk: User
) -> None:
    url = f"/territorial/organisations/{funded.organisation_id}/"
    form = {
        "account": funded.pk,
        "direction": "in",
        "amount": "800",
        "booked_on": "2026-06-15",
        "summary": "摊位费",
    }
    page = _client(people["hq_head"]).get(url).content.decode()
    assert 'enctype="multipart/form-data"' in page and 'name="voucher"' in page
    refused = _client(people["hq_head"]).post(f"{url}entries/", form)
    assert refused.status_code == 400
    assert 'data-field-error="voucher"' in refused.content.decode()
    assert "收款须附收据或票据的凭证。" in refused.content.decode()
    _nothing_written(funded)
    done = _client(clerk).post(f"{url}entries/", {**form, "voucher": voucher("receipt.png")})
    assert done.status_code == 302
    entry = LedgerEntry.objects.get(summary="摊位费")
    shown = _client(people["hq_head"]).get(url).content.decode()
    assert f'href="/territorial/entries/{entry.pk}/voucher/" data-entry-voucher' in shown
    image = f"/territorial/entries/{entry.pk}/voucher/"
    for keeper in (people["hq_head"], clerk, people["hq_agency"]):
        got = _client(keeper).get(image)
        assert got.status_code == 200 and got["Content-Type"] == "image/png"
        assert got["X-Content-Type-Options"] == "nosniff"
    assert _client(people["hq_officer"]).get(image).status_code == 403
    assert _client(people["wt_head"]).get(image).status_code == 404
    assert Client().get(image).status_code == 302  # to the login page


def test_an_entry_without_voucher_has_no_voucher_page(people: dict[str, Any], funded: Account) -> None:
    entry = _receipt(funded, people["hq_agency"], direction="out", amount="1.00", voucher=None)
    assert _client(people["hq_head"]).get(f"/territorial/entries/{entry.pk}/voucher/").status_code == 404


def test_contract_page_receives_rent_with_its_voucher(
    people: dict[str, Any], org: Any, funded: Account, tenant: Entity
) -> None:
    contract = _contract(org, people, tenant)
    instalment = contract.instalments.get()
    url = f"/territorial/contracts/{contract.pk}/"
    head = _client(people["hq_head"])
    assert f'data-receive-voucher="{instalment.pk}"' in head.get(url).content.decode()
    refused = head.post(f"{url}receive/", {"instalment": instalment.pk, "account": funded.pk})
    assert refused.status_code == 400 and "收款须附收据或票据的凭证。" in refused.content.decode()
    assert Instalment.objects.get(pk=instalment.pk).entry_id is None
    outsider = _client(people["wt_head"]).post(
        f"{url}receive/", {"instalment": instalment.pk, "account": funded.pk, "voucher": voucher()}
    )
    assert outsider.status_code == 404
    done = head.post(
        f"{url}receive/", {"instalment": instalment.pk, "account": funded.pk, "voucher": voucher()}
    )
    assert done.status_code == 302
    entry = Instalment.objects.select_related("entry").get(pk=instalment.pk).entry
    assert entry is not None and entry.voucher
    assert f'href="/territorial/entries/{entry.pk}/voucher/"' in head.get(url).content.decode()


# ---------------------------------------------------------------------------------------------- API


def _api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_api_records_a_receipt_with_its_voucher(people: dict[str, Any], funded: Account, clerk: User) -> None:
    url = f"/api/v1/territorial/organisations/{funded.organisation_id}/entries/"
    data = {
        "account": funded.pk,
        "direction": "in",
        "amount": "66.60",
        "booked_on": "2026-06-14",
        "summary": "场地费",
    }
    missing = _api(clerk).post(url, data, format="multipart")
    assert missing.status_code == 400
    assert missing.json()["errors"][0] == {
        "code": "voucher_required",
        "message": "收款须附收据或票据的凭证。",
        "field": "voucher",
    }
    bad_day = _api(clerk).post(
        url, {**data, "booked_on": "14/06/2026", "voucher": voucher()}, format="multipart"
    )
    assert bad_day.json()["errors"][0]["code"] == "invalid_date"
    officer = _api(people["hq_officer"]).post(url, {**data, "voucher": voucher()}, format="multipart")
    assert officer.status_code == 403 and officer.json()["errors"][0]["code"] == "not_allowed"
    outsider = _api(people["wt_head"]).post(url, {**data, "voucher": voucher()}, format="multipart")
    assert outsider.status_code == 404
    _nothing_written(funded)
    made = _api(clerk).post(url, {**data, "voucher": voucher()}, format="multipart")
    assert made.status_code == 201
    body = made.json()
    assert body["amount"] == "66.60" and body["voucher_url"] == f"/territorial/entries/{body['id']}/voucher/"
    ledger = _api(people["hq_head"]).get(
        f"/api/v1/territorial/organisations/{funded.organisation_id}/ledger/"
    )
    lines = {line["summary"]: line for line in ledger.json()[0]["entries"]}
    # booked on the 14th, before the fixture's 20,000.00 of the 15th: the running balance is its own
    assert lines["场地费"]["voucher_url"] == body["voucher_url"] and lines["场地费"]["balance"] == "66.60"
    assert lines["土地租金"]["balance"] == "20066.60"


def test_api_receives_rent_with_its_voucher(
    people: dict[str, Any], org: Any, funded: Account, tenant: Entity
) -> None:
    contract = _contract(org, people, tenant)
    instalment = contract.instalments.get()
    url = f"/api/v1/territorial/contracts/{contract.pk}/instalments/{instalment.pk}/receive/"
    missing = _api(people["hq_head"]).post(url, {"account": funded.pk}, format="multipart")
    assert missing.status_code == 400 and missing.json()["errors"][0]["field"] == "voucher"
    forged = SimpleUploadedFile("receipt.png", NOT_AN_IMAGE, content_type="image/png")
    wrong = _api(people["hq_head"]).post(url, {"account": funded.pk, "voucher": forged}, format="multipart")
    assert wrong.status_code == 400 and wrong.json()["errors"][0]["code"] == "invalid_type"
    no_account = _api(people["hq_head"]).post(url, {"account": "x", "voucher": voucher()}, format="multipart")
    assert no_account.json()["errors"][0] == {
        "code": "invalid_number",
        "message": "须为正整数。",
        "field": "account",
    }
    officer = _api(people["hq_officer"]).post(
        url, {"account": funded.pk, "voucher": voucher()}, format="multipart"
    )
    assert officer.status_code == 403
    outsider = _api(people["wt_head"]).post(
        url, {"account": funded.pk, "voucher": voucher()}, format="multipart"
    )
    assert outsider.status_code == 404
    assert Instalment.objects.get(pk=instalment.pk).entry_id is None
    _nothing_written(funded)
    done = _api(people["hq_head"]).post(url, {"account": funded.pk, "voucher": voucher()}, format="multipart")
    assert done.status_code == 200
    entry = done.json()["entry"]
    assert (
        entry["amount"] == "3000.00"
        and entry["voucher_url"] == f"/territorial/entries/{entry['id']}/voucher/"
    )
    again = _api(people["hq_head"]).post(
        url, {"account": funded.pk, "voucher": voucher()}, format="multipart"
    )
    assert again.status_code == 409 and again.json()["errors"][0]["code"] == "already_received"


def test_api_documents_the_receipt_endpoints() -> None:
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = schema["paths"]
    assert "/api/v1/territorial/organisations/{org_id}/entries/" in paths
    assert "/api/v1/territorial/contracts/{contract_id}/instalments/{instalment_id}/receive/" in paths


# ---------------------------------------------------------------------------------------------- public


def test_the_public_disclosure_shows_the_receipt_not_its_voucher(
    people: dict[str, Any], funded: Account
) -> None:
    entry = _receipt(funded, people["hq_head"])
    assert entry.voucher
    page = Client().get(f"/public/territorial/{HUANGQIAO_VILLAGE}/2026/6/")
    text = page.content.decode()
    assert page.status_code == 200 and "厂房租金" in text and "1500.00" in text
    api = Client().get(f"/api/v1/territorial/disclosure/{HUANGQIAO_VILLAGE}/2026/6/")
    published = api.content.decode()
    assert "厂房租金" in published
    for shown in (text, published):
        assert "/voucher/" not in shown and "territorial/vouchers" not in shown
    assert set(api.json()["entries"][0]) == {"booked_on", "direction", "amount", "summary"}


def test_a_receipt_of_today_is_taken_after_midnight_in_suzhou(
    people: dict[str, Any], funded: Account
) -> None:
    """00:30 on 16 June in Suzhou is still 15 June in UTC: the 16th is today, not a future day."""
    after_midnight = datetime(2026, 6, 15, 16, 30, tzinfo=UTC)
    entry = actions.do_record_entry(
        funded,
        direction="in",
        amount="5.00",
        booked_on=date(2026, 6, 16),
        summary="夜间收款",
        voucher=voucher(),
        actor=people["hq_head"],
        now=after_midnight,
    )
    assert entry.booked_on == date(2026, 6, 16)
    with pytest.raises(DomainError) as future:
        actions.do_record_entry(
            funded,
            direction="in",
            amount="5.00",
            booked_on=date(2026, 6, 17),
            summary="明日收款",
            voucher=voucher(),
            actor=people["hq_head"],
            now=after_midnight,
        )
    assert (future.value.code, future.value.field) == ("future_date", "booked_on")
