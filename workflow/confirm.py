"""Two-step confirmation of destructive actions (作废, 不予受理, 退回, 不予许可 …: `destructive: true` in a
process definition) on the staff pages. The first post of such an action is not taken: the page comes back
with the action's form filled in as it was posted, marked, and asking to confirm (a hidden `confirmed=1`);
the second post takes it. With scripts on, static/js/ui.js asks in a dialog and adds `confirmed=1` itself,
so one round trip is enough. The reason stays required by the definition (the engine refuses without)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workflow.process_definition import ActionDef

CONFIRM_FIELD = "confirmed"


def needs_confirmation(action: ActionDef | None, posted: Mapping[str, Any]) -> bool:
    """Whether a post of `action` must be confirmed first (a destructive action not yet confirmed)."""
    return action is not None and action.destructive and posted.get(CONFIRM_FIELD) != "1"
