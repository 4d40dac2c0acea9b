"""The reference seed: the category tree and standard v1 carry DOMAIN.md's limits; seeding is idempotent."""

from __future__ import annotations

from typing import Any

import pytest

from audit.models import AuditEvent
from core.errors import DomainError, NotFound, PermissionRefused
from grid.models import Category, CategoryStandard, CategoryStandardVersion, ResponsibilityEntry
from grid.standards.actions import do_seed_reference
from grid.standards.selectors import limit_for

pytestmark = pytest.mark.django_db


def test_seeded_limits_match_domain(reference: dict[str, int]) -> None:
    for code, area, amount, unit in [
        ("0102", "A", 4, "work_hours"),  # exposed garbage
        ("0102", "B", 4, "work_hours"),
        ("0104", "A", 2, "work_hours"),  # road cleaning
        ("0104", "B", 2, "work_hours"),
    ]:
        got_amount, got_unit, row = limit_for(code, area)
        assert (got_amount, got_unit) == (amount, unit), code
        assert row.version.active
    stop, penalty, demolition = (limit_for("0101", "A", sequence=n) for n in (1, 2, 3))
    assert stop[:2] == (4, "work_hours")
    assert penalty[:2] == (7, "work_days")
    assert demolition[:2] == (20, "work_days")
    assert "停止" in stop[2].filing_condition and "拆除" in demolition[2].filing_condition
    # The default row of a minor class is its first filing condition.
    assert limit_for("0101", "B")[2].sequence == 1


def test_seed_covers_the_standard_classes(reference: dict[str, int]) -> None:
    majors = dict(Category.objects.filter(kind="event", parent=None).values_list("code", "name"))
    assert set(majors.values()) == {"市容环境", "宣传广告", "施工管理", "街面秩序", "突发事件", "其他"}
    minors = set(Category.objects.filter(kind="event").exclude(parent=None).values_list("name", flat=True))
    for name in [
        "私搭乱建",
        "暴露垃圾",
        "积存垃圾渣土",
        "道路不洁",
        "水域不洁",
        "绿地脏乱",
        "非法小广告",
        "违规户外广告",
        "施工扰民",
        "占道施工",
        "扬尘",
        "无照经营",
        "占道经营",
        "流浪乞讨",
        "管道破裂",
        "路面塌陷",
        "道路积水",
    ]:
        assert name in minors
    components = dict(Category.objects.filter(kind="component", parent=None).values_list("code", "name"))
    assert components == {
        "01": "公用设施",
        "02": "道路交通",
        "03": "市容环境",
        "04": "园林绿化",
        "05": "房屋土地",
        "06": "其他设施",
        "07": "扩展部件",
    }
    assert Category.objects.get(kind="component", code="0101").name == "上水井盖"
    # Every minor class has at least one standard row, and the note marks local seed values.
    version = CategoryStandardVersion.objects.get(active=True)
    assert "(local) seed values" in version.note
    without_rows = Category.objects.exclude(parent=None).exclude(standard_rows__version=version)
    assert not without_rows.exists()
    assert CategoryStandard.objects.filter(
        version=version, category__code="0401", category__kind="event", urgent=True
    ).exists()


def test_seed_is_idempotent_and_reports_counts(personas: dict[str, Any], now: Any) -> None:
    first = do_seed_reference(actor=personas["system"], now=now)
    assert first["standard_rows"] == CategoryStandard.objects.count() > 40
    # 黄桥 has an urban office, a squad and its government office: every major class finds one of them
    # (first preference that exists); 渭塘 has no agencies and 流浪乞讨 (social affairs) none anywhere.
    assert first["responsibilities_created"] == 13
    assert first["responsibilities_skipped"] == 14 + 1
    chosen = dict(
        ResponsibilityEntry.objects.filter(category__kind="event").values_list(
            "category__code", "org_unit__code"
        )
    )
    assert chosen == {
        "01": "320507003-urban",
        "02": "320507003-urban",
        "03": "320507003-urban",
        "04": "320507003-urban",
        "05": "320507003-squad1",
        "06": "320507003-gov",
    }
    assert not ResponsibilityEntry.objects.filter(territory_code__startswith="320507105").exists()
    audit_rows = AuditEvent.objects.count()
    second = do_seed_reference(actor=personas["system"], now=now)
    assert second["standard_rows"] == 0 and second["categories"] == 0
    assert second["responsibilities_created"] == 0 and second["responsibilities_existing"] == 13
    assert CategoryStandardVersion.objects.count() == 1
    assert AuditEvent.objects.count() == audit_rows


def test_seed_writes_audit_rows(reference: dict[str, int]) -> None:
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"grid.category_saved", "grid.standard_published", "grid.responsibility_saved"} <= actions


def test_seed_refused_to_an_ordinary_user(personas: dict[str, Any], now: Any) -> None:
    with pytest.raises(PermissionRefused):
        do_seed_reference(actor=personas["hq_grid"], now=now)
    assert not Category.objects.exists()


def test_limit_for_bad_input(reference: dict[str, int]) -> None:
    with pytest.raises(DomainError) as exc:
        limit_for("0102", "D")
    assert exc.value.field == "area_class"
    with pytest.raises(NotFound):
        limit_for("9999", "A")
    # The component tree reuses codes: 0101 is 上水井盖 there.
    amount, unit, row = limit_for("0101", "A", kind="component")
    assert row.category.name == "上水井盖" and (amount, unit) == (2, "work_hours")
