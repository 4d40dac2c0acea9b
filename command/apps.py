from django.apps import AppConfig


class CommandConfig(AppConfig):
    name = "command"
    verbose_name = "集成指挥中心 Command centre"

    def ready(self) -> None:
        # The early warnings' steps, bound to the engine (workflow.handlers).
        from command.warnings import steps

        steps.register()
