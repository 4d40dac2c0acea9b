"""Writes of the reports: generating a period's report for a territory (once: a unique constraint makes a
retried or concurrent run a no-op), subscribing and unsubscribing. Each is one transaction with its audit
row; deliveries are outbox rows written in the generating transaction."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.actions import record_event
from command.reports import content as report_content
from command.reports import render
from command.reports.models import DeliveryChannel, Report, ReportKind, ReportSubscription
from command.reports.periods import Period
from command.reports.selectors import may_read_report, require_report_reader
from core.errors import DomainError, NotFound
from core.pdf import content_hash
from core.pii import decrypt, encrypt, mask_phone
from outbox.actions import enqueue
from outbox.models import OutboxMessage
from territory.models import Division

REPORT_LEVELS = (Division.Level.DISTRICT, Division.Level.TOWN, Division.Level.VILLAGE)
# A village has its monthly report only (the 三资 month and the grid's month); weeks and quarters are
# reported from the town up.
VILLAGE_KINDS = (ReportKind.MONTHLY,)
MOBILE = re.compile(r"1[3-9]\d{9}")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def levels_for(kind: str) -> tuple[str, ...]:
    """The division levels that have reports of `kind`."""
    if kind in VILLAGE_KINDS:
        return tuple(str(level) for level in REPORT_LEVELS)
    return (str(Division.Level.DISTRICT), str(Division.Level.TOWN))


def report_territory(code: str, kind: str = ReportKind.WEEKLY) -> Division:
    """The district, a town or (for monthly reports) a village: the territories reports are made for."""
    division = Division.objects.filter(code=code, level__in=levels_for(kind)).first()
    if division is None:
        raise NotFound(f"未找到该期报告的区县、镇/街道或村/社区：{code}", field="code")
    return division


def _stem(division: Division, period: Period) -> str:
    return f"{division.code}-{period.kind}-{period.key}"


def do_generate_report(code: str, period: Period, *, actor: User, now: datetime) -> tuple[Report, bool]:
    """The report of `period` for the district or town `code`: (report, True) when this call made it,
    (the existing one, False) when it already existed. Rendering happens before the transaction (it is
    slow and reads only); the row, its audit and the deliveries commit together. A concurrent run that
    loses the insert removes the files it wrote."""
    division = report_territory(code, period.kind)
    existing = Report.objects.filter(
        kind=period.kind, territory_code=code, first_day=period.first_day
    ).first()
    if existing is not None:
        return existing, False
    scope = report_content.scope_of(division.code, division.name)
    content = report_content.build(scope, period, today=timezone.localdate(now))
    xlsx = render.workbook(content, generated_at=now)
    pdf = render.pdf(content, generated_at=now)
    report = Report(
        kind=period.kind,
        territory_code=division.code,
        territory_name=division.name,
        period=period.key,
        first_day=period.first_day,
        end_day=period.end_day,
        generated_at=now,
        xlsx_sha256=content_hash(xlsx),
        pdf_sha256=content_hash(pdf),
        summary=report_content.summary(content),
    )
    stem = _stem(division, period)
    report.xlsx.save(f"{stem}.xlsx", ContentFile(xlsx), save=False)
    report.pdf.save(f"{stem}.pdf", ContentFile(pdf), save=False)
    try:
        with transaction.atomic():
            report.save()
            record_event(
                actor=actor,
                action="command.report.generate",
                subject=report,
                territory_code=report.territory_code,
                after={
                    "period": report.period,
                    "kind": report.kind,
                    "xlsx_sha256": report.xlsx_sha256,
                    "pdf_sha256": report.pdf_sha256,
                },
                now=now,
            )
            _queue_deliveries(report, now=now)
    except IntegrityError:
        _remove_files(report)
        return Report.objects.get(kind=period.kind, territory_code=code, first_day=period.first_day), False
    except BaseException:
        _remove_files(report)  # no row refers to them: leave no orphan behind
        raise
    return report, True


def _remove_files(report: Report) -> None:
    for name in (report.xlsx.name, report.pdf.name):
        if name:
            default_storage.delete(name)


def _link(report: Report, fmt: str) -> str:
    base = str(getattr(settings, "PUBLIC_BASE_URL", "") or "").rstrip("/")
    return f"{base}{reverse('command:report-download', args=[report.pk, fmt])}"


def _queue_deliveries(report: Report, *, now: datetime) -> int:
    """One outbox row per subscription whose holder may still read the territory's reports."""
    title = f"{report.territory_name}{report.period}{report.get_kind_display()}"
    queued = 0
    subscriptions = ReportSubscription.objects.filter(
        kind=report.kind, territory_code=report.territory_code
    ).select_related("user")
    for sub in subscriptions:
        if not may_read_report(sub.user, report.territory_code):
            continue
        address = decrypt(sub.address_encrypted)
        payload: dict[str, Any] = {"report_id": report.pk}
        if sub.channel == DeliveryChannel.EMAIL:
            payload["attachments"] = [
                {"storage_name": report.xlsx.name, "filename": f"{title}.xlsx", "content_type": XLSX_TYPE},
                {
                    "storage_name": report.pdf.name,
                    "filename": f"{title}.pdf",
                    "content_type": "application/pdf",
                },
            ]
            body = f"{title}已生成，见附件（XLSX、PDF）。在线查看：{_link(report, 'pdf')}"
        else:
            body = f"【治理】{title}已生成，下载：{_link(report, 'pdf')}"
        enqueue(
            channel=OutboxMessage.Channel.EMAIL
            if sub.channel == DeliveryChannel.EMAIL
            else OutboxMessage.Channel.SMS,
            kind="command.report",
            subject=title,
            body=body,
            now=now,
            recipient=sub.user,
            address=address,
            payload=payload,
        )
        queued += 1
    return queued


def _address(user: User, channel: str, address: str) -> tuple[str, str]:
    """(clear address, masked display) for the channel; refused when missing or malformed."""
    address = (address or "").strip()
    if channel == DeliveryChannel.EMAIL:
        address = address or user.email
        try:
            validate_email(address)
        except ValidationError:
            raise DomainError("invalid_address", "请填写有效的电子邮件地址。", field="address") from None
        local, _, domain = address.partition("@")
        return address, f"{local[:1]}***@{domain}"
    if channel == DeliveryChannel.SMS:
        if not MOBILE.fullmatch(address):
            raise DomainError("invalid_address", "请填写11位手机号码。", field="address")
        return address, mask_phone(address)
    raise DomainError("invalid_channel", "推送方式应为 email 或 sms。", field="channel")


def do_subscribe_report(
    *, kind: str, territory_code: str, channel: str, address: str = "", actor: User, now: datetime
) -> tuple[ReportSubscription, bool]:
    """The actor subscribes to a territory's reports of one kind. A territory outside their jurisdiction is
    not found; the same subscription twice returns the first (a retried request is harmless)."""
    require_report_reader(actor)
    if kind not in ReportKind.values:
        raise DomainError(
            "invalid_kind", f"报告类型应为 {' / '.join(ReportKind.values)} 之一。", field="kind"
        )
    if not may_read_report(actor, territory_code or "-"):
        raise NotFound(f"未找到区县、镇/街道或村/社区：{territory_code}", field="territory_code")
    report_territory(territory_code, kind)
    clear, shown = _address(actor, channel, address)
    with transaction.atomic():
        existing = ReportSubscription.objects.filter(
            user=actor, kind=kind, territory_code=territory_code, channel=channel
        ).first()
        if existing is not None:
            return existing, False
        try:
            with transaction.atomic():
                sub = ReportSubscription.objects.create(
                    user=actor,
                    kind=kind,
                    territory_code=territory_code,
                    channel=channel,
                    address_encrypted=encrypt(clear),
                    address_display=shown,
                    created_at=now,
                )
        except IntegrityError:  # a concurrent identical request won
            return ReportSubscription.objects.get(
                user=actor, kind=kind, territory_code=territory_code, channel=channel
            ), False
        record_event(
            actor=actor,
            action="command.report.subscribe",
            subject=sub,
            territory_code=territory_code,
            after={"kind": kind, "channel": channel, "address": shown},
            now=now,
        )
    return sub, True


def do_unsubscribe_report(subscription_id: int, *, actor: User, now: datetime) -> None:
    """Only the subscriber ends their subscription; anyone else's id is not found."""
    with transaction.atomic():
        sub = ReportSubscription.objects.select_for_update().filter(pk=subscription_id, user=actor).first()
        if sub is None:
            raise NotFound("未找到订阅。")
        before = {"kind": sub.kind, "territory_code": sub.territory_code, "channel": sub.channel}
        record_event(
            actor=actor,
            action="command.report.unsubscribe",
            subject=sub,
            territory_code=sub.territory_code,
            before=before,
            now=now,
        )
        sub.delete()
