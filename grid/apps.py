from django.apps import AppConfig


class GridConfig(AppConfig):
    name = "grid"
    verbose_name = "网格治理 Grid governance"

    def ready(self) -> None:
        # The rules of each grid_event step, bound to the engine (workflow.handlers).
        from grid.events import steps

        steps.register()
