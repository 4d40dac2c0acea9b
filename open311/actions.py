"""Every write of the Open311 app: API keys (issue, revoke, the demo key), the service definitions'
attributes (seed, save, delete) and accepting a service request (which reports a grid event)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from accounts.jurisdiction import user_roles
from accounts.models import Role, User
from audit.actions import record_event
from core import pii
from core.errors import Conflict, DomainError, PermissionRefused
from core.snapshots import field_snapshot
from grid.events.report import do_report_event
from grid.models import Category, CategoryStandard, GridEvent
from grid.standards.actions import require_reference_editor
from grid.standards.selectors import current_standard_version
from open311 import conf
from open311.attributes import spec_rows, validate_definition_row
from open311.codes import service_code_of
from open311.keys import hash_key, key_prefix, new_key
from open311.models import ApiKey, RequestToken, ServiceAttribute
from workflow.actors import system_actor

KEY_FIELDS = ("name", "prefix", "contact", "owner_id", "active", "rate_limit_per_hour", "revoked_at")
ATTRIBUTE_FIELDS = (
    "category_id",
    "code",
    "variable",
    "datatype",
    "required",
    "datatype_description",
    "order",
    "description",
    "values",
)
MIN_KEY_LENGTH = 12


# ---------------------------------------------------------------------------------------------------------
# API keys
# ---------------------------------------------------------------------------------------------------------


def require_key_admin(actor: Any) -> None:
    """Keys open the door to the event stream: superusers, data stewards and the system actor only."""
    if getattr(actor, "is_system", False) or getattr(actor, "is_superuser", False):
        return
    if isinstance(actor, User) and Role.DATA_STEWARD in user_roles(actor):
        return
    raise PermissionRefused("not_allowed", "只有系统管理员或数据管理员可以签发、吊销 Open311 API 密钥。")


def do_issue_api_key(
    *,
    name: str,
    actor: Any,
    now: datetime,
    contact: str = "",
    owner: User | None = None,
    rate_limit_per_hour: int | None = None,
    key: str | None = None,
) -> tuple[ApiKey, str]:
    """Create a key; returns it with the key itself, which is never stored and cannot be shown again.
    `key` fixes the key (the demo key, a key agreed with a partner); otherwise a random one is made."""
    require_key_admin(actor)
    name = (name or "").strip()
    if not name:
        raise DomainError("required", "请填写密钥名称。", field="name")
    raw = key if key is not None else new_key()
    if len(raw) < MIN_KEY_LENGTH or raw != raw.strip():
        raise DomainError("invalid_key", f"密钥至少 {MIN_KEY_LENGTH} 个字符，且首尾不能有空格。", field="key")
    limit = conf.default_rate_limit() if rate_limit_per_hour is None else rate_limit_per_hour
    if limit < 0:
        raise DomainError("invalid_rate_limit", "每小时请求上限不能为负数。", field="rate_limit_per_hour")
    with transaction.atomic():
        if ApiKey.objects.filter(name=name).exists():
            raise Conflict("duplicate_name", f"已有名为“{name}”的密钥。", field="name")
        if ApiKey.objects.filter(key_hash=hash_key(raw)).exists():
            raise Conflict("duplicate_key", "该密钥已被使用。", field="key")
        api_key = ApiKey.objects.create(
            name=name,
            prefix=key_prefix(raw),
            key_hash=hash_key(raw),
            contact=contact.strip(),
            owner=owner,
            rate_limit_per_hour=limit,
            created_at=now,
            created_by=actor if isinstance(actor, User) else None,
        )
        record_event(
            actor=actor,
            action="open311.api_key_issued",
            subject=api_key,
            after=field_snapshot(api_key, KEY_FIELDS),
            now=now,
        )
    return api_key, raw


def do_revoke_api_key(api_key: ApiKey, *, actor: Any, now: datetime, reason: str = "") -> ApiKey:
    require_key_admin(actor)
    with transaction.atomic():
        locked = ApiKey.objects.select_for_update().get(pk=api_key.pk)
        if not locked.active:
            raise Conflict("already_revoked", f"密钥“{locked.name}”已被吊销。")
        before = field_snapshot(locked, KEY_FIELDS)
        locked.active = False
        locked.revoked_at = now
        locked.revoked_by = actor if isinstance(actor, User) else None
        locked.revoke_reason = reason.strip()[:200]
        locked.save(update_fields=["active", "revoked_at", "revoked_by", "revoke_reason"])
        record_event(
            actor=actor,
            action="open311.api_key_revoked",
            subject=locked,
            before=before,
            after={**field_snapshot(locked, KEY_FIELDS), "reason": locked.revoke_reason},
            now=now,
        )
    return locked


# ---------------------------------------------------------------------------------------------------------
# Service definitions
# ---------------------------------------------------------------------------------------------------------


def service_categories() -> list[Category]:
    """The services: minor classes (events and components) with a row in the current standard."""
    version = current_standard_version()
    ids = CategoryStandard.objects.filter(version=version).values("category_id")
    return list(Category.objects.filter(id__in=ids, active=True).order_by("-kind", "code"))


def do_seed_service_definitions(*, actor: Any, now: datetime) -> dict[str, int]:
    """Idempotent: every service gets the default attribute set (open311.attributes.DEFAULT_ATTRIBUTES);
    attributes an administrator already has (by code) are left untouched."""
    require_reference_editor(actor)
    rows = spec_rows()
    with transaction.atomic():
        categories = service_categories()
        have = set(
            ServiceAttribute.objects.filter(category__in=categories).values_list("category_id", "code")
        )
        missing = [
            ServiceAttribute(category=category, **row)
            for category in categories
            for row in rows
            if (category.id, row["code"]) not in have
        ]
        ServiceAttribute.objects.bulk_create(missing, batch_size=500)
        counts = {
            "services": len(categories),
            "attributes_created": len(missing),
            "attributes_existing": len(have),
        }
        if missing:
            record_event(
                actor=actor,
                action="open311.service_definitions_seeded",
                subject_type="open311.serviceattribute",
                after={**counts, "codes": [row["code"] for row in rows]},
                now=now,
            )
    return counts


def validate_service_attribute(attribute: ServiceAttribute) -> None:
    problems = validate_definition_row(attribute)
    if problems:
        field_name, message = problems[0]
        raise DomainError("invalid_attribute", message, field=field_name)


def do_save_service_attribute(attribute: ServiceAttribute, *, actor: Any, now: datetime) -> ServiceAttribute:
    require_reference_editor(actor)
    validate_service_attribute(attribute)
    with transaction.atomic():
        before = None
        if attribute.pk is not None:
            old = ServiceAttribute.objects.select_for_update().get(pk=attribute.pk)
            before = field_snapshot(old, ATTRIBUTE_FIELDS)
        clash = ServiceAttribute.objects.filter(category_id=attribute.category_id, code=attribute.code)
        if clash.exclude(pk=attribute.pk).exists():
            raise Conflict("duplicate_code", f"该服务已有代码为 {attribute.code} 的属性。", field="code")
        attribute.save()
        record_event(
            actor=actor,
            action="open311.service_attribute_saved",
            subject=attribute,
            before=before,
            after=field_snapshot(attribute, ATTRIBUTE_FIELDS),
            now=now,
        )
    return attribute


def do_delete_service_attribute(attribute: ServiceAttribute, *, actor: Any, now: datetime) -> None:
    require_reference_editor(actor)
    with transaction.atomic():
        before = field_snapshot(attribute, ATTRIBUTE_FIELDS)
        record_event(
            actor=actor, action="open311.service_attribute_deleted", subject=attribute, before=before, now=now
        )
        attribute.delete()


# ---------------------------------------------------------------------------------------------------------
# Service requests
# ---------------------------------------------------------------------------------------------------------


@dataclass
class Submission:
    """A parsed POST requests.{format}."""

    service: Category
    attributes: dict[str, Any]
    description: str = ""
    lat: float | None = None
    lon: float | None = None
    address: str = ""
    address_id: str = ""
    grid_code: str | None = None
    media_url: str = ""
    photos: Sequence[UploadedFile] = field(default_factory=list)
    email: str = ""
    device_id: str = ""
    account_id: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""


def _description(submission: Submission) -> str:
    text = submission.description.strip()
    if text:
        return text
    detail = str(submission.attributes.get("DETAIL", "")).strip()
    return detail or f"{submission.service.name}（经 Open311 客户端上报，未填写描述）"


def do_submit_request(
    submission: Submission, *, api_key: ApiKey, now: datetime
) -> tuple[GridEvent, RequestToken]:
    """Report the request as a grid event (channel open311, an anonymous resident) and issue its token,
    in one transaction. The requester's name and phone go to the event (which encrypts the phone); the
    e-mail address is kept encrypted in the event's channel data."""
    reporter_name = f"{submission.last_name.strip()}{submission.first_name.strip()}"[:50]
    channel_data = {
        "service_code": service_code_of(submission.service),
        "attributes": submission.attributes,
        "api_key": api_key.name,
        "account_id": submission.account_id,
        "device_id": submission.device_id,
        "address_id": submission.address_id,
        # Kept encrypted with a keyed hash (core.pii), never shown by GET requests.
        "email_encrypted": pii.encrypt(submission.email.strip()),
        "email_hash": pii.lookup_hash(submission.email.strip().lower()),
    }

    with transaction.atomic():
        event = do_report_event(
            actor=None,
            now=now,
            channel="open311",
            category_code=submission.service.code,
            kind=submission.service.kind,
            description=_description(submission),
            lon=submission.lon,
            lat=submission.lat,
            grid_code=submission.grid_code,
            address=submission.address,
            reporter_name=reporter_name,
            reporter_phone=submission.phone.strip(),
            photos=submission.photos,
            media_urls=[submission.media_url] if submission.media_url else [],
            attributes={"open311": channel_data},
        )
        token = RequestToken.objects.create(
            token=secrets.token_hex(16), event=event, api_key=api_key, issued_at=now
        )
        record_event(
            actor=system_actor(),
            action="open311.request_accepted",
            subject=token,
            territory_code=event.territory_code,
            after={
                "receipt_number": event.receipt_number,
                "api_key": api_key.name,
                "service": channel_data["service_code"],
            },
            now=now,
        )
    return event, token
