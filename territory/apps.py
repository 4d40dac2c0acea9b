from typing import Any

from django.apps import AppConfig


def _drop_locate_index(**_: Any) -> None:
    """A grid or boundary saved or deleted in this process (admin, fixtures, shell): rebuild the locate
    index on the next lookup. Other processes notice through the generation key."""
    from territory.locate import invalidate_index

    invalidate_index()


class TerritoryConfig(AppConfig):
    name = "territory"
    verbose_name = "区划与网格 Territory"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from territory.models import Grid, GridBoundary

        for model in (Grid, GridBoundary):
            post_save.connect(
                _drop_locate_index, sender=model, dispatch_uid=f"territory-locate-save-{model.__name__}"
            )
            post_delete.connect(
                _drop_locate_index, sender=model, dispatch_uid=f"territory-locate-delete-{model.__name__}"
            )
