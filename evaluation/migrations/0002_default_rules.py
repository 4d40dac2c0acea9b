"""Seed the default point rules and the rotation policy (values copied here so the migration stays
fixed even if evaluation.rules changes later)."""

from typing import Any

from django.db import migrations

RULES = [
    ("step_on_time", "案件环节在时限内办结", "step_on_time", 1),
    ("step_late", "案件环节超过时限办结", "step_late", -2),
    ("publication_late", "处罚决定未在七个工作日内公示", "publication_late", -2),
    ("legal_review_finding", "法制审核发现问题（退回补充调查或纠正）", "assessment", -3),
    ("decision_overturned", "处罚决定被复议或诉讼撤销、变更或确认违法", "assessment", -10),
    ("complaint_upheld", "针对执法行为的投诉经查属实", "assessment", -5),
    ("file_excellent", "案卷评查优秀", "assessment", 3),
    ("file_defective", "案卷评查不合格", "assessment", -3),
]


def seed(apps: Any, schema_editor: Any) -> None:
    point_rule = apps.get_model("evaluation", "PointRule")
    rotation_policy = apps.get_model("evaluation", "RotationPolicy")
    for code, description, basis, points in RULES:
        point_rule.objects.get_or_create(
            code=code, defaults={"description": description, "basis": basis, "points": points}
        )
    rotation_policy.objects.get_or_create(pk=1, defaults={"threshold": 0, "consecutive_periods": 3})


def unseed(apps: Any, schema_editor: Any) -> None:
    apps.get_model("evaluation", "PointRule").objects.filter(code__in=[r[0] for r in RULES]).delete()
    apps.get_model("evaluation", "RotationPolicy").objects.filter(pk=1).delete()


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
