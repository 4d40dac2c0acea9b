"""Background jobs of the command centre (huey finds them here), each defined beside its feature."""

from command.warnings.tasks import evaluate_early_warnings

__all__ = ["evaluate_early_warnings"]
