"""On PostgreSQL, certificates issued at the same time by two sessions get distinct serials (the licence-type
row is locked while numbering)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from licences.models import Certificate
from licences.tests.conftest import issue

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_issues_get_distinct_serials(on_postgres: None, staff: dict[str, Any]) -> None:
    errors: list[BaseException] = []
    barrier = threading.Barrier(3)

    def worker(name: str) -> None:
        try:
            barrier.wait()
            issue(staff, holder_name=name)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(name,)) for name in ("甲一", "乙二", "丙三")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(Certificate.objects.values_list("serial", flat=True)) == [1, 2, 3]
