"""Asset cards change only through the approved asset_change process."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from core.errors import DomainError
from territorial.assets import do_propose_asset_change, do_review_asset_change
from territorial.models import Asset, AssetChange, CollectiveOrganisation
from territorial.tests.conftest import NOW

pytestmark = pytest.mark.django_db

CARD = {
    "number": "ZC-001",
    "name": "村综合楼",
    "kind": "building",
    "value": "1250000.50",
    "responsible": "张三",
    "lon": 120.56,
    "lat": 31.41,
}


def test_purchase_applies_only_when_the_town_approves(
    people: dict[str, Any], org: CollectiveOrganisation
) -> None:
    change = do_propose_asset_change(org, kind="purchase", card=CARD, actor=people["hq_head"], now=NOW)
    assert not Asset.objects.exists()
    with pytest.raises(DomainError) as village:  # the village cannot approve its own proposal
        do_review_asset_change(change, "approve", actor=people["hq_head"], now=NOW)
    assert village.value.status == 403
    with pytest.raises(DomainError) as outsider:
        do_review_asset_change(change, "approve", actor=people["wt_head"], now=NOW)
    assert outsider.value.status == 404
    change = do_review_asset_change(change, "approve", actor=people["hq_agency"], now=NOW)
    assert change.asset is not None and change.asset.value == Decimal("1250000.50")
    assert change.applied_at == NOW

    lease = do_propose_asset_change(org, kind="lease", asset=change.asset, actor=people["hq_head"], now=NOW)
    do_review_asset_change(lease, "reject", actor=people["hq_agency"], now=NOW, reason="合同未备案")
    assert Asset.objects.get().state == Asset.State.IN_USE
    revalue = do_propose_asset_change(
        org, kind="revalue", asset=change.asset, value="1300000", actor=people["hq_head"], now=NOW
    )
    do_review_asset_change(revalue, "approve", actor=people["hq_leader"], now=NOW)
    assert Asset.objects.get().value == Decimal("1300000.00")


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("value", "-1", "negative_amount"),
        ("kind", "castle", "invalid_choice"),
        ("lon", "east", "invalid_location"),
        ("responsible", "", "required"),
    ],
)
def test_bad_cards_write_nothing(
    people: dict[str, Any], org: CollectiveOrganisation, field: str, value: Any, code: str
) -> None:
    with pytest.raises(DomainError) as error:
        do_propose_asset_change(
            org, kind="purchase", card={**CARD, field: value}, actor=people["hq_head"], now=NOW
        )
    assert error.value.code == code
    assert not AssetChange.objects.exists()
