"""The 三资 JSON API (under /api/v1/territorial/): jurisdiction-scoped reads of organisations, ledgers,
assets, resources, contracts, payments and warnings; recording a receipt and receiving a contract's rent
(multipart, with the receipt's voucher), proposing a payment (multipart, with its voucher) and taking a
step of its approval chain through the same action functions as the pages; the public monthly disclosure
(财务公开, no login, through the publication path). Thin views: parse → selectors → action."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from core.errors import DomainError, NotFound
from territorial import actions, contracts, funds, selectors
from territorial.disclosure import monthly_disclosure
from territorial.findings import findings
from territorial.models import Contract, ExpenditureCategory, LedgerEntry, Payment

LIST_LIMIT = 500
ERROR_ENVELOPE = OpenApiResponse(description='{"errors": [{"code", "message", "field"}]}')
ERRORS = dict.fromkeys((400, 403, 404, 409, 422), ERROR_ENVELOPE)


def _user(request: Request) -> User:
    assert isinstance(request.user, User)
    user = request.user
    selectors.check_viewer(user)
    return user


def _money(value: Any) -> str | None:
    return None if value is None else f"{value:.2f}"


def _field(request: Request, name: str) -> str:
    payload: Any = request.data
    value = payload.get(name, "") if hasattr(payload, "get") else ""
    return str(value if value is not None else "").strip()


def _date(request: Request, name: str) -> date:
    raw = _field(request, name)
    if not raw:
        raise DomainError("required", _("此项不能为空。"), field=name)
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise DomainError("invalid_date", _("日期格式须为 YYYY-MM-DD。"), field=name) from None


def _integer(request: Request, name: str) -> int:
    raw = _field(request, name)
    if not raw.isdigit():
        raise DomainError("invalid_number", _("须为正整数。"), field=name)
    return int(raw)


def _entry_voucher_url(entry: LedgerEntry, payment: Payment | None = None) -> str | None:
    """Where the entry's voucher image is read (staff, within the jurisdiction): the receipt's own, or the
    payment's behind a payment entry; None when it has none."""
    if entry.voucher:
        return reverse("territorial:entry_voucher", args=[entry.pk])
    if payment is not None:
        return reverse("territorial:payment_voucher", args=[payment.pk])
    return None


# ---------------------------------------------------------------------------------------------- shapes


class AccountOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    balance = serializers.CharField(help_text="元，两位小数（字符串，不用浮点）")


class OrganisationOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    village_code = serializers.CharField()
    credit_code = serializers.CharField(allow_blank=True)
    accounts = AccountOut(many=True)


class LedgerEntryOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    booked_on = serializers.DateField()
    amount = serializers.CharField(help_text="正数为收入，负数为支出")
    summary = serializers.CharField()
    category = serializers.CharField(allow_blank=True, help_text="支出类别（收入为空）")
    balance = serializers.CharField(help_text="记账后余额")
    payment_id = serializers.IntegerField(allow_null=True)
    voucher_url = serializers.CharField(
        allow_null=True, help_text="凭证（图片或 PDF；收款的收据，或支出申请的凭证）"
    )


class LedgerOut(serializers.Serializer[Any]):
    account = AccountOut()
    receipts = serializers.CharField()
    payments = serializers.CharField()
    reconciles = serializers.BooleanField(help_text="余额等于明细合计")
    entries = LedgerEntryOut(many=True)


class AssetOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    organisation_id = serializers.IntegerField()
    number = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    value = serializers.CharField()
    state = serializers.CharField()
    responsible = serializers.CharField()
    lon = serializers.FloatField(allow_null=True)
    lat = serializers.FloatField(allow_null=True)


class ResourceOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    organisation_id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    area_mu = serializers.CharField()
    outline = serializers.JSONField()


class ContractOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    organisation_id = serializers.IntegerField()
    number = serializers.CharField()
    counterparty = serializers.CharField(help_text="单位名称；个人已脱敏")
    asset_id = serializers.IntegerField(allow_null=True)
    resource_id = serializers.IntegerField(allow_null=True)
    annual_price = serializers.CharField()
    reference_price = serializers.CharField(allow_null=True)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    state = serializers.CharField()
    expiring_30 = serializers.BooleanField()
    expiring_90 = serializers.BooleanField()
    ended = serializers.BooleanField()
    overdue = serializers.CharField(help_text="逾期未收金额")
    below_reference = serializers.BooleanField()


class PaymentOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    organisation_id = serializers.IntegerField()
    account_id = serializers.IntegerField()
    amount = serializers.CharField()
    payee = serializers.CharField()
    purpose = serializers.CharField()
    category = serializers.CharField(help_text="支出类别")
    state = serializers.CharField()
    state_title = serializers.CharField()
    work_item_id = serializers.IntegerField()
    entry_id = serializers.IntegerField(allow_null=True)
    proposed_at = serializers.DateTimeField()
    voucher_url = serializers.CharField()
    actions = serializers.ListField(child=serializers.CharField(), help_text="当前用户可执行的动作")


class PaymentIn(serializers.Serializer[Any]):
    account = serializers.IntegerField()
    amount = serializers.CharField(help_text="元，最多两位小数")
    payee = serializers.CharField()
    purpose = serializers.CharField()
    category = serializers.ChoiceField(
        choices=ExpenditureCategory.choices, required=False, help_text="支出类别，缺省为其他支出"
    )
    voucher = serializers.FileField(
        help_text="原始凭证（JPEG、PNG、WebP 图片或 PDF，不超过 TERRITORIAL_VOUCHER_MAX_MB；必填）"
    )


class EntryIn(serializers.Serializer[Any]):
    account = serializers.IntegerField()
    direction = serializers.ChoiceField(
        choices=[("in", "收入"), ("out", "支出（期初、调整）")], help_text="in 收入；out 仅供期初和调整"
    )
    amount = serializers.CharField(help_text="元，最多两位小数")
    booked_on = serializers.DateField()
    summary = serializers.CharField()
    category = serializers.ChoiceField(
        choices=ExpenditureCategory.choices, required=False, help_text="支出类别（仅支出）"
    )
    voucher = serializers.FileField(
        required=False,
        help_text="凭证（图片或 PDF）：收入须附收据或票据（TERRITORIAL_RECEIPT_VOUCHER_REQUIRED 关闭时可缺）",
    )


class BookedEntryOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    account_id = serializers.IntegerField()
    booked_on = serializers.DateField()
    amount = serializers.CharField(help_text="正数为收入，负数为支出")
    summary = serializers.CharField()
    category = serializers.CharField(allow_blank=True)
    voucher_url = serializers.CharField(allow_null=True)


class ReceiveIn(serializers.Serializer[Any]):
    account = serializers.IntegerField(help_text="收款账户（本合同的集体经济组织的）")
    voucher = serializers.FileField(
        required=False, help_text="收据凭证（图片或 PDF；TERRITORIAL_RECEIPT_VOUCHER_REQUIRED 关闭时可缺）"
    )


class InstalmentOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    contract_id = serializers.IntegerField()
    due_on = serializers.DateField()
    amount = serializers.CharField()
    entry = BookedEntryOut(allow_null=True)


class ReviewIn(serializers.Serializer[Any]):
    reason = serializers.CharField(required=False, allow_blank=True)


class FindingOut(serializers.Serializer[Any]):
    code = serializers.CharField()
    title = serializers.CharField(help_text="预警类型名称")
    village_code = serializers.CharField()
    subject_type = serializers.CharField()
    subject_id = serializers.IntegerField()
    message = serializers.CharField()
    amount = serializers.CharField(allow_null=True)


def account_data(a: Any) -> dict[str, Any]:
    return {"id": a.pk, "name": a.name, "kind": a.kind, "balance": _money(a.balance)}


def contract_data(c: Contract, today: date) -> dict[str, Any]:
    flags = selectors.contract_flags(c, today)
    return {
        "id": c.pk,
        "organisation_id": c.organisation_id,
        "number": c.number,
        "counterparty": selectors.counterparty_label(c),
        "asset_id": c.asset_id,
        "resource_id": c.resource_id,
        "annual_price": _money(c.annual_price),
        "reference_price": _money(c.reference_price),
        "starts_on": c.starts_on,
        "ends_on": c.ends_on,
        "state": c.state,
        "expiring_30": flags.expiring_30,
        "expiring_90": flags.expiring_90,
        "ended": flags.ended,
        "overdue": _money(flags.overdue),
        "below_reference": flags.below_reference,
    }


def payment_data(p: Payment, user: User, *, with_actions: bool = True) -> dict[str, Any]:
    from workflow.access import available_actions

    item = p.work_item
    return {
        "id": p.pk,
        "organisation_id": p.organisation_id,
        "account_id": p.account_id,
        "amount": _money(p.amount),
        "payee": p.payee,
        "purpose": p.purpose,
        "category": p.category,
        "state": item.state,
        "state_title": selectors.state_title(item),
        "work_item_id": item.pk,
        "entry_id": p.entry_id,
        "proposed_at": p.proposed_at,
        "voucher_url": reverse("territorial:payment_voucher", args=[p.pk]),
        "actions": [a.name for a in available_actions(item, user)] if with_actions else [],
    }


# ---------------------------------------------------------------------------------------------- views


class OrganisationsView(APIView):
    @extend_schema(
        operation_id="territorial_organisations",
        summary="集体经济组织及其账户余额（辖区内）",
        responses={200: OrganisationOut(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        rows = selectors.organisations(_user(request)).prefetch_related("accounts")[:LIST_LIMIT]
        data = [
            {
                "id": o.pk,
                "name": o.name,
                "village_code": o.village_code,
                "credit_code": o.credit_code,
                "accounts": [account_data(a) for a in o.accounts.all()],
            }
            for o in rows
        ]
        return Response(OrganisationOut(data, many=True).data)


class LedgerView(APIView):
    @extend_schema(
        operation_id="territorial_ledger",
        summary="一个集体经济组织的账簿：每个账户的明细、逐笔余额与对账结果",
        responses={200: LedgerOut(many=True), **ERRORS},
    )
    def get(self, request: Request, org_id: int) -> Response:
        org = selectors.organisation_for(_user(request), org_id)
        books = [selectors.ledger(a) for a in org.accounts.all()]
        data = [
            {
                "account": account_data(book.account),
                "receipts": _money(book.receipts),
                "payments": _money(book.payments),
                "reconciles": book.reconciles,
                "entries": [
                    {
                        "id": line.entry.pk,
                        "booked_on": line.entry.booked_on,
                        "amount": _money(line.entry.amount),
                        "summary": line.entry.summary,
                        "category": line.entry.category,
                        "balance": _money(line.balance),
                        "payment_id": line.payment.pk if line.payment else None,
                        "voucher_url": _entry_voucher_url(line.entry, line.payment),
                    }
                    for line in book.lines
                ],
            }
            for book in books
        ]
        return Response(LedgerOut(data, many=True).data)


def entry_data(entry: LedgerEntry) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "account_id": entry.account_id,
        "booked_on": entry.booked_on,
        "amount": _money(entry.amount),
        "summary": entry.summary,
        "category": entry.category,
        "voucher_url": _entry_voucher_url(entry),
    }


class EntriesView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="territorial_entry_record",
        summary="记一笔收入（须附收据或票据的凭证：图片或 PDF），或由镇三资办登记期初、调整支出",
        request={"multipart/form-data": EntryIn},
        responses={201: BookedEntryOut, **ERRORS},
    )
    def post(self, request: Request, org_id: int) -> Response:
        user = _user(request)
        org = selectors.organisation_for(user, org_id)
        account = selectors.account_for(user, _integer(request, "account"))
        if account.organisation_id != org.pk:
            raise NotFound(field="account")
        entry = actions.do_record_entry(
            account,
            direction=_field(request, "direction"),
            amount=_field(request, "amount"),
            booked_on=_date(request, "booked_on"),
            summary=_field(request, "summary"),
            category=_field(request, "category"),
            voucher=request.FILES.get("voucher"),
            actor=user,
            now=timezone.now(),
        )
        return Response(BookedEntryOut(entry_data(entry)).data, status=status.HTTP_201_CREATED)


class ReceiveInstalmentView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="territorial_instalment_receive",
        summary="合同租金收款入账（须附收据凭证：图片或 PDF）",
        request={"multipart/form-data": ReceiveIn},
        responses={200: InstalmentOut, **ERRORS},
    )
    def post(self, request: Request, contract_id: int, instalment_id: int) -> Response:
        user = _user(request)
        contract = selectors.contract_for(user, contract_id)
        instalment = contract.instalments.filter(pk=instalment_id).first()
        if instalment is None:
            raise NotFound(field="instalment")
        account = contract.organisation.accounts.filter(pk=_integer(request, "account")).first()
        if account is None:
            raise NotFound(field="account")
        received = contracts.do_receive_instalment(
            instalment, account, voucher=request.FILES.get("voucher"), actor=user, now=timezone.now()
        )
        data = {
            "id": received.pk,
            "contract_id": contract.pk,
            "due_on": received.due_on,
            "amount": _money(received.amount),
            "entry": entry_data(received.entry) if received.entry else None,
        }
        return Response(InstalmentOut(data).data)


class AssetsView(APIView):
    @extend_schema(
        operation_id="territorial_assets",
        summary="资产卡片（辖区内）",
        parameters=[OpenApiParameter("state", OpenApiTypes.STR, description="状态")],
        responses={200: AssetOut(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        rows = selectors.assets(_user(request))
        state = request.query_params.get("state", "").strip()
        if state:
            if state not in selectors.Asset.State.values:
                raise DomainError(
                    "invalid_choice", _("资产状态无效：%(state)r。") % {"state": state}, field="state"
                )
            rows = rows.filter(state=state)
        data = [{**a.__dict__, "value": _money(a.value), "id": a.pk} for a in rows[:LIST_LIMIT]]
        return Response(AssetOut(data, many=True).data)


class ResourcesView(APIView):
    @extend_schema(
        operation_id="territorial_resources",
        summary="集体资源及其范围（GeoJSON 多边形）",
        responses={200: ResourceOut(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        rows = selectors.resources(_user(request))[:LIST_LIMIT]
        data = [{**r.__dict__, "area_mu": _money(r.area_mu), "id": r.pk} for r in rows]
        return Response(ResourceOut(data, many=True).data)


class ContractsView(APIView):
    @extend_schema(
        operation_id="territorial_contracts",
        summary="合同，附到期（30/90 天）、逾期应收与低于参考价提示",
        parameters=[
            OpenApiParameter("expiring_within", OpenApiTypes.INT, description="只列出该天数内到期的"),
        ],
        responses={200: ContractOut(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        today = timezone.localdate()
        rows = selectors.contracts(_user(request)).prefetch_related("instalments")
        within = request.query_params.get("expiring_within", "").strip()
        if within:
            if not within.isdigit() or int(within) > 3660:
                raise DomainError("invalid_number", _("天数须为 0 到 3660 的整数。"), field="expiring_within")
            rows = rows.filter(
                state=Contract.State.ACTIVE,
                ends_on__gte=today,
                ends_on__lte=today + timedelta(days=int(within)),
            )
        data = [contract_data(c, today) for c in rows.order_by("ends_on")[:LIST_LIMIT]]
        return Response(ContractOut(data, many=True).data)


class PaymentsView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="territorial_payments",
        summary="村级资金支出申请（辖区内），可只列出待审批的",
        parameters=[OpenApiParameter("waiting", OpenApiTypes.BOOL, description="只列出待审批的")],
        responses={200: PaymentOut(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        user = _user(request)
        rows = selectors.payments(user).order_by("-proposed_at")
        if request.query_params.get("waiting") in ("1", "true"):
            rows = rows.filter(work_item__state__in=selectors.AWAITING)
        data = [payment_data(p, user, with_actions=False) for p in rows[:LIST_LIMIT]]
        return Response(PaymentOut(data, many=True).data)

    @extend_schema(
        operation_id="territorial_payment_propose",
        summary="提出支出申请（须附原始凭证：图片或 PDF），进入村委会 → 镇三资办审批",
        request={"multipart/form-data": PaymentIn},
        responses={201: PaymentOut, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        user = _user(request)
        payload: Any = request.data
        raw = payload.get("account", "")
        if not str(raw).isdigit():
            raise DomainError("required", _("请选择付款账户。"), field="account")
        account = selectors.account_for(user, int(raw))
        payment = funds.do_propose_payment(
            account,
            amount=payload.get("amount", ""),
            payee=payload.get("payee", ""),
            purpose=payload.get("purpose", ""),
            category=str(payload.get("category", "") or ""),
            voucher=request.FILES.get("voucher"),
            actor=user,
            now=timezone.now(),
        )
        payment = selectors.payment_for(user, payment.pk)
        return Response(PaymentOut(payment_data(payment, user)).data, status=status.HTTP_201_CREATED)


class PaymentView(APIView):
    @extend_schema(
        operation_id="territorial_payment",
        summary="一笔支出申请及当前用户可执行的审批动作",
        responses={200: PaymentOut, **ERRORS},
    )
    def get(self, request: Request, payment_id: int) -> Response:
        user = _user(request)
        return Response(PaymentOut(payment_data(selectors.payment_for(user, payment_id), user)).data)


class PaymentActionView(APIView):
    @extend_schema(
        operation_id="territorial_payment_action",
        summary="审批动作：committee_settle、committee_approve、town_approve、town_refer、leader_approve、reject（须填理由）",
        request=ReviewIn,
        responses={200: PaymentOut, **ERRORS},
    )
    def post(self, request: Request, payment_id: int, action: str) -> Response:
        user = _user(request)
        payment = selectors.payment_for(user, payment_id)
        payload: Any = request.data
        reason = payload.get("reason", "") if isinstance(payload, dict) else ""
        funds.do_review_payment(payment, action, actor=user, now=timezone.now(), reason=str(reason or ""))
        return Response(PaymentOut(payment_data(selectors.payment_for(user, payment_id), user)).data)


class FindingsView(APIView):
    @extend_schema(
        operation_id="territorial_findings",
        summary="三资预警（按今日计算）：合同到期、逾期未收、坐收坐支、大额未审批、拆分支出、无收入合同、低于参考价",
        responses={200: FindingOut(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        found = findings(_user(request), today=timezone.localdate())
        data = [
            {**f.__dict__, "title": selectors.FINDING_LABELS.get(f.code, f.code), "amount": _money(f.amount)}
            for f in found
        ]
        return Response(FindingOut(data, many=True).data)


class DisclosureView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(
        operation_id="territorial_disclosure",
        summary="财务公开（公开，无需登录）：某村某月的收入、支出、合同与资产变动，个人信息已脱敏",
        responses={200: OpenApiTypes.OBJECT, 404: ERROR_ENVELOPE},
    )
    def get(self, request: Request, village_code: str, year: int, month: int) -> Response:
        page = monthly_disclosure(village_code, year, month)
        return Response(
            {
                "village_code": page.village.code,
                "village_name": page.village.name,
                "month": page.month.strftime("%Y-%m"),
                "income": _money(page.income),
                "expenditure": _money(page.expenditure),
                "entries": [{**row, "amount": _money(row.get("amount"))} for row in page.entries],
                "contracts": [
                    {**row, "annual_price": _money(row.get("annual_price"))} for row in page.contracts
                ],
                "asset_changes": [{**row, "value": _money(row.get("value"))} for row in page.asset_changes],
            }
        )
