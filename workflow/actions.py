"""Every write of the workflow, in one place for readers: the engine's `do_start_item` and
`transition` (the only writers of a work item's state), publishing definitions, and the sweeper."""

from workflow.engine import transition
from workflow.publishing import do_publish_process, do_publish_processes
from workflow.start import do_start_item
from workflow.sweeper import sweep

do_transition_item = transition

__all__ = [
    "do_publish_process",
    "do_publish_processes",
    "do_start_item",
    "do_transition_item",
    "sweep",
    "transition",
]
