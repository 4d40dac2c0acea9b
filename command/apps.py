from django.apps import AppConfig


class CommandConfig(AppConfig):
    name = "command"
    verbose_name = "集成指挥中心 Command centre"
