"""Leases (合同): signing with its payment schedule, receiving an instalment into the ledger, renewal and
termination. The clock is passed in; the warnings on contracts are in territorial/findings.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.actions import record_event
from core.errors import DomainError, NotFound
from registry.models import Entity, Person
from territorial.access import check_keeper
from territorial.actions import _text, clean_receipt_voucher, post_entry
from territorial.files import atomic_with_files, store_file
from territorial.models import Account, Asset, CollectiveOrganisation, Contract, Instalment, Resource
from territorial.money import clean_amount
from territorial.scans import clean_scan


@dataclass
class ContractInput:
    number: str
    starts_on: date
    ends_on: date
    annual_price: Any
    schedule: list[tuple[date, Any]]  # (due date, amount) of each instalment
    person: Person | None = None
    entity: Entity | None = None
    asset: Asset | None = None
    resource: Resource | None = None
    reference_price: Any = None


def _check_term(starts_on: date, ends_on: date) -> None:
    if ends_on <= starts_on:
        raise DomainError("ends_before_start", _("合同到期日期须晚于起始日期。"), field="ends_on")


def _clean_schedule(
    schedule: list[tuple[date, Any]], starts_on: date, ends_on: date
) -> list[tuple[date, Any]]:
    cleaned = []
    for index, (due_on, amount) in enumerate(schedule):
        if not starts_on <= due_on <= ends_on:
            raise DomainError(
                "due_outside_term", _("应收日期须在合同期内。"), field=f"schedule[{index}].due_on"
            )
        cleaned.append((due_on, clean_amount(amount, field=f"schedule[{index}].amount")))
    return cleaned


def do_sign_contract(
    organisation: CollectiveOrganisation, data: ContractInput, *, actor: User, now: datetime
) -> Contract:
    check_keeper(actor, organisation.village_code)
    number = _text(data.number, "number", 40)
    _check_term(data.starts_on, data.ends_on)
    if (data.person is None) == (data.entity is None):
        raise DomainError(
            "counterparty_required", _("须且只能填写一个承租人（个人或单位）。"), field="counterparty"
        )
    if (data.asset is None) == (data.resource is None):
        raise DomainError("object_required", _("须且只能填写一个标的（资产或资源）。"), field="object")
    target = data.asset or data.resource
    if target is None or target.organisation_id != organisation.pk:
        raise NotFound(field="object")
    price = clean_amount(data.annual_price, field="annual_price")
    reference = None
    if data.reference_price not in (None, ""):
        reference = clean_amount(data.reference_price, field="reference_price")
    schedule = _clean_schedule(data.schedule, data.starts_on, data.ends_on)
    if organisation.contracts.filter(number=number).exists():
        raise DomainError("duplicate", _("合同编号已存在。"), field="number", status=409)
    with transaction.atomic():
        contract = Contract.objects.create(
            organisation=organisation,
            number=number,
            person=data.person,
            entity=data.entity,
            asset=data.asset,
            resource=data.resource,
            annual_price=price,
            reference_price=reference,
            starts_on=data.starts_on,
            ends_on=data.ends_on,
        )
        Instalment.objects.bulk_create(Instalment(contract=contract, due_on=d, amount=a) for d, a in schedule)
        record_event(
            actor=actor,
            action="territorial.sign_contract",
            subject=contract,
            territory_code=organisation.village_code,
            after={"number": number, "annual_price": str(price), "ends_on": str(data.ends_on)},
            now=now,
        )
    return contract


def do_receive_instalment(
    instalment: Instalment,
    account: Account,
    *,
    actor: User,
    now: datetime,
    voucher: UploadedFile | None = None,
) -> Instalment:
    """The rent received into `account`, with the receipt's voucher (required unless
    TERRITORIAL_RECEIPT_VOUCHER_REQUIRED is off)."""
    contract = instalment.contract
    check_keeper(actor, contract.organisation.village_code, field="instalment")
    if account.organisation_id != contract.organisation_id:
        raise NotFound(field="account")
    if instalment.entry_id is not None:
        raise DomainError("already_received", _("该笔应收款已收讫。"), field="instalment", status=409)
    scan = clean_receipt_voucher(voucher)
    with atomic_with_files():
        locked = Instalment.objects.select_for_update().get(pk=instalment.pk)
        if locked.entry_id is not None:
            raise DomainError("already_received", _("该笔应收款已收讫。"), field="instalment", status=409)
        locked.entry = post_entry(
            account,
            amount=locked.amount,
            booked_on=timezone.localtime(now).date(),
            summary=f"合同 {contract.number} 租金",
            actor=actor,
            now=now,
            voucher=scan,
        )
        locked.save(update_fields=["entry"])
        record_event(
            actor=actor,
            action="territorial.receive_instalment",
            subject=locked,
            territory_code=contract.organisation.village_code,
            after={"amount": str(locked.amount)},
            now=now,
        )
    return locked


def do_attach_contract_document(
    contract: Contract, *, document: UploadedFile | None, actor: User, now: datetime
) -> Contract:
    """The signed contract's scan (合同文本: an image or a PDF, checked as a voucher is), attached once
    signed; a new scan replaces the earlier one, whose file is deleted once the replacement commits."""
    check_keeper(actor, contract.organisation.village_code, field="contract")
    if document is None:
        raise DomainError("required", _("请选择合同文本的扫描件。"), field="document")
    scan = clean_scan(document, field="document", label=_("合同文本"))
    with atomic_with_files():
        locked = Contract.objects.select_for_update().get(pk=contract.pk)
        earlier = str(locked.document.name or "")
        store_file(locked.document, f"{locked.pk}.{scan.extension}", scan.content)
        locked.save(update_fields=["document"])
        record_event(
            actor=actor,
            action="territorial.attach_contract_document",
            subject=locked,
            territory_code=contract.organisation.village_code,
            before={"document": earlier},
            after={"document": str(locked.document.name)},
            now=now,
        )
        if earlier:
            storage = locked.document.storage
            transaction.on_commit(lambda: storage.delete(earlier))
    return locked


def do_renew_contract(
    contract: Contract, *, ends_on: date, schedule: list[tuple[date, Any]], actor: User, now: datetime
) -> Contract:
    """Extend the term to `ends_on`, adding the instalments of the extension."""
    check_keeper(actor, contract.organisation.village_code, field="contract")
    if contract.state != Contract.State.ACTIVE:
        raise DomainError("contract_terminated", _("合同已终止，不能续签。"), field="contract", status=409)
    if ends_on <= contract.ends_on:
        raise DomainError("renewal_not_later", _("续签到期日须晚于原到期日。"), field="ends_on")
    extension = _clean_schedule(schedule, contract.ends_on, ends_on)
    with transaction.atomic():
        before = str(contract.ends_on)
        contract.ends_on = ends_on
        contract.save(update_fields=["ends_on"])
        Instalment.objects.bulk_create(
            Instalment(contract=contract, due_on=d, amount=a) for d, a in extension
        )
        record_event(
            actor=actor,
            action="territorial.renew_contract",
            subject=contract,
            territory_code=contract.organisation.village_code,
            before={"ends_on": before},
            after={"ends_on": str(ends_on)},
            now=now,
        )
    return contract


def do_terminate_contract(
    contract: Contract, *, on: date, reason: str, actor: User, now: datetime
) -> Contract:
    """Instalments due after the termination date are dropped; those received stay in the ledger."""
    check_keeper(actor, contract.organisation.village_code, field="contract")
    reason = _text(reason, "reason", 200)
    if contract.state != Contract.State.ACTIVE:
        raise DomainError("contract_terminated", _("合同已终止。"), field="contract", status=409)
    if not contract.starts_on <= on <= contract.ends_on:
        raise DomainError("date_outside_term", _("终止日期须在合同期内。"), field="on")
    with transaction.atomic():
        contract.state = Contract.State.TERMINATED
        contract.terminated_on = on
        contract.save(update_fields=["state", "terminated_on"])
        contract.instalments.filter(due_on__gt=on, entry__isnull=True).delete()
        record_event(
            actor=actor,
            action="territorial.terminate_contract",
            subject=contract,
            territory_code=contract.organisation.village_code,
            after={"on": str(on), "reason": reason},
            now=now,
        )
    return contract
