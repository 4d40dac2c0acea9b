"""The catalogue import: every row validated, new items and new guide editions written set-wise."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Subquery

from accounts.models import OrgUnit, User
from approvals.actions.common import _chunks, require_catalogue_editor
from approvals.catalogue import FileArg, ItemRow, parse_rows, read_rows
from approvals.models import ServiceItem, ServiceItemVersion
from audit.actions import record_event
from core.bulk import allocate_ids, insert_objects
from core.spreadsheets import ImportProblem, SpreadsheetImportError


@dataclass
class CatalogueImportResult:
    created: int = 0
    versioned: int = 0
    unchanged: int = 0
    warnings: list[ImportProblem] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "versioned": self.versioned,
            "unchanged": self.unchanged,
            "warnings": [w.as_dict() for w in self.warnings],
        }


def _agencies(rows: list[ItemRow], problems: list[ImportProblem]) -> dict[str, OrgUnit]:
    codes = {row.item["agency_code"] for row in rows if row.item["agency_code"]}
    found = {unit.code: unit for unit in OrgUnit.objects.filter(code__in=codes)}
    for row in rows:
        code = row.item["agency_code"]
        if code and code not in found:
            problems.append(ImportProblem(row.row, "审批机构编码", f"机构「{code}」不存在"))
    return found


def do_import_catalogue(
    source: FileArg | list[tuple[Any, ...]], *, actor: User, now: datetime, filename: str = ""
) -> CatalogueImportResult:
    """Validate every row (an XLSX file, or rows with the template's header first); one bad row and
    nothing is imported (SpreadsheetImportError lists all of them). A new code creates the item and its
    version 1; a row whose guide or item fields changed writes a new version; an unchanged row writes
    nothing. Set-wise writes (bulk), one summary audit event."""
    require_catalogue_editor(actor)
    rows = source if isinstance(source, list) else read_rows(source)
    parsed = parse_rows(rows)
    problems = parsed.problems
    agencies = _agencies(parsed.rows, problems) if not problems else {}
    if problems:
        raise SpreadsheetImportError(sorted(problems, key=lambda p: (p.row, p.column)))
    result = CatalogueImportResult(warnings=parsed.warnings)
    codes = [row.implementation_code for row in parsed.rows]
    with transaction.atomic():
        existing: dict[str, ServiceItem] = {}
        for chunk in _chunks(codes):
            for found in ServiceItem.objects.select_related("current_version", "agency").filter(
                implementation_code__in=chunk
            ):
                existing[found.implementation_code] = found
        new_items: list[ServiceItem] = []
        new_rows: list[ItemRow] = []
        changed: list[tuple[ServiceItem, ItemRow]] = []
        for row in parsed.rows:
            agency = agencies.get(row.item["agency_code"]) if row.item["agency_code"] else None
            fields = {k: v for k, v in row.item.items() if k != "agency_code"}
            item = existing.get(row.implementation_code)
            if item is None:
                new_items.append(
                    ServiceItem(
                        implementation_code=row.implementation_code,
                        agency=agency,
                        created_at=now,
                        updated_at=now,
                        **fields,
                    )
                )
                new_rows.append(row)
                continue
            current = item.current_version
            same_item = all(getattr(item, k) == v for k, v in fields.items()) and item.agency_id == (
                agency.pk if agency else None
            )
            if current is not None and current.content_hash == row.content_hash and same_item and item.active:
                result.unchanged += 1
                continue
            for k, v in fields.items():
                setattr(item, k, v)
            item.agency = agency
            item.active = True
            item.updated_at = now
            changed.append((item, row))
        # Ids reserved first, so the new guide editions can name their items before either is written.
        for item, pk in zip(new_items, allocate_ids(ServiceItem, len(new_items)), strict=True):
            item.pk = pk
        insert_objects(new_items)
        versions: list[ServiceItemVersion] = []
        for item, row in zip(new_items, new_rows, strict=True):
            versions.append(_version(item, row, 1, now))
        for item, row in changed:
            current = item.current_version
            same_guide = current is not None and current.content_hash == row.content_hash
            if same_guide:
                continue  # only item-level fields (level, agency …) changed: no new guide edition
            versions.append(_version(item, row, (current.version if current else 0) + 1, now))
        for version, pk in zip(versions, allocate_ids(ServiceItemVersion, len(versions)), strict=True):
            version.pk = pk
        insert_objects(versions)
        # Link each touched item to its newest version with one UPDATE … = (subquery) per chunk (a
        # bulk_update's CASE per row costs more than the inserts); other item fields change only on
        # rows that already existed and changed, written with bulk_update.
        newest = ServiceItemVersion.objects.filter(item=OuterRef("pk")).order_by("-version").values("pk")[:1]
        touched = [item.pk for item in new_items] + [item.pk for item, _row in changed]
        for chunk in _chunks(touched):
            ServiceItem.objects.filter(pk__in=chunk).update(current_version=Subquery(newest))
        if changed:
            ServiceItem.objects.bulk_update(
                [item for item, _row in changed],
                [
                    "basic_code",
                    "name",
                    "item_type",
                    "service_level",
                    "theme",
                    "agency",
                    "agency_suffix",
                    "licence_type_code",
                    "active",
                    "updated_at",
                ],
                batch_size=500,
            )
        result.created = len(new_items)
        result.versioned = len(changed)
        record_event(
            actor=actor,
            action="approvals.import_catalogue",
            subject_type="approvals.serviceitem",
            subject_id="",
            after={
                "file": filename,
                "rows": len(parsed.rows),
                "created": result.created,
                "versioned": result.versioned,
                "unchanged": result.unchanged,
                "over_half_limit": len(result.warnings),
            },
            now=now,
        )
    return result


def _version(item: ServiceItem, row: ItemRow, number: int, now: datetime) -> ServiceItemVersion:
    return ServiceItemVersion(
        item=item, version=number, content_hash=row.content_hash, created_at=now, **row.guide
    )
