"""The entity 360° page (一企一档) is assembled from sections that the streams contribute: the registry
sits below them and cannot import them, so each stream registers a provider (in its AppConfig.ready)
that returns the rows it holds for an entity, already scoped to the viewer:

    profile.register_section("licences", _("证照"), provider, position=10)

A provider returns the latest `SECTION_LIMIT` rows the viewer may read (its own jurisdiction scoping,
newest first, a bounded number of queries whatever the entity holds), or None when the viewer's roles
may not read that stream at all: the page then leaves the section out rather than show it empty. The
page shows the sections by position, then registration order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.utils.functional import Promise

from accounts.models import User

SECTION_LIMIT = 10


@dataclass(frozen=True)
class Row:
    label: str
    url: str = ""
    status: str = ""
    at: date | None = None  # a day or a moment (datetime is a date)


@dataclass(frozen=True)
class Section:
    key: str
    title: str | Promise
    rows: list[Row] = field(default_factory=list)


Provider = Callable[[object, User], list[Row] | None]
_PROVIDERS: dict[str, tuple[str | Promise, Provider, int]] = {}


def register_section(key: str, title: str | Promise, provider: Provider, *, position: int = 100) -> None:
    """Add (or replace, by key) a section of the entity page."""
    _PROVIDERS[key] = (title, provider, position)


def unregister_section(key: str) -> None:
    _PROVIDERS.pop(key, None)


def sections_for(entity: object, user: User) -> list[Section]:
    """The sections the viewer may read, in page order (a provider answering None is left out)."""
    ordered = sorted(enumerate(_PROVIDERS.items()), key=lambda entry: (entry[1][1][2], entry[0]))
    out = []
    for _index, (key, (title, provider, _position)) in ordered:
        rows = provider(entity, user)
        if rows is not None:
            out.append(Section(key, title, rows))
    return out
