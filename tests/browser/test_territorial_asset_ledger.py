"""三资 asset cards in sync with the ledger: the village proposes buying a machine with its price paid and
the invoice (refused first without it), the town's 三资 office approves, and the ledger shows the payment
linked to the change, still reconciling. And the approval tiers (分级审批): a payment at the leader's tier
climbs from the committee through the town office to a town leader."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from accounts.testing import PASSWORD
from grid.tests.test_pages_support import png_bytes
from territorial.funds import do_propose_payment, do_review_payment
from territorial.models import AssetChange
from territorial.tests.conftest import clerk, funded, org, people, voucher  # noqa: F401 (fixtures)
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


def test_a_large_payment_climbs_to_a_town_leader(
    live_server: Any,
    desk_sessions: Any,
    media: None,
    settings: Any,
    people: dict[str, Any],  # noqa: F811
    org: Any,  # noqa: F811
    funded: Any,  # noqa: F811
    clerk: Any,  # noqa: F811
) -> None:
    """分级审批: 12,000.00 is at the leader's tier (10,000 here): the village committee and the town office
    refer it, a town leader signs it off, and only then is it paid."""
    settings.TERRITORIAL_LEADER_APPROVAL_YUAN = 10000
    base = live_server.url
    problems = PageProblems()
    payment = do_propose_payment(
        funded,
        amount="12000.00",
        payee="苏州某某建筑工程队",
        purpose="村道拓宽",
        voucher=voucher(),
        actor=clerk,
        now=timezone.now(),
    )
    do_review_payment(payment, "committee_approve", actor=people["hq_head"], now=timezone.now())

    town = desk_sessions()
    problems.attach(town)
    log_in(town, base, "hq_agency", PASSWORD)
    town.goto(f"{base}/territorial/payments/{payment.pk}/")
    town.click("[data-action='town_approve']")  # the office may not pay it: refused on the page
    town.wait_for_load_state("networkidle")
    assert "10000 元及以上的支出须报镇领导审批。" in town.inner_text("[data-review]")
    town.click("[data-action='town_refer']")
    town.wait_for_load_state("networkidle")
    assert "待镇领导审批" in town.inner_text("h1")
    assert town.inner_text("[data-amount] [data-tier]") == "须镇领导审批"
    screenshot(town, "territorial-payment-leader-review", full_page=True)

    leader = desk_sessions()
    problems.attach(leader)
    log_in(leader, base, "hq_leader", PASSWORD)
    leader.goto(f"{base}/territorial/payments/{payment.pk}/")
    leader.click("[data-action='leader_approve']")
    leader.wait_for_load_state("networkidle")
    assert "已审批支付" in leader.inner_text("h1")
    screenshot(leader, "territorial-payment-leader-approved", full_page=True)
    funded.refresh_from_db()
    assert funded.balance == Decimal("8000.00")  # 20,000.00 − 12,000.00
    unexpected = [
        e for e in problems.errors if "status of 422" not in e and f"/payments/{payment.pk}/" not in e
    ]
    assert unexpected == [], problems.errors
