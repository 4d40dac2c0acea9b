"""The handlers of `sample_complaint` (workflow/processes/sample_complaint.yaml), the engine's own example
process: no stream stands behind it, so every step carries only the definition's rules. Bound in
`WorkflowConfig.ready()`; the streams bind theirs the same way (`workflow.handlers`)."""

from __future__ import annotations

from workflow.handlers import PLAIN, Handler, bind

PROCESS = "sample_complaint"

HANDLERS: dict[str, Handler] = dict.fromkeys(
    (
        "dispatch",
        "void",
        "claim",
        "send_back",
        "park",
        "resume",
        "request_extension",
        "approve_extension",
        "reject_extension",
        "supervise",
        "escalate",
        "submit",
        "rework",
        "close",
    ),
    PLAIN,
)


def register() -> None:
    # No stream record stands behind it: the generic create door starts its items.
    bind(PROCESS, HANDLERS, owner="workflow", start_door=None)
