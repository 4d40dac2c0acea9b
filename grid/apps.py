from django.apps import AppConfig


class GridConfig(AppConfig):
    name = "grid"
    verbose_name = "网格治理 Grid governance"
