from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = "流程引擎 Workflow"

    def ready(self) -> None:
        # Deadlines counted on a provisional year are recomputed when its holidays are entered; the
        # calendar sits below the engine, so the engine connects itself to the calendar's hook.
        from workcalendar.signals import holidays_entered
        from workflow.recompute import on_holidays_entered

        holidays_entered.connect(on_holidays_entered, dispatch_uid="workflow.recompute")
