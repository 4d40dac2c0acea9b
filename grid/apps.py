from django.apps import AppConfig


class GridConfig(AppConfig):
    name = "grid"
    verbose_name = "网格治理 Grid governance"

    def ready(self) -> None:
        # Registers what each grid_event item counts in the ledger rollup (workflow/rollups.py).
        # The rules of each grid_event step, bound to the engine (workflow.handlers).
        from grid.events import steps
        from grid.figures import rollup  # noqa: F401

        steps.register()
        # The village's review of registry change requests (registry_change), bound the same way.
        from grid import registry_changes

        registry_changes.register()
        # The entity page's (一企一档) section of the events reported at an entity's address or places.
        from grid import entity_profile

        entity_profile.register()
