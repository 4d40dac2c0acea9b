"""Models of the command centre, each defined beside the code that owns it."""

from command.projects.models import KeyProject, Milestone
from command.reports.models import Report, ReportSubscription
from command.tokens import ScreenToken
from command.warnings.models import EarlyWarning

__all__ = ["EarlyWarning", "KeyProject", "Milestone", "Report", "ReportSubscription", "ScreenToken"]
