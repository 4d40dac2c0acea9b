"""The registries' answer to the publication path (core.publication): which of some candidate strings
are names of registered people (实有人口). Registered in RegistryConfig.ready(); names are stored in
clear and indexed, so each batch of candidates is one index lookup."""

from __future__ import annotations

from collections.abc import Iterable

from registry.models import Person

# Under SQLite's 999 bound parameters; one text's candidates (core.publication.MAX_NAME_CANDIDATES)
# fit in one query, a long list's in a few.
BATCH = 900


def names_of_registered_people(candidates: frozenset[str]) -> Iterable[str]:
    ordered = sorted(candidates)
    found: set[str] = set()
    for start in range(0, len(ordered), BATCH):
        batch = ordered[start : start + BATCH]
        # No ordering: SELECT DISTINCT name … WHERE name IN (…), answered from the name index alone.
        names = Person.objects.filter(name__in=batch).order_by().values_list("name", flat=True).distinct()
        found.update(names)
    return found
