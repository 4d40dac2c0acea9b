from typing import Any

from django.apps import AppConfig
from django.core import checks


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = "流程引擎 Workflow"

    def ready(self) -> None:
        # Deadlines counted on a provisional year are recomputed when its holidays are entered; the
        # calendar sits below the engine, so the engine connects itself to the calendar's hook.
        from workcalendar.signals import holidays_entered
        from workflow.recompute import on_holidays_entered

        holidays_entered.connect(on_holidays_entered, dispatch_uid="workflow.recompute")

        # The engine's own steps (sample_complaint) bound to their handlers; every binding checked.
        from workflow import steps

        steps.register()
        checks.register(check_bindings)


def check_bindings(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Every action of every process definition is bound to a handler of the app that owns it, and no
    handler names an action no definition has (workflow.handlers)."""
    from workflow.handlers import binding_problems, definitions_on_disk

    return [
        checks.Error(
            problem, hint="bind the step's handler in the owning app's AppConfig.ready()", id="workflow.E001"
        )
        for problem in binding_problems(definitions_on_disk())
    ]
