"""The demo's Open311 key: a fixed, published key (README, docs/open311.md) so that a GeoReport client can
try the demo at once. Real keys are random and issued by an administrator (open311.actions)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from open311.actions import do_issue_api_key
from open311.keys import hash_key
from open311.models import ApiKey

DEMO_KEY = "demo-open311-key"
DEMO_KEY_NAME = "演示客户端"


def ensure_demo_key(*, actor: Any, now: datetime) -> ApiKey:
    """Idempotent: an existing demo key is left as it is, so a revocation by an administrator stands."""
    existing = ApiKey.objects.filter(key_hash=hash_key(DEMO_KEY)).first()
    if existing is not None:
        return existing
    name = (
        DEMO_KEY_NAME
        if not ApiKey.objects.filter(name=DEMO_KEY_NAME).exists()
        else f"{DEMO_KEY_NAME}-{now:%Y%m%d}"
    )
    api_key, _ = do_issue_api_key(
        name=name, actor=actor, now=now, contact="演示环境（make run）", key=DEMO_KEY
    )
    return api_key
