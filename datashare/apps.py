from django.apps import AppConfig


class DatashareConfig(AppConfig):
    name = "datashare"
    verbose_name = "数据归集与共享 Data from other systems"

    def ready(self) -> None:
        # The rules of each dataset_grant and people_export step, bound to the engine (workflow.handlers).
        from datashare import grants, people_exports

        grants.register()
        people_exports.register()
