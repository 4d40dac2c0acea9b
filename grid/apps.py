from django.apps import AppConfig


class GridConfig(AppConfig):
    name = "grid"
    verbose_name = "网格治理 Grid governance"

    def ready(self) -> None:
        # Registers what each grid_event item counts in the ledger rollup (workflow/rollups.py).
        from grid import figures_rollup  # noqa: F401
