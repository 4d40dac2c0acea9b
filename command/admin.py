"""The command centre's admin pages, each defined beside the code that owns it."""

from command.projects import admin as projects_admin  # noqa: F401  (registers KeyProject)
