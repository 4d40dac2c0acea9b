"""Grid governance data, one module a concern: `standards` (categories, the filing/closing standard, the
responsibility list, routing decisions), `lists` (the grid's basic information and patrol items), `events`
(grid events and their attachments), `patrols` (rounds and check-ins), `registry_changes` (change requests
to the registries). Every model is importable from `grid.models`."""

from grid.models.events import (
    AttachmentStage,
    EventAttachment,
    EventChannel,
    EventLevel,
    GridEvent,
)
from grid.models.intake import (
    IntakeState,
    ReportIntake,
)
from grid.models.lists import (
    GridBasicInfo,
    PatrolFrequency,
    PatrolItem,
)
from grid.models.patrols import (
    Patrol,
    PatrolCheckIn,
)
from grid.models.registry_changes import (
    RegistryChangeRequest,
)
from grid.models.standards import (
    Basis,
    Category,
    CategoryKind,
    CategoryStandard,
    CategoryStandardVersion,
    ResponsibilityEntry,
    RoutingDecision,
    RoutingLevel,
    TimeUnit,
)

__all__ = [
    "AttachmentStage",
    "Basis",
    "Category",
    "CategoryKind",
    "CategoryStandard",
    "CategoryStandardVersion",
    "EventAttachment",
    "EventChannel",
    "EventLevel",
    "GridBasicInfo",
    "GridEvent",
    "IntakeState",
    "Patrol",
    "PatrolCheckIn",
    "PatrolFrequency",
    "PatrolItem",
    "RegistryChangeRequest",
    "ReportIntake",
    "ResponsibilityEntry",
    "RoutingDecision",
    "RoutingLevel",
    "TimeUnit",
]
