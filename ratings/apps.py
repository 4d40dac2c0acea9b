from django.apps import AppConfig


class RatingsConfig(AppConfig):
    name = "ratings"
    verbose_name = "好差评 Service ratings"

    def ready(self) -> None:
        # The rules of each rectification step, bound to the engine (workflow.handlers).
        from ratings import steps

        steps.register()
