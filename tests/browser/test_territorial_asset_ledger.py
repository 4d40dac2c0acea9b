"""三资 asset cards in sync with the ledger: the village proposes buying a machine with its price paid and
the invoice (refused first without it), the town's 三资 office approves, and the ledger shows the payment
linked to the change, still reconciling."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.testing import PASSWORD
from grid.tests.test_pages_support import png_bytes
from territorial.models import AssetChange
from territorial.tests.conftest import funded, org, people  # noqa: F401 (fixtures)
from tests.browser.conftest import PageProblems, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_purchase_is_booked_when_the_town_approves(
    live_server: Any,
    desk_sessions: Any,
    media: None,
    people: dict[str, Any],  # noqa: F811
    org: Any,  # noqa: F811
    funded: Any,  # noqa: F811
) -> None:
    base = live_server.url
    problems = PageProblems()
    head = desk_sessions()
    problems.attach(head)
    log_in(head, base, "hq_head", PASSWORD)
    head.goto(f"{base}/territorial/asset-changes/new/?kind=purchase")
    head.select_option("#id_organisation", str(org.pk))
    head.fill("#id_number", "ZC-301")
    head.fill("#id_name", "收割机")
    head.select_option("#id_asset_kind", "equipment")
    head.fill("#id_value", "12000.00")
    head.fill("#id_responsible", "张三")
    head.fill("#id_amount", "8000.50")
    head.select_option("#id_account", str(funded.pk))
    head.click("[data-asset-change-form] button[type=submit]")  # no invoice: refused, nothing written
    assert "购置付款须附发票等原始凭证。" in head.inner_text("[data-asset-change-form]")
    assert not AssetChange.objects.exists()
    head.set_input_files(
        "#id_voucher", {"name": "invoice.png", "mimeType": "image/png", "buffer": png_bytes(60, 40)}
    )
    screenshot(head, "territorial-asset-purchase-form", full_page=True)
    head.click("[data-asset-change-form] button[type=submit]")
    head.wait_for_url(f"{base}/territorial/asset-changes/*/")
    assert "审核通过时记账" in head.inner_text("[data-money]")
    change = AssetChange.objects.get()

    town = desk_sessions()
    problems.attach(town)
    log_in(town, base, "hq_agency", PASSWORD)
    town.goto(f"{base}/territorial/asset-changes/{change.pk}/")
    town.click("[data-action='approve']")
    town.wait_for_load_state("networkidle")
    assert "已记账" in town.inner_text("[data-money]")
    screenshot(town, "territorial-asset-purchase-approved")

    town.click("[data-money] [data-booked]")
    town.wait_for_url(f"{base}/territorial/organisations/*/")
    book = town.inner_text(f"[data-account='{funded.pk}']")
    assert "资产购置：收割机" in book and "8000.50" in book
    assert "11999.50" in book  # 20,000.00 − 8,000.50
    assert town.get_attribute(f"[data-account='{funded.pk}'] [data-reconciles]", "data-reconciles") == "yes"
    assert town.is_visible(f"[data-account='{funded.pk}'] [data-asset-change]")
    screenshot(town, "territorial-asset-purchase-ledger", full_page=True)
    # The refused proposal without an invoice answers 400 (and the browser logs that response): expected.
    unexpected = [e for e in problems.errors if "/asset-changes/new/" not in e and "status of 400" not in e]
    assert unexpected == [], problems.errors
