"""Writes for enforcement documents: generating a numbered form as a PDF (stored with its SHA-256 and
entered in the full-process record) and assembling the case file (卷宗) as one PDF with a table of
contents, main volume first, every page numbered in the whole file. Numbering and form contents:
enforcement.cases.documents."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from accounts.jurisdiction import scope_for, user_roles
from accounts.models import Role, User
from audit.actions import record_event
from core.errors import Conflict, DomainError, NotFound, PermissionRefused
from core.pdf import PDF_MEDIA_TYPE, content_hash, qr_svg, render_pdf
from enforcement.actions import append_record
from enforcement.cases.documents import (
    DECISION_KINDS,
    GENERATED_KINDS,
    LOCAL_TZ,
    MAIN_VOLUME,
    SECONDARY_VOLUME,
    SINGLE_KINDS,
    TEMPLATES,
    build_context,
    issuing_authority,
    kinds_for,
    next_number,
    party_view,
    volume_of,
    volume_position,
)
from enforcement.models import Case, CaseDocument, DocumentKind, Procedure, RecordKind, Volume
from territory.models import Division

DOCUMENT_ROLES: set[str] = {Role.OFFICER, Role.SQUAD_LEADER, Role.LEGAL_REVIEWER, Role.LEADER}
CASE_FILE_ROLES: set[str] = DOCUMENT_ROLES | {Role.SUPERVISOR, Role.DISPATCHER, Role.AUDITOR}


def access_case(actor: User, case_id: int, roles: set[str]) -> Case:
    """The case if the actor may see it (404 otherwise, never 403) and holds one of `roles` (403)."""
    case = (
        scope_for(actor, Case.objects.all(), "territory_code")
        .select_related("matter", "squad", "lead_officer", "hearing_chair")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise NotFound("案件不存在，或不在您的管辖范围内。")
    if not actor.is_system and not (user_roles(actor) & roles):
        raise PermissionRefused("not_allowed", "您的角色不能办理案件文书。")
    return case


def _check_ready(case: Case, kind: str) -> None:
    if case.archived_at is not None or case.archive_number:
        raise Conflict("archived", f"案件已归档（{case.archive_number}），不能再制作文书。", field="kind")
    if kind not in kinds_for(case.procedure):
        raise Conflict(
            "wrong_procedure",
            f"{Procedure(case.procedure).label}案件不使用{DocumentKind(kind).label}。",
            field="kind",
        )
    if kind == DocumentKind.HEARING_NOTICE and not case.hearing_requested:
        raise Conflict("not_ready", "当事人未申请听证，不能制作听证通知书。", field="kind")
    if kind == DocumentKind.SERVICE_RECEIPT and not case.services.exists():
        raise Conflict("not_ready", "尚无送达记录，不能制作送达回证。", field="kind")
    if kind in DECISION_KINDS and not (case.decided_at or case.decision_number):
        raise Conflict("not_ready", "案件尚未作出处罚决定，不能制作行政处罚决定书。", field="kind")
    if kind == DocumentKind.CLOSING_REPORT and not (case.decided_at or case.closed_at):
        raise Conflict("not_ready", "案件尚未作出决定，不能制作结案报告。", field="kind")


def do_generate_document(
    case: Case,
    kind: str,
    *,
    actor: User,
    now: datetime,
    details: dict[str, Any] | None = None,
) -> CaseDocument:
    """Render form `kind` for `case` as a numbered PDF, store it with its SHA-256 and enter it in the
    full-process record (kind document). The decision takes the case's decision number when it has one."""
    # Jurisdiction and role first: an outsider learns nothing about the case from the input checks.
    case = access_case(actor, case.pk, DOCUMENT_ROLES)
    if kind not in GENERATED_KINDS:
        raise DomainError("invalid", f"不能生成该种类的文书：{kind}", field="kind")
    details = dict(details or {})
    with transaction.atomic():
        # The town's division row is the numbering lock: serials of a town are taken one at a time.
        list(Division.objects.select_for_update().filter(code=case.town_code))
        case = (
            Case.objects.select_for_update().select_related("matter", "squad", "lead_officer").get(pk=case.pk)
        )
        _check_ready(case, kind)
        if kind in SINGLE_KINDS and case.documents.filter(kind=kind).exists():
            raise Conflict("already_generated", f"本案已制作{DocumentKind(kind).label}。", field="kind")
        if kind in DECISION_KINDS and case.decision_number:
            number = case.decision_number
        else:
            number = next_number(case, kind, now)
        if case.documents.filter(number=number).exists():
            # A number names one document: never a second form under another's (the decision number is
            # unique across cases, fresh serials are new, so the case's own documents are what to check).
            raise Conflict("number_used", f"文号 {number} 已用于另一份文书。", field="kind")
        qr = qr_svg(f"{number} {case.number}".strip())
        context = build_context(case, kind, number=number, actor=actor, now=now, details=details, qr=qr)
        pdf = render_pdf(TEMPLATES[kind], context)
        digest = content_hash(pdf)
        document = CaseDocument(
            case=case,
            kind=kind,
            number=number,
            volume=volume_of(kind),
            content_hash=digest,
            generated_at=now,
            generated_by=actor,
        )
        stamp = now.astimezone(LOCAL_TZ).strftime("%Y%m%d%H%M%S")
        document.pdf.save(f"{kind}-{stamp}-{digest[:8]}.pdf", ContentFile(pdf), save=False)
        document.save()
        # The record entry carries the PDF itself, so its hash is the document's (sha256 of the bytes).
        append_record(
            case,
            step=f"document:{kind}",
            kind=RecordKind.DOCUMENT,
            title=f"{DocumentKind(kind).label} {number}",
            actor=actor,
            now=now,
            meta={"document": document.pk, "number": number},
            upload=SimpleUploadedFile(f"{kind}.pdf", pdf, content_type=PDF_MEDIA_TYPE),
        )
        record_event(
            actor=actor,
            action="enforcement.generate_document",
            subject=document,
            territory_code=case.territory_code,
            after={"case": case.pk, "kind": kind, "number": number, "content_hash": digest},
            now=now,
        )
    return document


def _page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def ordered_documents(case: Case) -> list[CaseDocument]:
    """The case's documents in case-file order: main volume then secondary, each by kind order, then
    by time."""
    documents = list(case.documents.all())
    return sorted(documents, key=lambda d: (*volume_position(d.kind), d.generated_at, d.pk))


def build_case_file(case: Case, *, now: datetime) -> bytes:
    """One PDF: cover and table of contents, then every document of the case in main-volume /
    secondary-volume order, each page stamped with its number in the whole file (案卷第 N 页 / 共 M 页)
    in the top right corner, the corner where paper case files carry their page numbers. The
    documents go in as stored: their own footer (第 n 页 共 m 页 of the document) and their bytes,
    whose SHA-256 the record holds, stay as the party received them; the stamp is laid over them."""
    from pypdf import PdfReader, PdfWriter

    documents = ordered_documents(case)
    parts: list[tuple[CaseDocument, bytes]] = []
    for document in documents:
        with document.pdf.open("rb") as handle:
            parts.append((document, handle.read()))
    counts = [_page_count(data) for _, data in parts]

    def front(offset: int) -> bytes:
        volumes: list[dict[str, Any]] = [
            {"title": f"{Volume.MAIN.label}", "rows": []},
            {"title": f"{Volume.SECONDARY.label}", "rows": []},
        ]
        page = offset + 1
        for seq, ((document, _data), count) in enumerate(zip(parts, counts, strict=True), start=1):
            target = volumes[1] if document.kind in SECONDARY_VOLUME else volumes[0]
            target["rows"].append(
                {
                    "seq": seq,
                    "title": document.get_kind_display(),
                    "number": document.number,
                    "date": document.generated_at.astimezone(LOCAL_TZ),
                    "first_page": page,
                    "last_page": page + count - 1,
                }
            )
            page += count
        retention = "永久" if case.is_major else "30年"
        return render_pdf(
            "enforcement/forms/case_file.html",
            {
                "case": case,
                "party": party_view(case),
                "matter": case.matter,
                "issuer": issuing_authority(case.town_code),
                "volumes": volumes,
                "retention": retention,
                "main_kinds": MAIN_VOLUME,
            },
        )

    # The front matter's own length shifts the documents' page numbers: render it with the length it
    # had last time until the two agree (twice, unless a longer number spills a row onto a new page).
    front_pages, cover = 0, b""
    for _attempt in range(4):
        cover = front(front_pages)
        measured = _page_count(cover)
        if measured == front_pages:
            break
        front_pages = measured
    writer = PdfWriter()
    for data in [cover, *(data for _, data in parts)]:
        writer.append(PdfReader(io.BytesIO(data)))
    sizes = [(float(page.mediabox.width), float(page.mediabox.height)) for page in writer.pages]
    stamps = PdfReader(io.BytesIO(_page_number_stamps(sizes)))
    for page, stamp in zip(writer.pages, stamps.pages, strict=True):
        page.merge_page(stamp)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _page_number_stamps(sizes: list[tuple[float, float]]) -> bytes:
    """A transparent PDF with one page per case-file page, each of that page's size, carrying nothing but
    the page's number in the file (CSS page counters, so WeasyPrint counts, not Python)."""
    pages = [
        {"name": f"p{index}", "width": f"{w:.2f}", "height": f"{h:.2f}"} for index, (w, h) in enumerate(sizes)
    ]
    return render_pdf("enforcement/forms/case_file_numbers.html", {"pages": pages})


def do_assemble_case_file(case: Case, *, actor: User, now: datetime) -> bytes:
    """The case file of a case the actor may see, as one PDF; the assembly is audited (who looked at
    the whole file, and its hash)."""
    case = access_case(actor, case.pk, CASE_FILE_ROLES)
    pdf = build_case_file(case, now=now)
    with transaction.atomic():
        record_event(
            actor=actor,
            action="enforcement.assemble_case_file",
            subject=case,
            territory_code=case.territory_code,
            after={"documents": case.documents.count(), "content_hash": content_hash(pdf)},
            now=now,
        )
    return pdf
