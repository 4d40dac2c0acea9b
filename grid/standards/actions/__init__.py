"""Every write of grid governance's master data, one module a concern (following grid/models/): the
categories and the filing/closing standard (standard), the responsibility list and routing decisions
(responsibility), the grid's lists (grid_lists) and the reference seed (reference). Grid events have
their own package, grid/events; patrols theirs, grid/patrols. The names below are the package's public
actions."""

from grid.standards.actions.common import require_reference_editor
from grid.standards.actions.grid_lists import do_add_patrol_item, do_save_patrol_item, do_update_basic_info
from grid.standards.actions.reference import do_seed_reference
from grid.standards.actions.responsibility import (
    do_delete_responsibility,
    do_record_routing,
    do_save_responsibility,
    do_set_responsibility,
)
from grid.standards.actions.standard import (
    do_create_draft_version,
    do_delete_standard_row,
    do_publish_standard_version,
    do_save_category,
    do_save_standard_row,
)

__all__ = [
    "do_add_patrol_item",
    "do_create_draft_version",
    "do_delete_responsibility",
    "do_delete_standard_row",
    "do_publish_standard_version",
    "do_record_routing",
    "do_save_category",
    "do_save_patrol_item",
    "do_save_responsibility",
    "do_save_standard_row",
    "do_seed_reference",
    "do_set_responsibility",
    "do_update_basic_info",
    "require_reference_editor",
]
