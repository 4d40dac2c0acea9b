"""The one append-only model base: rows are written once and never changed or removed through the ORM.
The audit trail, workflow transitions, published process versions and the enforcement full-process
record use it. Database triggers (where a model has them) refuse the same from raw SQL."""

from __future__ import annotations

from typing import Any, ClassVar, NoReturn, TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)


class AppendOnlyError(Exception):
    """A stored append-only row was to be changed or deleted (a programming error, not a user's)."""


def _refusal(model: type[models.Model], verb: str) -> AppendOnlyError:
    label = getattr(model, "append_only_label", "") or str(model._meta.verbose_name)
    chinese = "修改" if verb == "changed" else "删除"
    return AppendOnlyError(f"{label}只能追加，不能{chinese}。{model.__name__} rows cannot be {verb}.")


class AppendOnlyQuerySet(models.QuerySet[M]):
    """Bulk writes bypass Model.save() and delete(), so they are refused here too."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise _refusal(self.model, "changed")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise _refusal(self.model, "changed")

    def delete(self) -> NoReturn:
        raise _refusal(self.model, "deleted")


class AppendOnlyModel(models.Model):
    """Abstract base: save() inserts only, delete() is refused, and `objects` refuses update/delete.
    A subclass that needs its own queryset derives it from AppendOnlyQuerySet."""

    append_only_label: ClassVar[str] = ""  # the name in refusals; the verbose name when empty

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise _refusal(type(self), "changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise _refusal(type(self), "deleted")
