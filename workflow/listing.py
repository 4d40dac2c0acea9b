"""What every list of work items needs to stay fast at a million rows: the reference rows of a page
(pinned process version, unit, assignee) from the process cache instead of joins, and a paginator whose
count stops at a cap instead of counting the whole table (documented in docs/performance.md)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from accounts.models import OrgUnit, User
from core.refcache import RefCache, attach
from workflow.models import ProcessVersion, WorkItem

# A published version never changes (its definition is pinned by content hash): held for good.
PROCESS_VERSIONS: RefCache[ProcessVersion] = RefCache(ProcessVersion, ttl=None)
ORG_UNITS: RefCache[OrgUnit] = RefCache(OrgUnit, ttl=60.0)
USERS: RefCache[User] = RefCache(User, ttl=60.0)

COUNT_CAP = 10_000


def attach_item_references(items: Iterable[WorkItem | None]) -> None:
    """Fill `process_version`, `assigned_unit` and `assignee` of each item from the caches: at most one
    query per table for the rows not already held, whatever the number of items."""
    present = [item for item in items if item is not None]
    if not present:
        return
    attach(present, "process_version", PROCESS_VERSIONS)
    attach(present, "assigned_unit", ORG_UNITS)
    attach(present, "assignee", USERS)


def lean_items(queryset: QuerySet[WorkItem]) -> QuerySet[WorkItem]:
    """The list query without joins: the references come from `attach_item_references`."""
    return queryset.select_related(None)


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP + 1 rows (a LIMIT sub-query over the index), never the whole table:
    `count` is exact up to COUNT_CAP and COUNT_CAP beyond it, with `capped` true."""

    @cached_property
    def _counted(self) -> int:
        object_list: Any = self.object_list
        if isinstance(object_list, QuerySet):
            return int(object_list.order_by()[: COUNT_CAP + 1].count())
        return len(object_list)

    @cached_property
    def count(self) -> int:
        return min(self._counted, COUNT_CAP)

    @property
    def capped(self) -> bool:
        return self._counted > COUNT_CAP


def count_upto(queryset: QuerySet[Any], cap: int = COUNT_CAP) -> int:
    """min(the number of rows, cap + 1): a tab's badge shows "cap+" beyond the cap."""
    return int(queryset.order_by()[: cap + 1].count())


class Pagination(PageNumberPagination):
    """Page-number pagination over an indexed order; `count` is exact up to COUNT_CAP and reported as
    COUNT_CAP with `count_capped: true` beyond it (the last pages of a capped list are not reachable by
    number: narrow the filter instead)."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 200
    django_paginator_class = CappedPaginator

    def get_paginated_response(self, data: Any) -> Response:
        assert self.page is not None
        paginator = self.page.paginator
        return Response(
            {
                "count": paginator.count,
                "count_capped": bool(getattr(paginator, "capped", False)),
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count_capped"] = {"type": "boolean", "example": False}
        return response
