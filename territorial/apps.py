from django.apps import AppConfig


class TerritorialConfig(AppConfig):
    name = "territorial"
    verbose_name = "属地管理 Territorial management"

    def ready(self) -> None:
        # The rules of each asset-change and payment step, bound to the engine (workflow.handlers).
        from territorial import assets, funds

        assets.register()
        funds.register()
        # The entity page's (一企一档) section of the contracts with an entity as counterparty.
        from territorial import entity_profile

        entity_profile.register()
