"""Models of the command centre, defined beside the code that owns them."""

from command.reports.models import Report, ReportSubscription

__all__ = ["Report", "ReportSubscription"]
