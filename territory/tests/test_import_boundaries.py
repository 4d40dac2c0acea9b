"""do_import_boundaries and `manage.py import_boundaries`: good files import (new versions, audit, locate
sees them), bad files import nothing and name every problem."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from audit.models import AuditEvent
from core.errors import PermissionRefused
from territory.actions.boundaries import ImportRejected, do_import_boundaries
from territory.locate import index_builds, locate
from territory.models import Division, Grid, GridBoundary
from territory.testing import square
from territory.tests.conftest import NOW

pytestmark = pytest.mark.django_db


def feature(code: str, geometry: dict[str, Any], **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": {"code": code, **props}, "geometry": geometry}


def collection(*features: dict[str, Any]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


def rect(x0: float, y0: float, x1: float, y1: float) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


# The small territory: 黄桥测试村 320507003201 is the square 120.55–120.57 × 31.40–31.42.
GOOD = collection(
    feature("320507003201", rect(120.55, 31.40, 120.57, 31.42), name="张庄村", level="village"),
    feature("320507003201001", rect(120.55, 31.40, 120.57, 31.41), name="张庄村南网格", area_class="C"),
    feature("320507003201003", rect(120.55, 31.41, 120.56, 31.42), name="张庄村西北网格", area_class="C"),
    feature(
        "320507003201901",
        rect(120.56, 31.41, 120.57, 31.42),
        name="张庄小学专属网格",
        kind="dedicated",
        dedicated_to="张庄小学",
        area_class="C",
    ),
)


def test_a_good_file_imports_new_versions(territory: dict[str, Grid]) -> None:
    assert locate(120.565, 31.405).grid_code == "320507003201002"
    builds = index_builds()
    counts = do_import_boundaries(GOOD, actor=None, now=NOW, source="zhangzhuang.geojson")
    assert counts["features"] == 4
    assert counts["divisions_updated"] == 1
    assert counts["grids_created"] == 2
    assert counts["boundaries_created"] == 3
    assert counts["grids_retired"] == 1  # 002 was synthetic and is not in the file
    village = Division.objects.get(code="320507003201")
    assert village.name == "张庄村" and not village.synthetic
    grid = Grid.objects.get(code="320507003201001")
    assert grid.name == "张庄村南网格"
    old, new = grid.boundaries.order_by("version")
    assert old.valid_to == NOW and new.valid_to is None
    assert new.version == 2 and not new.synthetic and new.source == "zhangzhuang.geojson"
    assert not Grid.objects.get(code="320507003201002").active
    assert Grid.objects.get(code="320507003201901").kind == Grid.Kind.DEDICATED
    # Audit: one per division/grid change, one per retirement, one summary.
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions.count("territory.grid.boundary_imported") == 3
    assert actions.count("territory.division.boundary_imported") == 1
    assert actions.count("territory.grid.retired") == 1
    assert actions.count("territory.import_boundaries") == 1
    # The locate index was rebuilt from the new boundaries.
    assert locate(120.565, 31.405).grid_code == "320507003201001"
    assert locate(120.565, 31.415).grid_code == "320507003201901"
    assert index_builds() > builds


def test_importing_the_same_file_twice_adds_no_versions(territory: dict[str, Grid]) -> None:
    do_import_boundaries(GOOD, actor=None, now=NOW, source="a")
    versions = GridBoundary.objects.count()
    counts = do_import_boundaries(GOOD, actor=None, now=NOW, source="a")
    assert counts["unchanged"] == 4
    assert counts["boundaries_created"] == 0
    assert GridBoundary.objects.count() == versions


@pytest.fixture
def real_village(territory: dict[str, Grid]) -> Division:
    """黄桥测试村 with a real (imported) boundary: real boundaries bind children, generated ones do not."""
    Division.objects.filter(code="320507003201").update(synthetic=False)
    return Division.objects.get(code="320507003201")


def test_a_bad_file_imports_nothing_and_names_every_problem(real_village: Division) -> None:
    unclosed = {
        "type": "Polygon",
        "coordinates": [[[120.55, 31.40], [120.56, 31.40], [120.56, 31.41], [120.55, 31.41]]],
    }
    bowtie = {
        "type": "Polygon",
        "coordinates": [
            [[120.55, 31.40], [120.56, 31.41], [120.56, 31.40], [120.55, 31.41], [120.55, 31.40]]
        ],
    }
    bad = collection(
        feature("320507003201001", rect(120.55, 31.40, 120.56, 31.41), name="ok"),  # 0: fine alone
        feature("320507003201004", rect(120.555, 31.40, 120.565, 31.41), name="overlaps 001"),  # 1
        feature("320507003201005", unclosed, name="unclosed"),  # 2
        feature("320507003201006", bowtie, name="self-intersecting"),  # 3
        feature("3205070032010", rect(120.55, 31.40, 120.56, 31.41), name="13 digits"),  # 4
        feature("320507003299001", rect(120.55, 31.40, 120.56, 31.41), name="no such village"),  # 5
        feature("320507003201007", rect(120.60, 31.40, 120.61, 31.41), name="outside its village"),  # 6
        feature("320507003201008", rect(120.561, 31.411, 120.562, 31.412)),  # 7: new code without a name
        feature("320507003201001", rect(120.55, 31.40, 120.56, 31.41), name="duplicate"),  # 8
        feature("320507003201009", {"type": "Point", "coordinates": [120.5, 31.4]}, name="point"),  # 9
        feature("320507003201010", rect(120.562, 31.411, 120.563, 31.412), name="x", level="village"),  # 10
        feature("320507003201011", rect(120.563, 31.411, 120.564, 31.412), name="d", kind="dedicated"),  # 11
    )
    audit_before = AuditEvent.objects.count()
    versions_before = GridBoundary.objects.count()
    with pytest.raises(ImportRejected) as caught:
        do_import_boundaries(bad, actor=None, now=NOW, source="bad.geojson")
    problems = caught.value.problems
    blamed = {(p.index, p.code) for p in problems}
    assert (1, "320507003201004") in blamed
    assert (2, "320507003201005") in blamed
    assert (3, "320507003201006") in blamed
    assert (4, "3205070032010") in blamed
    assert (5, "320507003299001") in blamed
    assert (6, "320507003201007") in blamed
    assert (7, "320507003201008") in blamed
    assert (8, "320507003201001") in blamed
    assert (9, "320507003201009") in blamed
    assert (10, "320507003201010") in blamed
    assert (11, "320507003201011") in blamed
    assert (0, "320507003201001") not in blamed
    messages = " ".join(p.message for p in problems)
    for words in (
        "重叠",
        "未闭合",
        "无效",
        "位数字",
        "不存在",
        "超出上级",
        "名称",
        "重复",
        "Polygon",
        "层级",
        "专属对象",
    ):
        assert words in messages, words
    assert caught.value.status == 422
    assert AuditEvent.objects.count() == audit_before
    assert GridBoundary.objects.count() == versions_before
    assert Grid.objects.filter(code="320507003201004").count() == 0


def test_overlap_tolerance_is_in_square_metres(territory: dict[str, Grid]) -> None:
    # 1e-5° × 1e-5° ≈ 1.05 m²: over a 1 m² tolerance, under a 2 m² one.
    a = feature("320507003201001", rect(120.55, 31.40, 120.56001, 31.41001), name="a")
    b = feature("320507003201002", rect(120.56, 31.41, 120.57, 31.42), name="b")
    file = collection(feature("320507003201", rect(120.54, 31.39, 120.58, 31.43), name="张庄村"), a, b)
    with pytest.raises(ImportRejected) as caught:
        do_import_boundaries(file, actor=None, now=NOW, source="t", tolerance_m2=1.0)
    assert [p.code for p in caught.value.problems] == ["320507003201002"]
    counts = do_import_boundaries(file, actor=None, now=NOW, source="t", tolerance_m2=2.0)
    assert counts["boundaries_created"] == 2


def test_generated_parents_do_not_bind(territory: dict[str, Grid]) -> None:
    # The small territory's village is a generated square: a real grid may stick out of it.
    file = collection(feature("320507003201001", rect(120.54, 31.40, 120.56, 31.41), name="张庄村南网格"))
    assert do_import_boundaries(file, actor=None, now=NOW, source="x")["boundaries_created"] == 1


def test_a_redrawn_parent_must_contain_the_real_children_that_stay(territory: dict[str, Grid]) -> None:
    do_import_boundaries(GOOD, actor=None, now=NOW, source="a")
    shrunk = collection(feature("320507003201", rect(120.55, 31.40, 120.56, 31.42), name="张庄村"))
    with pytest.raises(ImportRejected) as caught:
        do_import_boundaries(shrunk, actor=None, now=NOW, source="b")
    assert all(p.index == 0 and p.code == "320507003201" for p in caught.value.problems)
    assert "现有下级" in caught.value.problems[0].message


def test_not_a_feature_collection(territory: dict[str, Grid]) -> None:
    documents: list[Any] = [{"type": "Feature"}, [], {"type": "FeatureCollection", "features": []}]
    for document in documents:
        with pytest.raises(ImportRejected) as caught:
            do_import_boundaries(document, actor=None, now=NOW, source="x")
        assert caught.value.problems[0].index is None


def test_a_plain_user_may_not_import(territory: dict[str, Grid]) -> None:
    user = get_user_model().objects.create_user(username="clerk", password="x")
    with pytest.raises(PermissionRefused):
        do_import_boundaries(GOOD, actor=user, now=NOW, source="x")


def test_command_imports_a_good_file(territory: dict[str, Grid], tmp_path: Path) -> None:
    path = tmp_path / "good.geojson"
    path.write_text(json.dumps(GOOD, ensure_ascii=False), encoding="utf-8")
    out = StringIO()
    call_command("import_boundaries", str(path), stdout=out)
    assert "boundaries_created=3" in out.getvalue()
    assert GridBoundary.objects.get(grid_id="320507003201001", valid_to__isnull=True).source == "good.geojson"


def test_command_lists_every_problem_and_fails(real_village: Division, tmp_path: Path) -> None:
    path = tmp_path / "bad.geojson"
    bad = collection(
        feature("320507003201001", square(120.70, 31.40), name="outside"),
        feature("32050700320100X", square(120.55, 31.40), name="letters"),
    )
    path.write_text(json.dumps(bad), encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="2"):
        call_command("import_boundaries", str(path), stderr=err)
    assert "#0 320507003201001" in err.getvalue()
    assert "#1 32050700320100X" in err.getvalue()
    with pytest.raises(CommandError):
        call_command("import_boundaries", str(tmp_path / "missing.geojson"))
