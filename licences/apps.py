from django.apps import AppConfig


class LicencesConfig(AppConfig):
    name = "licences"
    verbose_name = "电子证照 Electronic licences"
