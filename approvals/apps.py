from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "approvals"
    verbose_name = "政务服务 Approval services"

    def ready(self) -> None:
        # The rules of each application step, bound to the engine (workflow.handlers).
        from approvals import steps

        steps.register()
