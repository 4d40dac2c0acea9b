"""三资 done-when: the village's 报账员 proposes a payment with its voucher, the village committee and the
town's 三资 office approve it, the ledger and the public 财务公开 page show it; a contract nearing expiry
raises its warning (the 三资 warnings page and the command centre's rule)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.testing import PASSWORD
from command.warnings.actions import evaluate_warnings
from command.warnings.models import EarlyWarning, Rule
from grid.tests.test_pages_support import png_bytes
from territorial import actions
from territorial.contracts import ContractInput, do_sign_contract
from territorial.models import Payment
from territorial.tests.conftest import clerk, funded, org, people, tenant  # noqa: F401 (fixtures)
from territory.testing import HUANGQIAO_VILLAGE
from tests.browser.conftest import PageProblems, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SQUARE = {"type": "Polygon", "coordinates": [[[120.5, 31.4], [120.51, 31.4], [120.51, 31.41], [120.5, 31.4]]]}


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def test_payment_through_the_chain_to_ledger_and_disclosure(
    live_server: Any,
    desk_sessions: Any,
    media: None,
    people: dict[str, Any],  # noqa: F811
    org: Any,  # noqa: F811
    funded: Any,  # noqa: F811
    clerk: Any,  # noqa: F811
    tenant: Any,  # noqa: F811
) -> None:
    base = live_server.url
    problems = PageProblems()
    now = timezone.now()
    today = timezone.localdate(now)
    resource = actions.do_record_resource(
        org, name="东片鱼塘", kind="water", area_mu="12", outline=SQUARE, actor=people["hq_head"], now=now
    )
    do_sign_contract(
        org,
        ContractInput(
            number="HT-2026-01",
            starts_on=today - timedelta(days=340),
            ends_on=today + timedelta(days=20),
            annual_price="8000",
            schedule=[(today - timedelta(days=340), "8000")],
            entity=tenant,
            resource=resource,
        ),
        actor=people["hq_head"],
        now=now,
    )

    village = desk_sessions()
    problems.attach(village)
    log_in(village, base, "hq_clerk", PASSWORD)
    village.goto(f"{base}/territorial/payments/new/")
    village.select_option("#id_account", str(funded.pk))
    village.fill("#id_amount", "6800.50")
    village.fill("#id_payee", "苏州某某建筑工程队")
    village.fill("#id_purpose", "村道修补")
    village.select_option("#id_category", "public_welfare")
    # No voucher first: refused on the form, nothing written.
    village.click("[data-submit-payment]")
    assert "支出须附原始凭证。" in village.inner_text("[data-field-error='voucher']")
    assert not Payment.objects.exists()
    village.set_input_files(
        "#id_voucher", {"name": "voucher.png", "mimeType": "image/png", "buffer": png_bytes(60, 40)}
    )
    screenshot(village, "territorial-payment-form")
    village.click("[data-submit-payment]")
    village.wait_for_url(f"{base}/territorial/payments/*/")
    assert "待村委会审核" in village.inner_text("h1")
    payment = Payment.objects.get()

    head = desk_sessions()
    problems.attach(head)
    log_in(head, base, "hq_head", PASSWORD)
    head.goto(f"{base}/territorial/payments/{payment.pk}/")
    head.click("[data-action='committee_approve']")
    head.wait_for_load_state("networkidle")
    assert "待镇三资办审核" in head.inner_text("h1")

    town = desk_sessions()
    problems.attach(town)
    log_in(town, base, "hq_agency", PASSWORD)
    town.goto(f"{base}/territorial/payments/?waiting=1")
    town.click(f"[data-payment='{payment.pk}'] a >> nth=0")
    town.click("[data-action='town_approve']")
    town.wait_for_load_state("networkidle")
    assert "已审批支付" in town.inner_text("h1")
    screenshot(town, "territorial-payment-approved")

    town.goto(f"{base}/territorial/organisations/{org.pk}/")
    book = town.inner_text(f"[data-account='{funded.pk}']")
    assert "村道修补（苏州某某建筑工程队）" in book and "6800.50" in book
    assert "13199.50" in book  # 20,000.00 − 6,800.50
    assert town.get_attribute(f"[data-account='{funded.pk}'] [data-reconciles]", "data-reconciles") == "yes"
    screenshot(town, "territorial-ledger")

    # The contract ends in 20 days: its warning on the 三资 page and raised by the command centre's rule.
    town.goto(f"{base}/territorial/warnings/")
    assert "合同 HT-2026-01 将于" in town.inner_text("[data-findings]")
    screenshot(town, "territorial-warnings")
    evaluate_warnings(now=now, rules=[Rule.TERRITORIAL_CONTRACT_EXPIRING])
    warning = EarlyWarning.objects.get(rule=Rule.TERRITORIAL_CONTRACT_EXPIRING)
    assert warning.level == "orange" and "HT-2026-01" in warning.summary

    # The overview lists the unpaid rent, linked to its contract.
    town.goto(f"{base}/territorial/")
    assert "HT-2026-01" in town.inner_text("[data-overdue-rents]")
    screenshot(town, "territorial-overview")
    town.click("[data-overdue-rents] a >> text=HT-2026-01")
    town.wait_for_url(f"{base}/territorial/contracts/*/")
    assert "HT-2026-01" in town.inner_text("h1")
    assert Payment.objects.get().category == "public_welfare"

    public = desk_sessions()
    problems.attach(public)
    public.goto(f"{base}/public/territorial/{HUANGQIAO_VILLAGE}/{today.year}/{today.month}/")
    text = public.inner_text("main")
    assert "村道修补" in text and "6800.50" in text
    screenshot(public, "territorial-disclosure")
    # The refused proposal without a voucher answers 400 (and the browser logs that response): expected.
    unexpected = [e for e in problems.errors if "/payments/new/" not in e and "status of 400" not in e]
    assert unexpected == [], problems.errors
