from django.apps import AppConfig


class PartyConfig(AppConfig):
    name = "party"
    verbose_name = "党建引领"

    def ready(self) -> None:
        # The rules of each party_service_need step (代办需求), bound to the engine (workflow.handlers).
        from party import needs

        needs.register()
