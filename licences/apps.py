from django.apps import AppConfig


class LicencesConfig(AppConfig):
    name = "licences"
    verbose_name = "电子证照 Electronic licences"

    def ready(self) -> None:
        # The entity page's (一企一档) section of the certificates an entity holds.
        from licences import entity_profile

        entity_profile.register()
