"""The licence types the platform issues (证照类型), loaded by `do_seed_licence_types` (demo and the
`seed_licence_types` command). Type codes follow docs/licences.md: the defining body's credit code + a
3-digit sequence. The defining bodies' credit codes here are synthetic (well-formed, check digits right)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from accounts.models import OrgUnit, User
from audit.actions import record_event
from core.errors import DomainError, PermissionRefused
from licences.identifiers import credit_code
from licences.models import HolderKind, LicenceType

ORG_CODE_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def organisation_code(body: str) -> str:
    """An organisation code (GB 11714) from its 8-character body: body + mod-11 check (X for 10)."""
    total = sum(ORG_CODE_ALPHABET.index(c) * w for c, w in zip(body, ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def synthetic_credit_code(kind: str, region: str, body: str) -> str:
    """`kind` 2 chars (11 = 机关), `region` 6 digits, `body` 8 chars → a well-formed 18-char credit code."""
    return credit_code(kind + region + organisation_code(body))


# Defining bodies (synthetic codes): the district's housing bureau, the approval bureau and the market
# regulator.
HOUSING_BUREAU = synthetic_credit_code("11", "320507", "01413372")
APPROVAL_BUREAU = synthetic_credit_code("11", "320507", "MB176824")
MARKET_REGULATOR = synthetic_credit_code("11", "320507", "01413501")

NO_HOUSING_TYPE_CODE = f"{HOUSING_BUREAU}001"


@dataclass(frozen=True)
class LicenceTypeSpec:
    code: str
    name: str
    holder_kind: str = ""
    validity_days: int | None = None


LICENCE_TYPES = [
    LicenceTypeSpec(NO_HOUSING_TYPE_CODE, "无房证明", HolderKind.NATURAL, 30),
    LicenceTypeSpec(f"{APPROVAL_BUREAU}001", "准予行政许可决定书"),
    LicenceTypeSpec(f"{APPROVAL_BUREAU}002", "不予行政许可决定书"),
    LicenceTypeSpec(f"{APPROVAL_BUREAU}003", "办结通知书"),
    LicenceTypeSpec(f"{MARKET_REGULATOR}001", "个体工商户营业执照", HolderKind.NATURAL),
    LicenceTypeSpec(f"{MARKET_REGULATOR}002", "食品经营许可证", HolderKind.LEGAL, 1826),
    LicenceTypeSpec(f"{APPROVAL_BUREAU}004", "城市建筑垃圾处置核准", HolderKind.LEGAL, 365),
]


def do_seed_licence_types(
    *, actor: User, now: datetime, no_housing_issuer: OrgUnit | None = None, issuer_credit_code: str = ""
) -> int:
    """Create the missing licence types (returns how many). With `no_housing_issuer`, the 无房证明 type
    gets it as its default issuer (with `issuer_credit_code`) so the 24-hour self-service can sign."""
    if not (actor.is_system or actor.is_superuser):
        raise PermissionRefused("not_allowed", "只有系统或管理员可以维护证照类型。")
    if no_housing_issuer is not None and not credit_code_is_valid(issuer_credit_code):
        raise DomainError(
            "invalid_credit_code", "发证机构统一社会信用代码不正确。", field="issuer_credit_code"
        )
    created = 0
    with transaction.atomic():
        for spec in LICENCE_TYPES:
            licence_type, was_created = LicenceType.objects.get_or_create(
                code=spec.code,
                defaults={
                    "name": spec.name,
                    "holder_kind": spec.holder_kind,
                    "validity_days": spec.validity_days,
                },
            )
            if was_created:
                created += 1
                record_event(
                    actor=actor,
                    action="licences.licence_type_created",
                    subject=licence_type,
                    after={"code": spec.code, "name": spec.name},
                    now=now,
                )
        if no_housing_issuer is not None:
            no_housing = LicenceType.objects.select_for_update().get(code=NO_HOUSING_TYPE_CODE)
            if (no_housing.default_issuer_id, no_housing.default_issuer_credit_code) != (
                no_housing_issuer.pk,
                issuer_credit_code,
            ):
                before = {
                    "issuer": no_housing.default_issuer_id,
                    "credit": no_housing.default_issuer_credit_code,
                }
                no_housing.default_issuer = no_housing_issuer
                no_housing.default_issuer_credit_code = issuer_credit_code
                no_housing.save(update_fields=["default_issuer", "default_issuer_credit_code"])
                record_event(
                    actor=actor,
                    action="licences.licence_type_issuer_set",
                    subject=no_housing,
                    before=before,
                    after={"issuer": no_housing_issuer.pk, "credit": issuer_credit_code},
                    now=now,
                )
    return created


def credit_code_is_valid(code: str) -> bool:
    from stdnum.cn import uscc

    return uscc.is_valid(code or "")
