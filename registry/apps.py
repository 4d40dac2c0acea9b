from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("基础信息库（一标三实）")

    def ready(self) -> None:
        # Public texts mask the names of registered people (core cannot import the registries).
        from core.publication import register_name_source
        from registry.names import names_of_registered_people

        register_name_source(names_of_registered_people)
