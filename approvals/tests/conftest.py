from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

# Monday 2 November 2026, 10:00 in Suzhou (02:00 UTC): a working day.
NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    """Uploaded materials and scans land in the test's own directory, never in the checkout's var/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def setup(personas: dict[str, Any], now: datetime) -> dict[str, Any]:
    from approvals.testing import make_approvals

    return {**personas, **make_approvals(personas, now)}
