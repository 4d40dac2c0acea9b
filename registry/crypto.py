"""Which registry columns are sealed, and sealing/unsealing them. Each token is bound to its column
(AES-GCM associated data "<model>.<field>"), so a token copied into another column does not open."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.db import models

from core import pii

# model label → its sealed columns; `rotate_registry_keys` walks exactly these.
SEALED_COLUMNS: dict[str, tuple[str, ...]] = {
    "registry.person": ("id_number_sealed", "phone_sealed", "address_detail_sealed"),
    "registry.sensitiverecord": ("care_tags_sealed", "special_groups_sealed", "note_sealed"),
    "registry.entity": ("legal_representative_phone_sealed",),
    "registry.recordchange": ("values_sealed",),
    # A connector's quarantined row of personal data (datashare.sync): kept whole, sealed.
    "datashare.quarantinedrow": ("payload_sealed",),
    # A connector's source password or token (datashare.connectors).
    "datashare.connector": ("secret_sealed",),
}


def _associated(model: type[models.Model] | models.Model, column: str) -> bytes:
    return f"{model._meta.label_lower}.{column}".encode()


def seal(model: type[models.Model] | models.Model, column: str, value: str) -> str:
    return pii.seal(value, associated=_associated(model, column))


def column_sealer(model: type[models.Model], column: str) -> Callable[[str], str]:
    """`seal` for many values of one column (the key and cipher prepared once)."""
    return pii.sealer(associated=_associated(model, column))


def unseal(instance: models.Model, column: str) -> str:
    return pii.unseal(getattr(instance, column), associated=_associated(instance, column))


def seal_list(model: type[models.Model], column: str, values: list[str]) -> str:
    return seal(model, column, json.dumps(sorted(set(values)), ensure_ascii=False)) if values else ""


def unseal_list(instance: models.Model, column: str) -> list[str]:
    text = unseal(instance, column)
    return list(json.loads(text)) if text else []


def lookup_hash(value: str) -> str:
    return pii.lookup_hash(value)


def hasher() -> Callable[[str], str]:
    """`lookup_hash` for many values (the key looked up once)."""
    return pii.hasher()
