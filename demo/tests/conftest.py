"""Fixtures of the demo tests: the files the demo makes (enforcement documents, certificates) go to a
temporary media folder, not the checkout's var/media."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
