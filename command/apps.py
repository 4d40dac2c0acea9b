from django.apps import AppConfig


class CommandConfig(AppConfig):
    name = "command"
    verbose_name = "集成指挥中心 Command centre"

    def ready(self) -> None:
        # The early warnings' steps, bound to the engine (workflow.handlers).
        from command.screen import register_warnings_source
        from command.warnings import steps
        from command.warnings.selectors import open_for_screen

        steps.register()
        # The wall screen's warnings panel reads the open warnings of its territory.
        register_warnings_source(open_for_screen)
