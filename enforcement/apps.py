from django.apps import AppConfig


class EnforcementConfig(AppConfig):
    name = "enforcement"
    verbose_name = "综合执法 Comprehensive law enforcement"

    def ready(self) -> None:
        # Registers what each case counts in the ledger rollup (workflow/rollups.py).
        from enforcement import figures_rollup  # noqa: F401

        # The rules of each case step, bound to the engine (workflow.handlers).
        from enforcement.cases import binding

        binding.register()

        # The entity page's (一企一档) sections of the cases against an entity and its published decisions.
        from enforcement import entity_profile

        entity_profile.register()
