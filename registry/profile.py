"""The entity 360° page (一企一档) is assembled from sections that the streams contribute: the registry
sits below them and cannot import them, so each stream registers a provider (typically in its
AppConfig.ready) that returns the rows it holds for an entity, already scoped to the viewer.

    profile.register_section("licences", "证照", lambda entity, user: [...])

A provider returns `Row`s; the page shows each registered section in registration order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from accounts.models import User


@dataclass(frozen=True)
class Row:
    label: str
    url: str = ""
    status: str = ""
    at: datetime | None = None


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    rows: list[Row] = field(default_factory=list)


Provider = Callable[[object, User], list[Row]]
_PROVIDERS: dict[str, tuple[str, Provider]] = {}


def register_section(key: str, title: str, provider: Provider) -> None:
    """Add (or replace, by key) a section of the entity page."""
    _PROVIDERS[key] = (title, provider)


def unregister_section(key: str) -> None:
    _PROVIDERS.pop(key, None)


def sections_for(entity: object, user: User) -> list[Section]:
    return [Section(key, title, provider(entity, user)) for key, (title, provider) in _PROVIDERS.items()]
