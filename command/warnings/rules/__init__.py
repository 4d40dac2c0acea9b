"""The early-warning rules, one module per family, and their registry `RULES` (rule code → function of
the clock, passed in, and the owner units). A rule yields every situation that holds now: a `Finding`
(raised when no warning of it is open) or a `Holds` (keeps its open warning, never raised anew).
`command.warnings.actions.evaluate_warnings` raises the new ones and withdraws the open warnings whose
situation is no longer yielded. Thresholds are settings (`COMMAND_WARN_*`, docs/warnings.md).

- deadlines: `deadline_risk` (a step likely to breach its limit), `unrouted_backlog` (filed, not dispatched);
- spikes: `spike` (EARS C1/C2/C3 per area × minor class);
- places: `repeated_place` (N reports within R metres in D days);
- approvals: `approvals_queue` (a centre's queue growing day after day);
- publication: `publication_late` (a penalty decision not published, or not taken down, in time);
- party: `one_shoulder` (一肩挑: grid head and branch secretary);
- territorial: `territorial_*` (三资 contracts, rent, cash and payments).
"""

from __future__ import annotations

from . import approvals, deadlines, party, places, publication, spikes, territorial
from .base import (
    APPROVALS_PROCESS,
    GRID_PROCESS,
    WARNING_PROCESS,
    Finding,
    Holds,
    Owners,
    RuleFn,
    local_day,
    place_name,
)
from .deadlines import deadline_risk, unrouted_backlog
from .party import one_shoulder
from .places import repeated_places
from .publication import late_publications
from .spikes import SERIES_DAYS, Ears, ears
from .spikes import spikes as spike_rule

RULES: dict[str, RuleFn] = {
    **deadlines.RULES,
    **spikes.RULES,
    **places.RULES,
    **approvals.RULES,
    **publication.RULES,
    **party.RULES,
    **territorial.RULES,
}

__all__ = [
    "APPROVALS_PROCESS",
    "GRID_PROCESS",
    "RULES",
    "SERIES_DAYS",
    "WARNING_PROCESS",
    "Ears",
    "Finding",
    "Holds",
    "Owners",
    "RuleFn",
    "deadline_risk",
    "ears",
    "late_publications",
    "local_day",
    "one_shoulder",
    "place_name",
    "repeated_places",
    "spike_rule",
    "unrouted_backlog",
]
