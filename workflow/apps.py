from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = "流程引擎 Workflow"

    def ready(self) -> None:
        from workflow import steps

        steps.register()
