"""Models of the command centre (each kept in the module that owns it)."""

from command.tokens import ScreenToken

__all__ = ["ScreenToken"]
