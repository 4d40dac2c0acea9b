"""Bulk export of people (人口数据批量导出, 有条件使用): a staff member requests the people of a territory in
their jurisdiction — which fields, which personal ones in clear, and why — on process `people_export`;
a data steward or leader of that territory approves (the rules of each step live in HANDLERS, bound to
the engine, so every door runs them; the approver is never the requester). The requester may then
download it until it expires (PEOPLE_EXPORT_HOURS after the approval). Every download is an XLSX
watermarked with the requester, the time and the request id (each sheet's header and footer, a
watermark column on every row, the workbook's properties); personal fields stay masked unless the
request named them and the requester's level allows them. Request, decision and each download are
audited (never with a clear personal value)."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from accounts.jurisdiction import may_see_code
from accounts.models import Assignment, User
from audit.actions import record_event
from core.errors import Conflict, DomainError, NotFound, PermissionRefused
from core.pii import mask_id_number, mask_name, mask_phone
from datashare.models import PeopleExport
from registry import crypto, sensitivity
from registry.models import Person
from territory.models import Division, Grid
from workflow.engine import transition
from workflow.handlers import Handler, Step, bind, not_the_requester
from workflow.models import WorkItem
from workflow.start import do_start_item

PROCESS = "people_export"
SUBJECT_TYPE = "datashare.peopleexport"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The exportable columns (field → header); the personal ones are those registry.sensitivity lists.
EXPORT_FIELDS: dict[str, str] = {
    "territory_code": "所属网格",
    "name": "姓名",
    "id_number": "证件号码",
    "sex": "性别",
    "birth_date": "出生日期",
    "kind": "人口类别",
    "phone": "联系电话",
    "address_detail": "详细住址",
    "household": "户号",
    "relation": "与户主关系",
}
PERSONAL = frozenset(f for f in EXPORT_FIELDS if f in sensitivity.FIELDS)
WATERMARK_HEADER = "水印"


def valid_hours() -> int:
    return int(settings.PEOPLE_EXPORT_HOURS)


def access_people_export(actor: User, export_id: int) -> PeopleExport:
    """The request, for its requester or someone whose jurisdiction covers its territory; else 404."""
    export = PeopleExport.objects.select_related("requested_by", "unit").filter(pk=export_id).first()
    if export is None or not (
        actor.is_system or export.requested_by_id == actor.pk or may_see_code(actor, export.territory_code)
    ):
        raise NotFound(field="export")
    return export


def _clean_territory(actor: User, code: str) -> str:
    code = (code or "").strip()
    known = Division.objects.filter(code=code).exists() or Grid.objects.filter(code=code).exists()
    if not known:
        raise DomainError("unknown_territory", f"区划/网格代码 {code!r} 不存在。", field="territory_code")
    if not (actor.is_system or may_see_code(actor, code)):
        raise NotFound(field="territory_code")
    return code


def _clean_fields(actor: User, territory_code: str, fields: list[str], unmasked: list[str]) -> None:
    unknown = [f for f in fields if f not in EXPORT_FIELDS]
    if not fields or unknown:
        raise DomainError("invalid_fields", f"字段须取自 {'/'.join(EXPORT_FIELDS)}。", field="fields")
    if any(f not in fields or f not in PERSONAL for f in unmasked):
        raise DomainError(
            "invalid_unmasked", f"明文字段须是所选字段中的 {'/'.join(sorted(PERSONAL))}。", field="unmasked"
        )
    needed = max((sensitivity.FIELDS[f].level for f in unmasked), default=0)
    if needed and sensitivity.level_for(actor, territory_code) < needed:
        raise PermissionRefused("not_allowed", "您的岗位无权导出这些字段的原文。", field="unmasked")


def do_request_people_export(
    *,
    territory_code: str,
    fields: list[str],
    purpose: str,
    unmasked: list[str] | None = None,
    actor: User,
    now: datetime,
) -> PeopleExport:
    assignment = Assignment.objects.filter(user=actor, active=True).select_related("org_unit").first()
    if assignment is None:
        raise PermissionRefused("not_allowed", "只有在岗单位人员可以申请导出人口数据。")
    territory_code = _clean_territory(actor, territory_code)
    fields, unmasked = list(dict.fromkeys(fields or [])), list(dict.fromkeys(unmasked or []))
    _clean_fields(actor, territory_code, fields, unmasked)
    purpose = (purpose or "").strip()
    if not purpose:
        raise DomainError("required", "请说明用途。", field="purpose")
    if len(purpose) > 300:
        raise DomainError("too_long", "用途最多 300 字。", field="purpose")
    with transaction.atomic():
        item = do_start_item(
            PROCESS,
            actor=actor,
            now=now,
            title=f"人口数据导出申请：{territory_code}（{assignment.org_unit.name}）",
            territory_code=territory_code,
            subject_type=SUBJECT_TYPE,
        )
        export = PeopleExport.objects.create(
            work_item=item,
            unit=assignment.org_unit,
            requested_by=actor,
            territory_code=territory_code,
            fields=fields,
            unmasked=unmasked,
            purpose=purpose,
            requested_at=now,
        )
        item.subject_id = str(export.pk)
        item.save(update_fields=["subject_id"])
        record_event(
            actor=actor,
            action="datashare.people_export_requested",
            subject=export,
            territory_code=territory_code,
            after={"fields": fields, "unmasked": unmasked, "purpose": purpose},
            now=now,
        )
    return export


# ---------------------------------------------------------------------------------------- the handlers


def _requester(step: Step) -> int | None:
    return (
        PeopleExport.objects.filter(work_item_id=step.item.pk)
        .values_list("requested_by_id", flat=True)
        .first()
    )


def _lock_export(step: Step) -> None:
    export = PeopleExport.objects.select_for_update(of=("self",)).filter(work_item_id=step.item.pk).first()
    if export is None:
        raise Conflict("no_subject", "该办件没有对应的导出申请。", field="action")
    step.scratch["export"] = export


def _decide(status: str) -> Callable[[Step], None]:
    def effect(step: Step) -> None:
        export: PeopleExport = step.scratch["export"]
        export.status, export.decided_by, export.decided_at = status, step.actor, step.now
        if status == PeopleExport.Status.APPROVED:
            export.expires_at = step.now + timedelta(hours=valid_hours())
        export.save(update_fields=["status", "decided_by", "decided_at", "expires_at"])
        record_event(
            actor=step.actor,
            action=f"datashare.people_export_{status}",
            subject=export,
            territory_code=export.territory_code,
            after={"expires_at": export.expires_at, "reason": step.reason},
            now=step.now,
        )

    return effect


# A superior decides: never the person who asked (workflow.handlers.not_the_requester).
HANDLERS: dict[str, Handler] = {
    "approve": Handler(
        actors=not_the_requester(_requester), guard=_lock_export, effect=_decide(PeopleExport.Status.APPROVED)
    ),
    "reject": Handler(
        actors=not_the_requester(_requester), guard=_lock_export, effect=_decide(PeopleExport.Status.REJECTED)
    ),
}


# Where the stream starts this process's items (the generic create door refuses it and names this).
START_DOOR = gettext_lazy("人口数据导出申请（POST /api/v1/datashare/people-exports/）")


def register() -> None:
    bind(PROCESS, HANDLERS, owner="datashare", start_door=START_DOOR)


def do_review_people_export(
    export: PeopleExport, action: str, *, actor: User, now: datetime, reason: str = ""
) -> PeopleExport:
    """approve/reject, as the generic door takes it: the engine checks jurisdiction, the action, state and
    role, and runs the bound handler (the requester never decides); every refusal is theirs."""
    item = WorkItem.objects.select_related("process_version").get(pk=export.work_item_id)
    transition(item, action, actor=actor, now=now, reason=reason)
    return PeopleExport.objects.select_related("requested_by", "unit").get(pk=export.pk)


# ---------------------------------------------------------------------------------------- the download


def watermark(export: PeopleExport, now: datetime) -> str:
    requester = export.requested_by
    who = requester.display_name or requester.username
    return (
        f"{export.unit.name} {who}（{requester.username}）导出 {now:%Y-%m-%d %H:%M} UTC · "
        f"导出申请 #{export.pk} · 用途：{export.purpose}"
    )


def _value(person: Person, field: str, clear: bool) -> str:
    if field == "name":
        return person.name if clear else mask_name(person.name)
    if field == "id_number":
        number = crypto.unseal(person, "id_number_sealed")
        return number if clear else mask_id_number(number)
    if field == "phone":
        phone = crypto.unseal(person, "phone_sealed")
        return phone if clear else mask_phone(phone)
    if field == "address_detail":
        detail = crypto.unseal(person, "address_detail_sealed")
        return detail if clear else ("***" if detail else "")
    if field == "sex":
        return str(Person.Sex(person.sex).label) if person.sex else ""
    if field == "birth_date":
        return person.birth_date.isoformat() if person.birth_date else ""
    if field == "kind":
        return str(Person.Kind(person.kind).label)
    if field == "household":
        return person.household.number if person.household else ""
    if field == "relation":
        return str(Person.Relation(person.relation).label) if person.relation else ""
    return str(getattr(person, field))


def workbook_bytes(export: PeopleExport, now: datetime) -> tuple[bytes, int]:
    """The XLSX and its row count."""
    mark = watermark(export, now)
    fields, clear = list(export.fields), set(export.unmasked)
    book = Workbook(write_only=True)
    book.properties.creator = export.requested_by.username
    book.properties.title = f"人口数据导出 #{export.pk}"
    book.properties.description = mark
    book.properties.keywords = f"watermark; export {export.pk}; {export.requested_by.username}"
    sheet = book.create_sheet("人口")
    sheet.oddHeader.center.text = mark
    sheet.oddFooter.center.text = mark
    sheet.append([EXPORT_FIELDS[f] for f in fields] + [WATERMARK_HEADER])
    people = (
        Person.objects.filter(territory_code__startswith=export.territory_code)
        .select_related("household")
        .order_by("territory_code", "id")
    )
    count = 0
    for person in people.iterator(chunk_size=2000):
        sheet.append([_value(person, f, f in clear) for f in fields] + [mark])
        count += 1
    output = io.BytesIO()
    book.save(output)
    return output.getvalue(), count


def do_download_people_export(export: PeopleExport, *, actor: User, now: datetime) -> bytes:
    """The approved export, for its requester only, until it expires; each download audited."""
    if export.requested_by_id != actor.pk:
        raise NotFound(field="export")
    if export.status != PeopleExport.Status.APPROVED:
        raise PermissionRefused("not_allowed", "该导出申请未获批准。")
    if export.expires_at is None or now >= export.expires_at:
        raise DomainError("expired", "该导出已过期，请重新申请。", status=410)
    content, rows = workbook_bytes(export, now)
    with transaction.atomic():
        record_event(
            actor=actor,
            action="datashare.people_exported",
            subject=export,
            territory_code=export.territory_code,
            after={
                "rows": rows,
                "fields": export.fields,
                "unmasked": export.unmasked,
                "watermark": watermark(export, now),
            },
            now=now,
        )
    return content
