"""Window intake of many applications at once, with the checks of a single filing made set-wise."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import CharField, OuterRef, Subquery
from django.db.models.functions import Cast

from accounts.models import OrgUnit, User
from approvals.actions.applicants import ApplicantInput, _draw_receipts, _mask_number, clean_applicant
from approvals.actions.common import PROCESS, SUBJECT_TYPE, _chunks
from approvals.actions.intake import _check_channel, _clean_materials, _limits_for
from approvals.models import Application, CentreAuthorisation, Channel, ServiceItem
from audit.actions import record_event
from core import pii
from core.errors import DomainError
from workflow.bulk import StartSpec, do_start_items_bulk
from workflow.models import WorkItem


@dataclass(frozen=True)
class IntakeSpec:
    """One window application for `do_file_applications_bulk`."""

    item_code: str
    applicant: ApplicantInput
    materials: tuple[str, ...] = ()


def do_file_applications_bulk(
    specs: Sequence[IntakeSpec], *, centre: OrgUnit, actor: User, now: datetime
) -> list[Application]:
    """Window intake of many applications at one centre (a migration from a paper ledger, or the bench):
    the same checks as `do_file_application` made set-wise (a bad spec refuses the batch, its index named),
    the engine's bulk start (items in 待受理), one summary audit event."""
    if not specs:
        return []
    _check_channel(Channel.WINDOW, actor=actor, centre=centre, proxy_consent="")
    codes = sorted({s.item_code.strip().upper() for s in specs})
    items: dict[str, ServiceItem] = {}
    for chunk in _chunks(codes):
        for found in ServiceItem.objects.select_related("current_version").filter(
            implementation_code__in=chunk, active=True
        ):
            items[found.implementation_code] = found
    authorised = set(
        CentreAuthorisation.objects.filter(
            centre=centre, item_id__in=[i.pk for i in items.values()]
        ).values_list("item_id", flat=True)
    )
    rows: list[Application] = []
    for index, spec in enumerate(specs):
        item = items.get(spec.item_code.strip().upper())
        if item is None or item.current_version is None or item.pk not in authorised:
            raise DomainError(
                "not_authorised", f"第{index + 1}件：事项不存在或本中心未进驻。", field=f"{index}.item"
            )
        try:
            clean = clean_applicant(spec.applicant)
            checked = _clean_materials(item.current_version, spec.materials)
        except DomainError as error:
            raise DomainError(
                error.code, f"第{index + 1}件：{error.message}", field=f"{index}.{error.field}"
            ) from error
        rows.append(
            Application(
                receipt_no="",  # drawn set-wise below
                item=item,
                item_version=item.current_version,
                centre=centre,
                clerk=actor,
                channel=Channel.WINDOW,
                applicant_kind=clean.kind,
                applicant_name=clean.name,
                applicant_number_enc=pii.encrypt(clean.number),
                applicant_number_hash=pii.lookup_hash(clean.number),
                applicant_number_masked=_mask_number(clean.kind, clean.number),
                applicant_phone_enc=pii.encrypt(clean.phone),
                applicant_phone_hash=pii.lookup_hash(clean.phone),
                applicant_phone_masked=pii.mask_phone(clean.phone),
                territory_code=centre.territory_code,
                materials=checked,
                submitted_at=now,
            )
        )
    for row, number in zip(rows, _draw_receipts(len(rows), now), strict=True):
        row.receipt_no = number
    with transaction.atomic():
        Application.objects.bulk_create(rows, batch_size=1000)
        work_items = do_start_items_bulk(
            PROCESS,
            [
                StartSpec(
                    title=f"{row.item_version.name}（{pii.mask_name(row.applicant_name)}）",
                    territory_code=row.territory_code,
                    subject_type=SUBJECT_TYPE,
                    subject_id=str(row.pk),
                    assigned_unit=centre,
                    inputs={"receipt_no": row.receipt_no, "channel": Channel.WINDOW},
                    limits=_limits_for(row.item_version),
                )
                for row in rows
            ],
            actor=actor,
            now=now,
        )
        for row, work_item in zip(rows, work_items, strict=True):
            row.work_item = work_item
        # One UPDATE … = (subquery) per chunk, through the work item's (subject_type, subject_id) index.
        item_of = WorkItem.objects.filter(
            subject_type=SUBJECT_TYPE, subject_id=Cast(OuterRef("pk"), output_field=CharField())
        ).values("pk")[:1]
        for chunk in _chunks([row.pk for row in rows]):
            Application.objects.filter(pk__in=chunk).update(work_item=Subquery(item_of))
        record_event(
            actor=actor,
            action="approvals.file_applications_bulk",
            subject=centre,
            territory_code=centre.territory_code,
            after={"count": len(rows), "first": rows[0].receipt_no, "last": rows[-1].receipt_no},
            now=now,
        )
    return rows
