"""Every write of approval services: the catalogue import (versioned guides), centre authorisations, and
an application's life — intake at the window, online or by proxy, acceptance, corrections (补正, clock
stopped), refusal of acceptance, on-the-spot completion, review, decision and delivery — each one
transaction with its audit row, the state moved by the workflow engine, applicants told by SMS."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import CharField, Model, OuterRef, Subquery
from django.db.models.functions import Cast
from stdnum.cn import uscc

from accounts.jurisdiction import jurisdiction_codes, user_roles
from accounts.models import OrgUnit, Role, User
from approvals.catalogue import (
    CatalogueImportError,
    FileArg,
    ItemRow,
    RowProblem,
    parse_rows,
    read_rows,
)
from approvals.models import (
    ApplicantKind,
    Application,
    ApplicationAttachment,
    CentreAuthorisation,
    Channel,
    ServiceItem,
    ServiceItemVersion,
)
from audit.actions import record_event
from core import pii
from core.errors import Conflict, DomainError, NotFound, PermissionRefused
from core.idnumbers import is_valid_citizen_id
from core.uploads import clean_image
from workflow.actors import in_unit, system_actor
from workflow.bulk import StartSpec, do_start_items_bulk
from workflow.engine import do_start_item, transition
from workflow.models import OutboxMessage, WorkItem
from workflow.outbox import enqueue

PROCESS = "approval_application"
SUBJECT_TYPE = "approvals.application"
CENTRE_KINDS = (OrgUnit.Kind.SERVICE_CENTRE, OrgUnit.Kind.VILLAGE_COMMITTEE)
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
UPLOAD_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


# ---------------------------------------------------------------------------------------------- rights


def require_catalogue_editor(actor: User) -> None:
    """The catalogue and the authorisations are master data: administrators, data stewards, the system."""
    if actor.is_system or actor.is_superuser or actor.is_staff:
        return
    if Role.DATA_STEWARD in user_roles(actor):
        return
    raise PermissionRefused("not_allowed", "只有管理员或数据管理员可以维护服务事项目录和进驻授权。")


# ---------------------------------------------------------------------------------------------- catalogue


@dataclass
class CatalogueImportResult:
    created: int = 0
    versioned: int = 0
    unchanged: int = 0
    warnings: list[RowProblem] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "versioned": self.versioned,
            "unchanged": self.unchanged,
            "warnings": [w.as_dict() for w in self.warnings],
        }


def _agencies(rows: list[ItemRow], problems: list[RowProblem]) -> dict[str, OrgUnit]:
    codes = {row.item["agency_code"] for row in rows if row.item["agency_code"]}
    found = {unit.code: unit for unit in OrgUnit.objects.filter(code__in=codes)}
    for row in rows:
        code = row.item["agency_code"]
        if code and code not in found:
            problems.append(RowProblem(row.row, "审批机构编码", f"机构「{code}」不存在"))
    return found


def _chunks(values: Sequence[Any], size: int = 900) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def do_import_catalogue(
    source: FileArg | list[tuple[Any, ...]], *, actor: User, now: datetime, filename: str = ""
) -> CatalogueImportResult:
    """Validate every row (an XLSX file, or rows with the template's header first); one bad row and
    nothing is imported (CatalogueImportError lists all of them). A new code creates the item and its
    version 1; a row whose guide or item fields changed writes a new version; an unchanged row writes
    nothing. Set-wise writes (bulk), one summary audit event."""
    require_catalogue_editor(actor)
    rows = source if isinstance(source, list) else read_rows(source)
    parsed = parse_rows(rows)
    problems = parsed.problems
    agencies = _agencies(parsed.rows, problems) if not problems else {}
    if problems:
        raise CatalogueImportError(sorted(problems, key=lambda p: (p.row, p.column)))
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
        _insert_rows(ServiceItem, new_items)
        ids: dict[str, int] = {}
        for chunk in _chunks([item.implementation_code for item in new_items]):
            ids.update(
                ServiceItem.objects.filter(implementation_code__in=chunk).values_list(
                    "implementation_code", "pk"
                )
            )
        for item in new_items:
            item.pk = ids[item.implementation_code]
            item._state.adding = False
        versions: list[ServiceItemVersion] = []
        for item, row in zip(new_items, new_rows, strict=True):
            versions.append(_version(item, row, 1, now))
        for item, row in changed:
            current = item.current_version
            same_guide = current is not None and current.content_hash == row.content_hash
            if same_guide:
                continue  # only item-level fields (level, agency …) changed: no new guide edition
            versions.append(_version(item, row, (current.version if current else 0) + 1, now))
        _insert_rows(ServiceItemVersion, versions)
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


def _insert_rows(model: type[Model], objects: Sequence[Model]) -> None:
    """INSERT unsaved rows with one `executemany` per 1,000 (values prepared by the fields themselves, as
    the ORM would): a catalogue import writes thousands of wide guide rows, and `bulk_create` spends more
    time compiling them than the database spends storing them. Ids are not returned."""
    if not objects:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 (names from the model)
    with connection.cursor() as cursor:
        for chunk in _chunks(objects, 1000):
            cursor.executemany(
                sql,
                [[f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields] for obj in chunk],
            )


def _version(item: ServiceItem, row: ItemRow, number: int, now: datetime) -> ServiceItemVersion:
    return ServiceItemVersion(
        item=item, version=number, content_hash=row.content_hash, created_at=now, **row.guide
    )


def do_authorise_items(
    centre: OrgUnit, implementation_codes: Iterable[str], *, actor: User, now: datetime
) -> int:
    """Let `centre` handle the items directly (进驻授权). Returns how many were new."""
    require_catalogue_editor(actor)
    if centre.kind not in CENTRE_KINDS:
        raise DomainError("invalid", "只能授权便民服务中心或村（社区）便民服务站。", field="centre")
    codes = sorted(set(implementation_codes))
    with transaction.atomic():
        items = {}
        for chunk in _chunks(codes):
            items.update(
                dict(
                    ServiceItem.objects.filter(implementation_code__in=chunk).values_list(
                        "implementation_code", "pk"
                    )
                )
            )
        missing = [c for c in codes if c not in items]
        if missing:
            raise DomainError("not_found", f"事项不存在：{'、'.join(missing[:10])}", field="items")
        have = set(CentreAuthorisation.objects.filter(centre=centre).values_list("item_id", flat=True))
        new = [
            CentreAuthorisation(centre=centre, item_id=pk, created_at=now)
            for pk in items.values()
            if pk not in have
        ]
        CentreAuthorisation.objects.bulk_create(new, batch_size=1000)
        record_event(
            actor=actor,
            action="approvals.authorise_items",
            subject=centre,
            territory_code=centre.territory_code,
            after={"added": len(new), "total": len(have) + len(new)},
            now=now,
        )
    return len(new)


def do_revoke_authorisation(
    centre: OrgUnit, implementation_codes: Iterable[str], *, actor: User, now: datetime
) -> int:
    require_catalogue_editor(actor)
    codes = list(set(implementation_codes))
    with transaction.atomic():
        removed, _detail = CentreAuthorisation.objects.filter(
            centre=centre, item__implementation_code__in=codes
        ).delete()
        record_event(
            actor=actor,
            action="approvals.revoke_authorisation",
            subject=centre,
            territory_code=centre.territory_code,
            after={"removed": removed, "codes": codes[:50]},
            now=now,
        )
    return removed


# ---------------------------------------------------------------------------------------------- applicants


@dataclass(frozen=True)
class ApplicantInput:
    kind: str
    name: str
    number: str
    phone: str


@dataclass(frozen=True)
class CleanApplicant:
    kind: str
    name: str
    number: str
    phone: str


def clean_applicant(applicant: ApplicantInput, *, phone_required: bool = True) -> CleanApplicant:
    """Validate the applicant: citizen ID (GB 11643) for a natural person, credit code (GB 32100) for a
    legal person, a mainland mobile number."""
    if applicant.kind not in ApplicantKind.values:
        raise DomainError("invalid", "申请人类型应为自然人或法人。", field="applicant_kind")
    name = (applicant.name or "").strip()
    if not name or len(name) > 100:
        raise DomainError("required", "请填写申请人姓名或单位名称（不超过100字）。", field="applicant_name")
    number = (applicant.number or "").strip().upper()
    if applicant.kind == ApplicantKind.NATURAL:
        if not is_valid_citizen_id(number):
            raise DomainError("invalid", "公民身份号码无效（GB 11643 校验失败）。", field="applicant_number")
    elif not uscc.is_valid(number):
        raise DomainError("invalid", "统一社会信用代码无效（GB 32100 校验失败）。", field="applicant_number")
    phone = "".join(ch for ch in (applicant.phone or "") if ch.isdigit())
    if phone.startswith("86") and len(phone) == 13:
        phone = phone[2:]
    if phone and not pii.MAINLAND_MOBILE.fullmatch(phone):
        raise DomainError("invalid_phone", "请输入正确的11位手机号码。", field="applicant_phone")
    if phone_required and not phone:
        raise DomainError("required", "请填写申请人手机号码（用于短信告知和查询）。", field="applicant_phone")
    return CleanApplicant(kind=applicant.kind, name=name, number=number, phone=phone)


def _mask_number(kind: str, number: str) -> str:
    if kind == ApplicantKind.NATURAL:
        return pii.mask_id_number(number)
    return number  # a credit code is public (营业执照), shown as is


def new_receipt_no(now: datetime) -> str:
    """SP + local date + 8 random digits: unique, not guessable in sequence."""
    from django.utils import timezone

    day = timezone.localtime(now).strftime("%Y%m%d")
    return f"SP{day}{secrets.randbelow(10**8):08d}"


def _unique_receipt_no(now: datetime) -> str:
    for _attempt in range(10):
        number = new_receipt_no(now)
        if not Application.objects.filter(receipt_no=number).exists():
            return number
    raise Conflict("receipt_collision", "受理编号生成冲突，请重试。")


def _draw_receipts(count: int, now: datetime) -> list[str]:
    """`count` receipt numbers unused so far and distinct from each other; collisions (rare: 8 random
    digits a day) are drawn again."""
    numbers: list[str] = []
    taken: set[str] = set()
    for _attempt in range(10):
        fresh = {new_receipt_no(now) for _ in range(count - len(numbers))} - taken
        used: set[str] = set()
        for chunk in _chunks(sorted(fresh)):
            used.update(Application.objects.filter(receipt_no__in=chunk).values_list("receipt_no", flat=True))
        taken |= fresh
        numbers += sorted(fresh - used)
        if len(numbers) == count:
            return numbers
    raise Conflict("receipt_collision", "受理编号生成冲突，请重试。")


def notify_applicant(application: Application, *, kind: str, body: str, now: datetime) -> int:
    """Tell the applicant by SMS (the outbox row carries the number, as the gateway needs it) and, when
    they have an account, on the console channel."""
    sent = 0
    subject = f"[{application.receipt_no}] {application.item_version.name}"
    payload = {"application": application.pk, "receipt_no": application.receipt_no}
    if application.applicant_phone_enc:
        enqueue(
            channel=OutboxMessage.Channel.SMS,
            kind=kind,
            address=pii.decrypt(application.applicant_phone_enc),
            subject=subject,
            body=f"【相城政务服务】{body}（受理编号 {application.receipt_no}）",
            now=now,
            payload=payload,
        )
        sent += 1
    if application.applicant_user is not None:
        enqueue(
            channel=OutboxMessage.Channel.CONSOLE,
            kind=kind,
            recipient=application.applicant_user,
            subject=subject,
            body=body,
            now=now,
            payload=payload,
        )
        sent += 1
    return sent


# ---------------------------------------------------------------------------------------------- intake


def reviewing_unit(item: ServiceItem, centre: OrgUnit) -> OrgUnit:
    """The unit whose approvers review and decide: the item's agency, else the agency of the centre's
    town named by the item's suffix, else the centre itself."""
    if item.agency_id is not None:
        assert item.agency is not None
        return item.agency
    if item.agency_suffix:
        unit = OrgUnit.objects.filter(code=f"{centre.territory_code[:9]}-{item.agency_suffix}").first()
        if unit is not None:
            return unit
    return centre


def _authorised(centre: OrgUnit, item: ServiceItem) -> bool:
    return CentreAuthorisation.objects.filter(centre=centre, item=item).exists()


def _item_by_code(code: str) -> ServiceItem:
    item = (
        ServiceItem.objects.select_related("current_version", "agency")
        .filter(implementation_code=(code or "").strip().upper(), active=True)
        .first()
    )
    if item is None or item.current_version is None:
        raise DomainError("not_found", "服务事项不存在或已停用。", field="item")
    return item


def _clean_materials(version: ServiceItemVersion, received: Iterable[str]) -> list[dict[str, Any]]:
    names = {m["name"] for m in version.materials}
    received_set = {name.strip() for name in received if name and name.strip()}
    unknown = received_set - names
    if unknown:
        raise DomainError("invalid", f"材料不在办事指南中：{'、'.join(sorted(unknown))}", field="materials")
    return [
        {"name": m["name"], "required": bool(m.get("required")), "received": m["name"] in received_set}
        for m in version.materials
    ]


def missing_required(application: Application) -> list[str]:
    return [m["name"] for m in application.materials if m.get("required") and not m.get("received")]


def _limits_for(version: ServiceItemVersion) -> dict[str, dict[str, Any]] | None:
    """The item's step limits: a 即办件 is decided the same working day (the intake step ends with that
    working day: 0 work_days, whichever channel it came through — it never waits in 预审 with the
    definition's 2-working-day fallback); others review within the promised limit."""
    if version.is_immediate:
        return {"submitted": {"amount": 0, "unit": "work_days"}}
    if version.promised_limit_amount <= 0:
        return None
    return {"reviewing": {"amount": version.promised_limit_amount, "unit": version.promised_limit_unit}}


def _check_channel(
    channel: str, *, actor: User, centre: OrgUnit, proxy_consent: str
) -> tuple[str, User | None]:
    """Who may file through `channel`; returns (the application's territory code, the proxy worker)."""
    if centre.kind not in CENTRE_KINDS:
        raise DomainError("invalid", "受理机构应为便民服务中心或村便民服务站。", field="centre")
    if channel == Channel.WINDOW:
        if not (in_unit(actor, centre.pk) and Role.WINDOW_CLERK in user_roles(actor)):
            raise PermissionRefused("not_allowed", "只有本中心的窗口人员可以窗口受理。")
        return centre.territory_code, None
    if channel == Channel.ONLINE:
        if not actor.is_system:
            raise PermissionRefused("not_allowed", "网上申请经短信验证后由系统提交。")
        return centre.territory_code, None
    if channel == Channel.PROXY:
        if Role.GRID_WORKER not in user_roles(actor):
            raise PermissionRefused("not_allowed", "只有网格员可以代办。")
        if not proxy_consent.strip():
            raise DomainError("required", "代办须记录申请人的委托同意。", field="proxy_consent")
        codes = [c for c in jurisdiction_codes(actor) if c.startswith(centre.territory_code)]
        if not codes:
            raise NotFound(field="centre")
        return codes[0], actor
    raise DomainError("invalid", "申请渠道无效。", field="channel")


def do_file_application(
    *,
    actor: User,
    now: datetime,
    item_code: str,
    centre: OrgUnit,
    channel: str,
    applicant: ApplicantInput,
    materials: Iterable[str] = (),
    attachments: Sequence[tuple[str, UploadedFile]] = (),
    proxy_consent: str = "",
    applicant_user: User | None = None,
) -> Application:
    """File an application (window, online or proxy) for an item the centre may handle. It starts on the
    engine in 待受理（预审）, assigned to the centre; the window then accepts, asks for corrections or
    refuses (see `do_take_application`). Online and proxy applicants are told their receipt number."""
    item = _item_by_code(item_code)
    version = item.current_version
    assert version is not None
    clean = clean_applicant(applicant)
    territory_code, proxy_worker = _check_channel(
        channel, actor=actor, centre=centre, proxy_consent=proxy_consent
    )
    if not _authorised(centre, item):
        raise DomainError("not_authorised", "本中心未进驻该事项，不能受理。", field="item")
    checked = _clean_materials(version, materials)
    files = [_check_upload(upload) for _name, upload in attachments]
    with transaction.atomic():
        application = Application.objects.create(
            receipt_no=_unique_receipt_no(now),
            item=item,
            item_version=version,
            centre=centre,
            clerk=actor if channel == Channel.WINDOW else None,
            channel=channel,
            applicant_kind=clean.kind,
            applicant_name=clean.name,
            applicant_number_enc=pii.encrypt(clean.number),
            applicant_number_hash=pii.lookup_hash(clean.number),
            applicant_number_masked=_mask_number(clean.kind, clean.number),
            applicant_phone_enc=pii.encrypt(clean.phone) if clean.phone else "",
            applicant_phone_hash=pii.lookup_hash(clean.phone) if clean.phone else "",
            applicant_phone_masked=pii.mask_phone(clean.phone) if clean.phone else "",
            applicant_user=applicant_user,
            proxy_worker=proxy_worker,
            proxy_consent=proxy_consent.strip(),
            territory_code=territory_code,
            materials=checked,
            submitted_at=now,
        )
        # A grid worker's jurisdiction is their grid, not the centre that will handle the application: the
        # engine item is started by the system on their behalf (their name in the inputs and the audit).
        work_item = do_start_item(
            PROCESS,
            actor=system_actor() if channel == Channel.PROXY else actor,
            now=now,
            title=f"{version.name}（{pii.mask_name(clean.name)}）",
            territory_code=territory_code,
            subject_type=SUBJECT_TYPE,
            subject_id=str(application.pk),
            assigned_unit=centre,
            inputs={
                "receipt_no": application.receipt_no,
                "channel": channel,
                **({"proxy_worker": actor.username} if proxy_worker is not None else {}),
            },
            limits=_limits_for(version),
        )
        application.work_item = work_item
        application.save(update_fields=["work_item"])
        for (material, _upload), (content, extension) in zip(attachments, files, strict=True):
            _save_attachment(application, material, content, extension, actor=actor, now=now)
        record_event(
            actor=actor,
            action="approvals.file_application",
            subject=application,
            territory_code=territory_code,
            after={
                "receipt_no": application.receipt_no,
                "item": item.implementation_code,
                "item_version": version.version,
                "centre": centre.code,
                "channel": channel,
                "applicant": application.applicant_number_masked,
            },
            now=now,
        )
        if channel in (Channel.ONLINE, Channel.PROXY):
            who = (
                f"网格员{actor.display_name or actor.username}为您代办的"
                if channel == Channel.PROXY
                else "您的"
            )
            notify_applicant(
                application,
                kind="approvals.filed",
                body=f"{who}“{version.name}”申请已提交{centre.name}预审",
                now=now,
            )
    return application


def _check_upload(upload: UploadedFile) -> tuple[File[Any], str]:
    """A scan is a PDF (by its first bytes) or an image, which is re-encoded (core.uploads) so that no
    metadata or trailing content is stored; the declared type is not trusted."""
    if (upload.size or 0) > MAX_UPLOAD_BYTES:
        raise DomainError("invalid", "单个扫描件不能超过 10MB。", field="attachments")
    if UPLOAD_TYPES.get(upload.content_type or "") is None:
        raise DomainError("invalid", "扫描件只能是 PDF、JPG 或 PNG。", field="attachments")
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        return upload, "pdf"
    clean = clean_image(upload, field="attachments", label="扫描件")
    if clean.extension not in ("jpg", "png"):
        raise DomainError("invalid", "扫描件只能是 PDF、JPG 或 PNG。", field="attachments")
    return clean.content, clean.extension


def _save_attachment(
    application: Application,
    material: str,
    upload: File[Any],
    extension: str,
    *,
    actor: User,
    now: datetime,
) -> ApplicationAttachment:
    attachment = ApplicationAttachment(
        application=application, material=material[:120], uploaded_at=now, uploaded_by=actor
    )
    attachment.file.save(f"{application.receipt_no}-{secrets.token_hex(6)}.{extension}", upload, save=False)
    attachment.save()
    return attachment


def do_take_application(
    *,
    actor: User,
    now: datetime,
    decision: str,
    reason: str = "",
    **filing: Any,
) -> Application:
    """One-window intake (一窗受理) in one step: file at the window and, in the same transaction, accept
    (即办件: complete on the spot), ask for corrections (`reason` = what is missing) or refuse acceptance."""
    if decision not in ("accept", "corrections", "refuse"):
        raise DomainError("invalid", "请选择受理、补正或不予受理。", field="decision")
    with transaction.atomic():
        application = do_file_application(actor=actor, now=now, channel=Channel.WINDOW, **filing)
        if decision == "accept":
            if application.item_version.is_immediate:
                return do_complete_on_spot(application, actor=actor, now=now)
            return do_accept_application(application, actor=actor, now=now)
        if decision == "corrections":
            return do_request_corrections(application, actor=actor, now=now, note=reason)
        return do_refuse_acceptance(application, actor=actor, now=now, reason=reason)


# ---------------------------------------------------------------------------------------------- steps


def _step(
    application: Application,
    action: str,
    *,
    actor: User,
    now: datetime,
    reason: str = "",
    inputs: dict[str, Any] | None = None,
    expected_version: int | None = None,
    door: dict[str, Any] | None = None,
) -> Application:
    """Take `action` on the application's work item through the engine, which runs the step's rules
    bound in `approvals.steps` (the same path as the generic work-item door). Returns the application
    as the step left it."""
    if application.work_item_id is None:
        raise Conflict("invalid_transition", "该申请没有办件流程。")
    item = WorkItem.objects.select_related("process_version").get(pk=application.work_item_id)
    transition(
        item,
        action,
        actor=actor,
        now=now,
        reason=(reason or "").strip(),
        inputs=dict(inputs or {}),
        expected_version=expected_version,
        door=door,
    )
    return Application.objects.select_related(
        "item", "item_version", "centre", "work_item", "item__agency", "applicant_user"
    ).get(pk=application.pk)


def _audit(application: Application, action: str, *, actor: User, now: datetime, **after: Any) -> None:
    record_event(
        actor=actor,
        action=f"approvals.{action}",
        subject=application,
        territory_code=application.territory_code,
        after={"receipt_no": application.receipt_no, "state": _state(application), **after},
        now=now,
    )


def _state(application: Application) -> str:
    return application.work_item.state if application.work_item is not None else ""


def _current_state(application: Application) -> str:
    return (
        WorkItem.objects.filter(pk=application.work_item_id or 0).values_list("state", flat=True).first()
        or ""
    )


def _finish(app: Application, outcome: str, now: datetime, reason: str = "", legal_basis: str = "") -> None:
    app.outcome = outcome
    app.outcome_reason = reason
    app.outcome_legal_basis = legal_basis
    app.completed_at = now
    app.save(update_fields=["outcome", "outcome_reason", "outcome_legal_basis", "completed_at"])


# The doors below parse and name the step; its rules are in approvals.steps.


def do_accept_application(
    application: Application, *, actor: User, now: datetime, expected_version: int | None = None
) -> Application:
    """受理: every required material received; the item goes to its reviewing unit with the promised
    limit (working days) as the review deadline."""
    return _step(application, "accept", actor=actor, now=now, expected_version=expected_version)


def do_request_corrections(
    application: Application,
    *,
    actor: User,
    now: datetime,
    note: str,
    expected_version: int | None = None,
    override_by: str = "",
    override_reason: str = "",
) -> Application:
    """补正 (一次性告知): the clock stops until the materials come; the applicant is told what is missing.
    A second notice needs `override_by` (who authorised it) and `override_reason`."""
    state = _current_state(application)
    action = "request_review_corrections" if state == "reviewing" else "request_intake_corrections"
    inputs = (
        {"override_by": override_by, "override_reason": override_reason}
        if override_by or override_reason
        else {}
    )
    return _step(
        application,
        action,
        actor=actor,
        now=now,
        reason=note,
        inputs=inputs,
        expected_version=expected_version,
    )


def do_resume_application(
    application: Application,
    *,
    actor: User,
    now: datetime,
    materials: Iterable[str] = (),
    expected_version: int | None = None,
) -> Application:
    """补正材料已收: record what came, and continue the stopped clock."""
    action = "review_corrected" if _current_state(application) == "review_corrections" else "resubmit"
    inputs = {"materials": list(materials)} if materials else {}
    return _step(application, action, actor=actor, now=now, inputs=inputs, expected_version=expected_version)


def do_refuse_acceptance(
    application: Application, *, actor: User, now: datetime, reason: str, expected_version: int | None = None
) -> Application:
    return _step(
        application,
        "refuse_acceptance",
        actor=actor,
        now=now,
        reason=reason,
        expected_version=expected_version,
    )


def do_complete_on_spot(
    application: Application, *, actor: User, now: datetime, expected_version: int | None = None
) -> Application:
    """即办件: accepted, decided and handed over at the window at once."""
    return _step(application, "complete_on_spot", actor=actor, now=now, expected_version=expected_version)


def do_pass_review(
    application: Application,
    *,
    actor: User,
    now: datetime,
    opinion: str = "",
    expected_version: int | None = None,
) -> Application:
    """行政许可: 审查 passed, on to 决定 (the same deadline runs on)."""
    return _step(
        application, "pass_review", actor=actor, now=now, reason=opinion, expected_version=expected_version
    )


def do_decide_application(
    application: Application,
    *,
    actor: User,
    now: datetime,
    approve: bool,
    reason: str = "",
    legal_basis: str = "",
    expected_version: int | None = None,
) -> Application:
    """准予 / 不予 with reasons and the legal basis. 行政许可 is decided after 审查 (state 待决定)."""
    return _step(
        application,
        "approve" if approve else "refuse",
        actor=actor,
        now=now,
        reason=reason,
        inputs={"legal_basis": (legal_basis or "").strip()},
        expected_version=expected_version,
    )


def do_deliver_application(
    application: Application,
    *,
    actor: User,
    now: datetime,
    method: str,
    ems_tracking_no: str = "",
    licence_type: str = "",
    expected_version: int | None = None,
) -> Application:
    """送达: window pickup, EMS (tracking number recorded) or an electronic certificate issued through
    `licences.actions.do_issue_certificate` (its identifier stored on the application)."""
    return _step(
        application,
        "deliver",
        actor=actor,
        now=now,
        inputs={"delivery_method": method, "ems_tracking_no": ems_tracking_no},
        expected_version=expected_version,
        door={"licence_type": licence_type},
    )


def _issue_certificate(app: Application, *, actor: User, now: datetime, licence_type: str) -> str:
    from licences.actions import do_issue_certificate  # built by the licences app

    code = licence_type or app.item.licence_type_code
    if not code:
        raise DomainError("invalid", "该事项未配置电子证照类型，请选择其他送达方式。", field="method")
    version = app.item_version
    assert app.work_item is not None
    issuer = app.work_item.assigned_unit or app.centre
    certificate = do_issue_certificate(
        actor=actor,
        now=now,
        licence_type=code,
        holder_name=app.applicant_name,
        holder_kind=app.applicant_kind,
        holder_number=pii.decrypt(app.applicant_number_enc),
        issuer=issuer,
        issuer_credit_code=version.implementing_body_credit_code,
        title=version.name,
        body=[
            ("事项", version.name),
            ("决定", "准予"),
            ("依据", app.outcome_legal_basis[:200]),
            ("受理编号", app.receipt_no),
        ],
        subject_type=SUBJECT_TYPE,
        subject_id=str(app.pk),
    )
    return str(certificate.identifier)


def do_withdraw_application(
    application: Application, *, actor: User, now: datetime, reason: str, expected_version: int | None = None
) -> Application:
    return _step(
        application, "withdraw", actor=actor, now=now, reason=reason, expected_version=expected_version
    )


# ---------------------------------------------------------------------------------------------- bulk


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


__all__ = [
    "PROCESS",
    "ApplicantInput",
    "CatalogueImportResult",
    "IntakeSpec",
    "clean_applicant",
    "do_accept_application",
    "do_authorise_items",
    "do_complete_on_spot",
    "do_decide_application",
    "do_deliver_application",
    "do_file_application",
    "do_file_applications_bulk",
    "do_import_catalogue",
    "do_pass_review",
    "do_refuse_acceptance",
    "do_request_corrections",
    "do_resume_application",
    "do_revoke_authorisation",
    "do_take_application",
    "do_withdraw_application",
    "missing_required",
    "notify_applicant",
    "reviewing_unit",
]
