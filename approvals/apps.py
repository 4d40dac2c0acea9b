from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "approvals"
    verbose_name = "政务服务 Approval services"

    def ready(self) -> None:
        # Registers what each application counts in the ledger rollup (workflow/rollups.py).
        # The rules of each application step, bound to the engine (workflow.handlers).
        from approvals import (
            figures_rollup,  # noqa: F401
            steps,
        )

        steps.register()
        # The entity page's (一企一档) section of the applications an entity made.
        from approvals import entity_profile

        entity_profile.register()
