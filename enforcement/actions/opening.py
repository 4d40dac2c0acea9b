"""Opening a case — by an officer, from a grid event (转执法) or from a patrol check — with the summary
procedure's limits and the discretion band checked."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from stdnum.cn import uscc

from accounts.jurisdiction import may_see_code, user_roles
from accounts.models import Role, User
from audit.actions import record_event
from core import pii
from core.errors import Conflict, DomainError, NotFound, PermissionRefused, Unprocessable
from core.idnumbers import is_valid_citizen_id
from enforcement.actions.common import PROCESS_OF, SUMMARY_LIMITS, _user, parse_money
from enforcement.actions.record import append_record
from enforcement.models import (
    Case,
    CaseOfficer,
    CaseOfficerRole,
    CaseSource,
    CircumstanceLevel,
    EnforcementMatter,
    PartyKind,
    PatrolCheck,
    Procedure,
)
from enforcement.selectors import CASE_SUBJECT, band_for, squad_for_code, within_band
from grid.events.steps import do_event_action
from grid.models import GridEvent
from territory.locate import locate
from territory.models import Division, Grid
from workflow.actors import system_actor
from workflow.start import do_start_item

# ---------------------------------------------------------------------------------------------- opening


def check_discretion(matter: EnforcementMatter, level: str, fine: Decimal | None, justification: str) -> bool:
    """True when the fine is outside the band of `level` (then a written justification is required)."""
    if level not in CircumstanceLevel.values:
        raise DomainError("invalid", "裁量阶次须为从轻、一般或从重。", field="circumstance_level")
    band = band_for(matter, level)
    if fine is None or band is None:
        return False
    if within_band(band, fine):
        return False
    if not justification.strip():
        low = "不限" if band.fine_min is None else f"{band.fine_min}"
        high = "不限" if band.fine_max is None else f"{band.fine_max}"
        raise Unprocessable(
            "outside_band",
            f"拟罚款 {fine} 元超出“{band.get_level_display()}”裁量基准（{low}–{high} 元），"
            "须填写书面理由并经法制审核。",
            field="discretion_justification",
        )
    return True


def check_summary_limit(party_kind: str, fine: Decimal | None) -> None:
    limit = SUMMARY_LIMITS[PartyKind(party_kind)]
    if fine is not None and fine > limit:
        who = "公民" if party_kind == PartyKind.NATURAL else "法人或其他组织"
        raise Unprocessable(
            "summary_limit",
            f"简易程序对{who}罚款不得超过 {limit:.0f} 元（行政处罚法第五十一条），"
            f"本案拟罚款 {fine} 元，请适用普通程序。",
            field="proposed_fine",
        )


def _clean_party(data: dict[str, Any]) -> dict[str, Any]:
    kind = str(data.get("party_kind") or "")
    if kind not in PartyKind.values:
        raise DomainError("invalid", "当事人类型须为自然人或法人/其他组织。", field="party_kind")
    name = str(data.get("party_name") or "").strip()
    if not name:
        raise DomainError("required", "请填写当事人。", field="party_name")
    out: dict[str, Any] = {"party_kind": kind, "party_name": name[:200]}
    number = str(data.get("party_number") or "").strip().upper()
    credit = str(data.get("party_credit_code") or "").strip().upper()
    if kind == PartyKind.NATURAL:
        if number:
            if not is_valid_citizen_id(number):
                raise DomainError("invalid", "身份证号码无效。", field="party_number")
            out["party_number_enc"] = pii.encrypt(number)
            out["party_number_hash"] = pii.lookup_hash(number)
    else:
        if not credit or not uscc.is_valid(credit):
            raise DomainError("invalid", "请填写有效的统一社会信用代码。", field="party_credit_code")
        out["party_credit_code"] = credit
    phone = str(data.get("party_phone") or "").strip()
    if phone:
        if not phone.isdigit() or not 7 <= len(phone) <= 12:
            raise DomainError("invalid", "联系电话无效。", field="party_phone")
        out["party_phone_enc"] = pii.encrypt(phone)
    out["party_address"] = str(data.get("party_address") or "").strip()[:300]
    return out


def _officers(usernames: Sequence[Any], case_town: str) -> list[User]:
    users: list[User] = []
    for name in usernames:
        user = _user(name, "officers")
        roles = user_roles(user)
        if not roles & {Role.OFFICER, Role.SQUAD_LEADER} or not may_see_code(user, case_town):
            raise DomainError("invalid", f"{user} 不是本镇（街道）的执法人员。", field="officers")
        if user not in users:
            users.append(user)
    return users


def _place(data: dict[str, Any]) -> tuple[str, float | None, float | None]:
    lon, lat = data.get("lon"), data.get("lat")
    code = str(data.get("territory_code") or "").strip()
    if lon not in (None, "") and lat not in (None, ""):
        try:
            flon, flat = float(lon), float(lat)
        except (TypeError, ValueError):
            raise DomainError("invalid", "经纬度须为数字。", field="lon") from None
        return (code or locate(flon, flat).grid_code), flon, flat
    if not code:
        raise DomainError("required", "请提供违法地点的网格代码或经纬度。", field="territory_code")
    if not (
        Grid.objects.filter(code=code).exists()
        or Division.objects.filter(code=code, level="village").exists()
    ):
        raise DomainError("invalid", "网格/村（社区）代码不存在。", field="territory_code")
    return code, None, None


def do_open_case(
    data: dict[str, Any],
    *,
    actor: User,
    now: datetime,
    grid_event: GridEvent | None = None,
) -> Case:
    """登记案件. `data`: procedure, source, matter (code), territory_code or lon/lat, address, the party
    (party_kind, party_name, party_number for a citizen, party_credit_code for an organisation,
    party_address, party_phone), facts, circumstance_level, circumstances, proposed_fine,
    proposed_measures, discretion_justification, is_major, officers (usernames; the first is the lead).
    A summary case needs ≥ 2 officers, a matter that allows it and a fine within the legal limit."""
    procedure = str(data.get("procedure") or "")
    if procedure not in Procedure.values:
        raise DomainError("invalid", "程序须为简易程序或普通程序。", field="procedure")
    source = str(data.get("source") or "")
    if source not in CaseSource.values:
        raise DomainError("invalid", "案件来源无效。", field="source")
    if (source == CaseSource.GRID_EVENT) != (grid_event is not None):
        raise DomainError("invalid", "网格事件转办须由调度员从事件转入。", field="source")
    matter = (
        EnforcementMatter.objects.prefetch_related("bands")
        .filter(code=str(data.get("matter") or ""), active=True)
        .first()
    )
    if matter is None:
        raise DomainError("invalid", "执法事项不存在或已停用。", field="matter")
    code, lon, lat = _place(data)
    if not actor.is_system and not may_see_code(actor, code):
        raise NotFound(field="territory_code")
    party = _clean_party(data)
    level = str(data.get("circumstance_level") or CircumstanceLevel.ORDINARY)
    fine = parse_money(data.get("proposed_fine"), "proposed_fine")
    justification = str(data.get("discretion_justification") or "").strip()
    outside = check_discretion(matter, level, fine, justification)
    raw_officers = data.get("officers") or []
    if not isinstance(raw_officers, list):
        raise DomainError("invalid", "办案人员须为用户名列表。", field="officers")
    officers = _officers(raw_officers, code[:9])
    if not officers and Role.OFFICER.value in user_roles(actor):
        officers = [actor]
    if procedure == Procedure.SUMMARY:
        if not matter.summary_allowed:
            raise Unprocessable("summary_not_allowed", "该执法事项不适用简易程序。", field="matter")
        if len(officers) < 2:
            raise Unprocessable("officers_required", "简易程序须有两名以上执法人员在场。", field="officers")
        check_summary_limit(party["party_kind"], fine)
        if outside:
            raise Unprocessable(
                "outside_band", "超出裁量基准的处罚须经法制审核，不适用简易程序。", field="proposed_fine"
            )
    if not officers:
        raise DomainError("required", "请指定主办执法人员。", field="officers")
    squad = squad_for_code(code)
    if squad is None:
        raise Unprocessable("no_squad", "该地点没有负责的执法中队。", field="territory_code")
    is_major = bool(data.get("is_major")) or outside
    with transaction.atomic():
        case = Case.objects.create(
            procedure=procedure,
            source=source,
            source_detail=str(data.get("source_detail") or "").strip(),
            matter=matter,
            town_code=code[:9],
            territory_code=code,
            address=str(data.get("address") or "").strip()[:300],
            lon=lon,
            lat=lat,
            facts=str(data.get("facts") or "").strip(),
            circumstance_level=level,
            circumstances=str(data.get("circumstances") or "").strip(),
            proposed_fine=fine,
            proposed_measures=str(data.get("proposed_measures") or "").strip(),
            discretion_justification=justification,
            outside_band=outside,
            is_major=is_major,
            needs_discussion=bool(data.get("needs_discussion")) or bool(data.get("is_major")),
            squad=squad,
            lead_officer=officers[0],
            grid_event=grid_event,
            created_by=actor,
            created_at=now,
            updated_at=now,
            **party,
        )
        CaseOfficer.objects.bulk_create(
            [
                CaseOfficer(
                    case=case,
                    officer=officer,
                    role=CaseOfficerRole.LEAD if i == 0 else CaseOfficerRole.ASSIST,
                )
                for i, officer in enumerate(officers)
            ]
        )
        item = do_start_item(
            PROCESS_OF[Procedure(procedure)],
            actor=actor,
            now=now,
            title=f"{matter.name}（{party['party_name']}）",
            territory_code=code,
            subject_type=CASE_SUBJECT,
            subject_id=str(case.pk),
            assigned_unit=squad,
        )
        case.work_item = item
        case.save(update_fields=["work_item"])
        append_record(
            case,
            step="start",
            title="案件登记",
            actor=actor,
            now=now,
            meta={
                "procedure": procedure,
                "source": source,
                "matter": matter.code,
                "officers": [o.username for o in officers],
                "proposed_fine": fine,
                "outside_band": outside,
            },
        )
        record_event(
            actor=actor,
            action="enforcement.open_case",
            subject=case,
            territory_code=code,
            after={"procedure": procedure, "source": source, "matter": matter.code, "work_item": item.pk},
            now=now,
        )
    return case


def do_convert_grid_event(event: GridEvent, data: dict[str, Any], *, actor: User, now: datetime) -> Case:
    """转执法: the dispatcher turns a grid event into an ordinary case (source grid_event); the event goes
    to 转执法办理 and closes when the case closes."""
    if not may_see_code(actor, event.territory_code):
        raise NotFound("未找到该事件。", field="event")
    if Role.DISPATCHER.value not in user_roles(actor):
        raise PermissionRefused("not_allowed", "只有调度员可以将网格事件转为执法案件。")
    if Case.objects.filter(grid_event=event).exists():
        raise Conflict("already_converted", "该事件已转为执法案件。")
    payload = {
        "procedure": Procedure.ORDINARY,
        "source": CaseSource.GRID_EVENT,
        "territory_code": event.grid_id,
        "lon": event.lon,
        "lat": event.lat,
        "address": event.address,
        "facts": event.description,
        "source_detail": f"网格事件 {event.receipt_number}：{event.title}",
        **data,
    }
    payload["territory_code"] = event.grid_id
    payload["source"] = CaseSource.GRID_EVENT
    with transaction.atomic():
        do_event_action(
            event,
            "to_enforcement",
            actor=system_actor(),
            now=now,
            inputs={"matter": str(data.get("matter")), "by": actor.username},
        )
        case = do_open_case(payload, actor=actor, now=now, grid_event=event)
    return case


def do_case_from_patrol(check: PatrolCheck, data: dict[str, Any], *, actor: User, now: datetime) -> Case:
    """A patrol finding becomes a case (source patrol)."""
    if check.log.officer_id != actor.pk:
        raise NotFound("未找到该巡查记录。", field="check")
    if check.case_id is not None:
        raise Conflict("already_converted", "该巡查发现已立案。")
    payload = {"source": CaseSource.PATROL, "facts": check.finding, **data}
    if check.lon is not None and check.lat is not None and not payload.get("territory_code"):
        payload.setdefault("lon", check.lon)
        payload.setdefault("lat", check.lat)
    elif check.grid_id and not payload.get("territory_code"):
        payload["territory_code"] = check.grid_id
    payload["source"] = CaseSource.PATROL
    with transaction.atomic():
        case = do_open_case(payload, actor=actor, now=now)
        check.case = case
        check.save(update_fields=["case"])
    return case
