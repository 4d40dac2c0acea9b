"""`{{ decision|routing_reason }}`: why an event went where it went, in the session's language. The stored
reason (Chinese, written when the decision was made) is shown as it is in a Chinese session; an English
session gets the same explanation rebuilt from the decision's trail (levels tried, what matched)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from grid.models import Basis, CategoryKind, RoutingDecision, RoutingLevel
from grid.standards.routing import basis_order
from workflow.english import in_english

register = template.Library()


def _names(decision: RoutingDecision) -> tuple[dict[str, str], dict[str, str]]:
    """Unit and category codes of the trail → names, from what the decision already holds."""
    units = {decision.chosen_unit.code: decision.chosen_unit.name} if decision.chosen_unit else {}
    categories: dict[str, str] = {}
    category = decision.category
    while category is not None:
        categories[category.code] = category.display_name
        category = category.parent
    return units, categories


def _step(row: dict[str, Any], first: bool, units: dict[str, str], categories: dict[str, str]) -> str:
    level = RoutingLevel(row["level"]).label if row["level"] in RoutingLevel.values else row["level"]
    where = f"{level} {row['code']}"
    if row["level"] == RoutingLevel.OWNER_UNIT:
        return _("指定权属单位 %(unit)s") % {"unit": units.get(row["code"], row["code"])}
    if not row.get("matched"):
        text = _("%(where)s 无匹配") % {"where": where}
    else:
        code = str(row.get("category") or "")
        by = (_("按大类 %(name)s") if len(code) == 2 else _("按小类 %(name)s")) % {
            "name": categories.get(code, code)
        }
        unit = str(row.get("org_unit") or "")
        text = _("%(where)s 匹配 %(unit)s（%(by)s）") % {
            "where": where,
            "unit": units.get(unit, unit),
            "by": by,
        }
    return text if first else _("上溯至%(step)s") % {"step": text}


@register.filter
def routing_reason(decision: RoutingDecision) -> str:
    if not in_english() or decision.kind not in CategoryKind.values:
        return decision.reason
    units, categories = _names(decision)
    order = basis_order(decision.kind)
    kinds: dict[str, str] = {CategoryKind.EVENT: _("事件"), CategoryKind.COMPONENT: _("部件")}
    bases: dict[str, str] = {Basis.TERRITORIAL: _("属地"), Basis.OWNER: _("属主")}
    parts = [
        _("%(kind)s先%(first)s后%(then)s")
        % {"kind": kinds[decision.kind], "first": bases[order[0]], "then": bases[order[1]]}
    ]
    for basis in order:
        rows = [row for row in decision.trail if row.get("basis") == basis]
        if rows:
            steps = [_step(row, index == 0, units, categories) for index, row in enumerate(rows)]
            parts.append(_("%(basis)s：%(steps)s") % {"basis": bases[basis], "steps": _("，").join(steps)})
    if decision.chosen_unit is None:
        parts.append(_("均无匹配，进入未路由队列"))
    return _("；").join(parts)
