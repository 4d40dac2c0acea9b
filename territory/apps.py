from django.apps import AppConfig


class TerritoryConfig(AppConfig):
    name = "territory"
    verbose_name = "区划与网格 Territory"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from territory.locate import invalidate_index
        from territory.models import Grid, GridBoundary

        def drop_index(**_: object) -> None:
            # A grid or boundary saved or deleted in this process (admin, fixtures, shell): rebuild the
            # locate index on the next lookup. Other processes notice through the generation key.
            invalidate_index()

        for model in (Grid, GridBoundary):
            post_save.connect(
                drop_index, sender=model, dispatch_uid=f"territory-locate-{model.__name__}-save"
            )
            post_delete.connect(
                drop_index, sender=model, dispatch_uid=f"territory-locate-{model.__name__}-delete"
            )
