from __future__ import annotations

from typing import Any

import pytest

from enforcement.tests.test_documents_support import squad_people
from evaluation.testing import local


@pytest.fixture
def people(personas: dict[str, Any]) -> dict[str, Any]:
    return squad_people(personas, local(1, 8))
