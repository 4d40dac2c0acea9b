"""Filing an application — at the window, online or by proxy — and one-window intake in one step."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.jurisdiction import jurisdiction_codes, user_roles
from accounts.models import OrgUnit, Role, User
from approvals.actions.applicants import (
    ApplicantInput,
    _mask_number,
    _unique_receipt_no,
    clean_applicant,
    notify_applicant,
)
from approvals.actions.common import CENTRE_KINDS, PROCESS, SUBJECT_TYPE
from approvals.actions.lifecycle import (
    do_accept_application,
    do_complete_on_spot,
    do_refuse_acceptance,
    do_request_corrections,
)
from approvals.models import (
    Application,
    ApplicationAttachment,
    CentreAuthorisation,
    Channel,
    ServiceItem,
    ServiceItemVersion,
)
from audit.actions import record_event
from core import pii
from core.errors import DomainError, NotFound, PermissionRefused
from core.uploads import clean_image
from workflow.actors import in_unit, system_actor
from workflow.start import do_start_item

PDF_MAGIC = b"%PDF-"


class MaterialsRefused(DomainError):
    """The uploaded materials of an application refused as a whole: `problems` holds one error per bad
    file or missing material, each with its field (`materials.<i>`: the i-th material of the pinned guide;
    `attachments`: the upload as a whole)."""

    def __init__(self, problems: list[DomainError]):
        self.problems = problems
        super().__init__(problems[0].code, "；".join(p.message for p in problems), field=problems[0].field)


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


def required_not_received(materials: list[dict[str, Any]]) -> list[str]:
    """The names of the required materials not received, in the guide's order."""
    return [m["name"] for m in materials if m.get("required") and not m.get("received")]


def missing_required(application: Application) -> list[str]:
    return required_not_received(application.materials)


def max_upload_bytes() -> int:
    return int(settings.APPROVALS_UPLOAD_MAX_MB) * 1024 * 1024


def _uploaded_materials(
    version: ServiceItemVersion, attachments: Sequence[tuple[str, UploadedFile]]
) -> tuple[list[dict[str, Any]], list[tuple[File[Any], str]]]:
    """网上申请: the materials arrive as files, one input per material of the guide. A material is received
    when at least one good file came for it; every required material must come. Returns the application's
    material list and the checked files (in the order given); refuses with every problem at once."""
    position = {m["name"]: index for index, m in enumerate(version.materials)}
    problems: list[DomainError] = []
    limit = int(settings.APPROVALS_UPLOAD_MAX_FILES)
    if len(attachments) > limit:
        problems.append(
            DomainError(
                "too_many_files",
                _("一次最多上传 %(n)d 个文件（共选了 %(m)d 个）。") % {"n": limit, "m": len(attachments)},
                field="attachments",
            )
        )
    files: list[tuple[File[Any], str]] = []
    for name, upload in attachments:
        if name not in position:
            problems.append(
                DomainError(
                    "invalid", _("材料不在办事指南中：%(name)s") % {"name": name}, field="attachments"
                )
            )
            continue
        try:
            files.append(_check_upload(upload, field=f"materials.{position[name]}", label=name))
        except DomainError as error:
            problems.append(error)
    uploaded = {name for name, _upload in attachments}
    checked = [
        {"name": m["name"], "required": bool(m.get("required")), "received": m["name"] in uploaded}
        for m in version.materials
    ]
    for name in required_not_received(checked):
        problems.append(
            DomainError(
                "materials_missing",
                _("请上传必需材料：%(name)s") % {"name": name},
                field=f"materials.{position[name]}",
            )
        )
    if problems:
        raise MaterialsRefused(problems)
    return checked, files


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
    refuses (see `do_take_application`). Online and proxy applicants are told their receipt number.

    `materials` names what the window clerk or the grid worker has seen (paper materials, ticked);
    `attachments` are (material name, file) pairs. Online, the resident ticks nothing: each material is
    received when a file came for it, every required one must come (`MaterialsRefused` names each missing
    or bad file by its field `materials.<i>`), and 受理 later finds them received."""
    item = _item_by_code(item_code)
    version = item.current_version
    assert version is not None
    clean = clean_applicant(applicant)
    territory_code, proxy_worker = _check_channel(
        channel, actor=actor, centre=centre, proxy_consent=proxy_consent
    )
    if not _authorised(centre, item):
        raise DomainError("not_authorised", "本中心未进驻该事项，不能受理。", field="item")
    if channel == Channel.ONLINE:
        # The resident ticks nothing: what was uploaded is what was received.
        if any(name and name.strip() for name in materials):
            raise DomainError("invalid", _("网上申请的材料以上传的文件为准，不能勾选。"), field="materials")
        checked, files = _uploaded_materials(version, attachments)
    else:
        checked = _clean_materials(version, materials)
        files = [
            _check_upload(upload, field="attachments", label=_("扫描件")) for _name, upload in attachments
        ]
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
        saved = [
            _save_attachment(application, material, content, extension, actor=actor, now=now)
            for (material, _upload), (content, extension) in zip(attachments, files, strict=True)
        ]
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
                "files": [{"material": a.material, "sha256": a.content_hash} for a in saved],
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


def _check_upload(upload: UploadedFile, *, field: str, label: str) -> tuple[File[Any], str]:
    """A material is a PDF (its first bytes are `%PDF-`) or a JPEG/PNG image, which is re-encoded
    (core.uploads) so that no metadata or trailing content is stored. The type is read from the content:
    the file's name and declared type are not trusted."""
    if (upload.size or 0) > max_upload_bytes():
        raise DomainError(
            "too_large",
            _("%(label)s：单个文件不能超过 %(mb)d MB。")
            % {"label": label, "mb": settings.APPROVALS_UPLOAD_MAX_MB},
            field=field,
        )
    upload.seek(0)
    head = upload.read(len(PDF_MAGIC))
    upload.seek(0)
    if head == PDF_MAGIC:
        return upload, "pdf"
    wrong_type = DomainError(
        "invalid_type", _("%(label)s：只能上传 PDF、JPG 或 PNG 文件。") % {"label": label}, field=field
    )
    try:
        clean = clean_image(upload, field=field, label=label)
    except DomainError as error:
        raise (wrong_type if error.code == "invalid_type" else error) from error
    if clean.extension not in ("jpg", "png"):
        raise wrong_type
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
    digest = hashlib.sha256()
    size = 0
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
        size += len(chunk)
    upload.seek(0)
    attachment = ApplicationAttachment(
        application=application,
        material=material[:120],
        size=size,
        content_hash=digest.hexdigest(),
        uploaded_at=now,
        uploaded_by=actor,
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
