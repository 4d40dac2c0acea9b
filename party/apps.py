from django.apps import AppConfig


class PartyConfig(AppConfig):
    name = "party"
    verbose_name = "党建引领"
