"""Models of the command centre, each defined in its own module."""

from command.warnings.models import EarlyWarning

__all__ = ["EarlyWarning"]
