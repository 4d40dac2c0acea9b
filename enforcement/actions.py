"""Writes of enforcement: officer posts and squad areas, patrol logs, cases (opening, converting a grid
event, every step of the procedure) and the full-process record. Each write is one transaction with its
audit row; every case action also appends a RecordEntry (who, when, sha256 of what was done).

The statutory rules around the engine (processes case_summary / case_ordinary):
- summary procedure: ≥ 2 officers, the matter allows it, a fine ≤ 200 yuan (citizen) / ≤ 3,000 yuan
  (organisation) or a warning (行政处罚法第五十一条);
- discretion: the proposed fine is checked against the matter's band for the recorded level; outside it
  needs a written justification and then the case must pass legal review;
- ordinary procedure limits: the decision within 90 natural days of filing (paused time not counted,
  +30 with the leader's approval: Case.decision_due_at); the legal review 10 working days; preservation
  of evidence 7 days; the hearing window 5 days and the hearing notice 7 days before the hearing
  (working days: 行政处罚法第八十五条); payment within 15 days of service;
- the hearing chair must not have investigated the case.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils.dateparse import parse_datetime
from stdnum.cn import uscc

from accounts.jurisdiction import may_see_code, user_roles
from accounts.models import OrgUnit, Role, User
from audit.actions import record_event
from core import pii
from core.errors import Conflict, DomainError, NotFound, PermissionRefused, Unprocessable
from core.idnumbers import is_valid_citizen_id
from core.pdf import content_hash
from enforcement.deadlines import extend_for_pause
from enforcement.documents import district_abbreviation, town_abbreviation
from enforcement.models import (
    Case,
    CaseDocument,
    CaseOfficer,
    CaseOfficerRole,
    CaseSource,
    CircumstanceLevel,
    EnforcementMatter,
    OfficerPost,
    PartyKind,
    PatrolCheck,
    PatrolKind,
    PatrolLog,
    Procedure,
    RecordEntry,
    RecordKind,
    ServiceMethod,
    ServiceRecord,
    SquadArea,
)
from enforcement.selectors import CASE_SUBJECT, band_for, squad_for_code, within_band
from grid.events.steps import do_event_action
from grid.models import GridEvent
from territory.locate import locate
from territory.models import Division, EnforcementZone, Grid
from territory.zones import check_zone_size
from workcalendar.service import LOCAL_TZ, add_duration
from workflow.actors import system_actor
from workflow.engine import do_start_item, transition
from workflow.models import WorkItem

SUMMARY_LIMITS = {PartyKind.NATURAL: Decimal(200), PartyKind.LEGAL: Decimal(3000)}
DECISION_DAYS = 90
EXTENSION_DAYS = 30
LEGAL_REVIEW_WORK_DAYS = 10
PRESERVATION_DAYS = 7
HEARING_WINDOW_WORK_DAYS = 5
HEARING_NOTICE_WORK_DAYS = 7
PAYMENT_DAYS = 15
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
PROCESS_OF = {Procedure.SUMMARY: "case_summary", Procedure.ORDINARY: "case_ordinary"}
INVESTIGATING_ROLES = (CaseOfficerRole.LEAD, CaseOfficerRole.ASSIST, CaseOfficerRole.INVESTIGATOR)
# Actions only the case's own officers may take when the actor is an officer (not a squad leader).
CASE_TEAM_ONLY = {Role.OFFICER.value}
ENDING_STATES = {"archived", "not_filed", "dropped"}
# Where a case arrives decides what its grid event does (the event waits in `enforcement`): closed with
# the case (结案 → archiving), or back to the dispatcher when no case is filed — (action, reason heading).
GRID_FOLLOW = {
    "archiving": ("enforcement_closed", ""),
    "not_filed": ("enforcement_returned", "执法案件未立案"),
    "dropped": ("enforcement_returned", "执法案件未立案"),
}
NUMBERING_ACTIONS = {"approve_filing", "decide", "decide_on_spot", "archive"}


def _hash_json(data: Any) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _local_date(moment: datetime) -> Any:
    return moment.astimezone(LOCAL_TZ).date()


def end_of_day_after(moment: datetime, days: int) -> datetime:
    """The end (23:59:59 local) of the local day `days` natural days after `moment`'s."""
    return add_duration(moment, days, "natural_days").at


def end_of_work_days_after(moment: datetime, days: int) -> datetime:
    return add_duration(moment, days, "work_days").at


# ---------------------------------------------------------------------------------------------- parsing


def parse_money(value: Any, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise DomainError("invalid", "金额须为数字。", field=field) from None
    if not amount.is_finite() or amount < 0 or amount > Decimal("100000000"):
        raise DomainError("invalid", "金额须为 0 至 1 亿元之间的数字。", field=field)
    return amount.quantize(Decimal("0.01"))


def _parse_moment(value: Any, field: str) -> datetime:
    moment = parse_datetime(str(value or ""))
    if moment is None or moment.tzinfo is None:
        raise DomainError("invalid", "须为带时区的日期时间（ISO 8601）。", field=field)
    return moment


def _user(username: Any, field: str) -> User:
    user = User.objects.filter(username=str(username or ""), is_active=True).first()
    if user is None:
        raise DomainError("invalid", f"用户不存在：{username}", field=field)
    return user


# ---------------------------------------------------------------------------------------------- record


def append_record(
    case: Case,
    *,
    step: str,
    title: str,
    actor: User,
    now: datetime,
    kind: str = RecordKind.NOTE,
    meta: dict[str, Any] | None = None,
    upload: UploadedFile | None = None,
) -> RecordEntry:
    """Append one entry to the case's full-process record (inside the caller's transaction). A file's
    hash is the sha256 of its bytes; an entry without a file hashes its canonical content."""
    meta = _jsonable(dict(meta or {}))
    last = RecordEntry.objects.filter(case=case).aggregate(last=Max("seq"))["last"] or 0
    entry = RecordEntry(
        case=case, seq=last + 1, step=step, kind=kind, title=title[:200], actor=actor, at=now, meta=meta
    )
    if upload is not None:
        data = upload.read()
        entry.content_hash = content_hash(data)
        entry.meta = {**meta, "filename": upload.name, "size": len(data)}
        upload.seek(0)
        entry.file.save(f"{last + 1:04d}-{entry.content_hash[:12]}-{upload.name}", upload, save=False)
    else:
        entry.content_hash = _hash_json(
            {
                "case": case.pk,
                "seq": entry.seq,
                "step": step,
                "title": title,
                "actor": actor.username,
                "at": now.isoformat(),
                "meta": meta,
            }
        )
    entry.save()
    return entry


def check_upload(upload: UploadedFile, field: str = "file") -> None:
    if upload.size is None or upload.size == 0:
        raise DomainError("invalid", "文件为空。", field=field)
    if upload.size > MAX_UPLOAD_BYTES:
        raise DomainError("invalid", "文件超过 200MB。", field=field)


def do_add_record(
    case: Case,
    *,
    kind: str,
    title: str,
    actor: User,
    now: datetime,
    upload: UploadedFile | None = None,
    note: str = "",
) -> RecordEntry:
    """记录: a transcript, photo, audio, video, evidence or note added to the case's current step by one
    of its officers (or the squad leader). Files carry their sha256."""
    _require_case_access(case, actor)
    _require_team(case, actor)
    if kind not in RecordKind.values or kind == RecordKind.DOCUMENT:
        raise DomainError("invalid", "记录类型无效。", field="kind")
    if not title.strip():
        raise DomainError("required", "请填写标题。", field="title")
    if kind in (RecordKind.PHOTO, RecordKind.AUDIO, RecordKind.VIDEO) and upload is None:
        raise DomainError("required", "照片、录音、录像须上传文件。", field="file")
    if upload is not None:
        check_upload(upload)
    item = WorkItem.objects.filter(pk=case.work_item_id or 0).first()
    if item is None or item.closed_at is not None:
        raise Conflict("case_closed", "案件已办结，全过程记录不能再追加。")
    with transaction.atomic():
        entry = append_record(
            case,
            step=item.state,
            title=title.strip(),
            actor=actor,
            now=now,
            kind=kind,
            meta={"note": note.strip()} if note.strip() else {},
            upload=upload,
        )
        record_event(
            actor=actor,
            action="enforcement.add_record",
            subject=entry,
            territory_code=case.territory_code,
            after={"case": case.pk, "seq": entry.seq, "kind": kind, "content_hash": entry.content_hash},
            now=now,
        )
    return entry


# ---------------------------------------------------------------------------------------------- squads


def _require_admin(actor: User, code: str) -> None:
    roles = user_roles(actor)
    if not actor.is_system and not (roles & {Role.SQUAD_LEADER, Role.LEADER, Role.DATA_STEWARD}):
        raise PermissionRefused("not_allowed", "只有中队长、领导或数据管理员可以维护执法岗位。")
    if not actor.is_system and not may_see_code(actor, code):
        raise NotFound(field="squad")


def do_set_squad_area(squad: OrgUnit, zone: EnforcementZone, *, actor: User, now: datetime) -> SquadArea:
    """The squad covers the zone (2–6 villages of its town)."""
    _require_admin(actor, squad.territory_code)
    if squad.kind != OrgUnit.Kind.SQUAD:
        raise DomainError("invalid", "只能为执法中队设置片区。", field="squad")
    if zone.town_id != squad.territory_code[:9]:
        raise DomainError("invalid", "片区不在中队所属镇（街道）。", field="zone")
    check_zone_size(zone.villages.count(), field="zone")
    with transaction.atomic():
        area, _created = SquadArea.objects.update_or_create(zone=zone, defaults={"squad": squad})
        record_event(
            actor=actor,
            action="enforcement.set_squad_area",
            subject=area,
            territory_code=squad.territory_code,
            after={"squad": squad.code, "zone": zone.code},
            now=now,
        )
    return area


def do_post_officer(
    officer: User,
    squad: OrgUnit,
    grid_codes: Sequence[str],
    *,
    actor: User,
    now: datetime,
    is_leader: bool = False,
) -> OfficerPost:
    """Post an officer to a squad and to grids of the squad's town (巡查在内)."""
    _require_admin(actor, squad.territory_code)
    if squad.kind != OrgUnit.Kind.SQUAD:
        raise DomainError("invalid", "只能派驻到执法中队。", field="squad")
    grids = list(Grid.objects.filter(code__in=list(grid_codes)))
    if len(grids) != len(set(grid_codes)):
        raise DomainError("invalid", "网格代码不存在。", field="grids")
    if any(not g.code.startswith(squad.territory_code[:9]) for g in grids):
        raise DomainError("invalid", "网格不在中队所属镇（街道）。", field="grids")
    with transaction.atomic():
        post, _created = OfficerPost.objects.update_or_create(
            officer=officer, squad=squad, defaults={"is_leader": is_leader, "active": True, "started_at": now}
        )
        post.grids.set(grids)
        record_event(
            actor=actor,
            action="enforcement.post_officer",
            subject=post,
            territory_code=squad.territory_code,
            after={"officer": officer.username, "squad": squad.code, "grids": sorted(g.code for g in grids)},
            now=now,
        )
    return post


# ---------------------------------------------------------------------------------------------- patrols


def _officer_post(actor: User) -> OfficerPost:
    post = OfficerPost.objects.select_related("squad").filter(officer=actor, active=True).first()
    if post is None:
        raise PermissionRefused("not_allowed", "您没有执法岗位，不能记录执法巡查。")
    return post


def do_start_patrol_log(*, kind: str, actor: User, now: datetime) -> PatrolLog:
    if kind not in PatrolKind.values:
        raise DomainError("invalid", "巡查方式须为定点值守或流动巡查。", field="kind")
    post = _officer_post(actor)
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=actor.pk).first()
        if PatrolLog.objects.filter(officer=actor, ended_at__isnull=True).exists():
            raise Conflict("patrol_open", "您有一次巡查尚未结束。")
        log = PatrolLog.objects.create(
            officer=actor,
            squad=post.squad,
            kind=kind,
            territory_code=post.squad.territory_code,
            started_at=now,
        )
        record_event(
            actor=actor,
            action="enforcement.start_patrol",
            subject=log,
            territory_code=log.territory_code,
            after={"kind": kind},
            now=now,
        )
    return log


def _own_open_log(log: PatrolLog, actor: User) -> None:
    if log.officer_id != actor.pk:
        raise NotFound("未找到该巡查。", field="patrol")
    if log.ended_at is not None:
        raise Conflict("patrol_closed", "该巡查已结束。")


def do_add_patrol_check(
    log: PatrolLog,
    *,
    actor: User,
    now: datetime,
    checkpoint: str = "",
    lon: float | None = None,
    lat: float | None = None,
    finding: str = "",
) -> PatrolCheck:
    """A point of the round: time, position (located to its grid) and what was found."""
    _own_open_log(log, actor)
    if log.kind == PatrolKind.CHECKPOINT and not checkpoint.strip():
        raise DomainError("required", "定点值守须填写点位。", field="checkpoint")
    grid: Grid | None = None
    if lon is not None and lat is not None:
        grid = Grid.objects.get(code=locate(lon, lat).grid_code)
        if not grid.code.startswith(log.territory_code):
            raise DomainError("invalid", "该位置不在本中队所属镇（街道）。", field="lon")
    with transaction.atomic():
        check = PatrolCheck.objects.create(
            log=log,
            at=now,
            checkpoint=checkpoint.strip(),
            lon=lon,
            lat=lat,
            grid=grid,
            finding=finding.strip(),
        )
        record_event(
            actor=actor,
            action="enforcement.patrol_check",
            subject=check,
            territory_code=grid.code if grid else log.territory_code,
            after={"log": log.pk, "checkpoint": check.checkpoint, "finding": bool(check.finding)},
            now=now,
        )
    return check


def do_end_patrol_log(log: PatrolLog, *, actor: User, now: datetime, summary: str = "") -> PatrolLog:
    _own_open_log(log, actor)
    with transaction.atomic():
        log.ended_at = now
        log.summary = summary.strip()
        log.save(update_fields=["ended_at", "summary"])
        record_event(
            actor=actor,
            action="enforcement.end_patrol",
            subject=log,
            territory_code=log.territory_code,
            after={"checks": log.checks.count()},
            now=now,
        )
    return log


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


# ---------------------------------------------------------------------------------------------- actions


def _require_case_access(case: Case, actor: User) -> None:
    if not actor.is_system and not may_see_code(actor, case.territory_code):
        raise NotFound("未找到该案件。", field="case")


def _on_team(case: Case, actor: User) -> bool:
    return CaseOfficer.objects.filter(case=case, officer=actor).exists()


def _require_team(case: Case, actor: User) -> None:
    """An officer acts only on cases they work on; squad leaders, leaders and reviewers on any case in
    their jurisdiction (their role decides what they may do)."""
    if actor.is_system:
        return
    roles = user_roles(actor)
    if roles and roles <= CASE_TEAM_ONLY and not _on_team(case, actor):
        raise PermissionRefused("not_allowed", "只有本案的办案人员可以操作。")


def may_act(case: Case, actor: User) -> bool:
    if actor.is_system:
        return True
    roles = user_roles(actor)
    return not (roles and roles <= CASE_TEAM_ONLY and not _on_team(case, actor))


def _next_serial(town_code: str, field: str, prefix: str) -> int:
    existing = Case.objects.filter(town_code=town_code, **{f"{field}__startswith": prefix}).count()
    return existing + 1


def _filing_number(case: Case, now: datetime) -> str:
    """立案编号: 相黄综执立字〔2026〕第0001号 (the documents' scheme, serial per town and year)."""
    year = _local_date(now).year
    prefix = f"{district_abbreviation(case.town_code)}{town_abbreviation(case.town_code)}综执立字〔{year}〕"
    serial = _next_serial(case.town_code, "number", prefix)
    return f"{prefix}第{serial:04d}号"


def _archive_number(case: Case, now: datetime) -> str:
    year = _local_date(now).year
    prefix = f"{year}"
    serial = _next_serial(case.town_code, "archive_number", prefix)
    return f"{prefix}{serial:04d}"


def _add_paused_time(case: Case, item: WorkItem, now: datetime) -> None:
    if item.paused_at is not None and case.decision_due_at is not None:
        case.decision_due_at = extend_for_pause(case.decision_due_at, item.paused_at, now)


def _latest_document(case: Case, kinds: Sequence[str]) -> CaseDocument | None:
    return (
        CaseDocument.objects.filter(case=case, kind__in=list(kinds)).order_by("-generated_at", "-id").first()
    )


def _serve(
    case: Case, inputs: dict[str, Any], *, actor: User, now: datetime, kinds: Sequence[str]
) -> ServiceRecord:
    method = str(inputs.get("method") or "")
    if method not in ServiceMethod.values:
        raise DomainError("invalid", "送达方式须为七种法定方式之一。", field="inputs.method")
    recipient = str(inputs.get("recipient") or case.party_name).strip()[:200]
    place = str(inputs.get("place") or case.party_address).strip()[:300]
    document = _latest_document(case, kinds)
    receipt = {
        "case": case.pk,
        "document": document.content_hash if document else kinds[0],
        "method": method,
        "recipient": recipient,
        "place": place,
        "served_at": now.isoformat(),
        "actor": actor.username,
    }
    service = ServiceRecord.objects.create(
        case=case,
        document=document,
        document_kind=document.kind if document else kinds[0],
        method=method,
        served_at=now,
        recipient=recipient,
        place=place,
        receipt_hash=_hash_json(receipt),
        actor=actor,
    )
    case.served_at = now
    if case.fine_amount:
        case.payment_due_at = end_of_day_after(now, PAYMENT_DAYS)
    return service


def do_case_action(
    case: Case,
    action: str,
    *,
    actor: User,
    now: datetime,
    reason: str = "",
    inputs: dict[str, Any] | None = None,
    expected_version: int | None = None,
) -> Case:
    """Enforcement's door to a case step: the engine takes `action`, running the step's statutory checks,
    case fields and record entry bound in `enforcement.case_steps` (the same path as every other door).
    Refusals: 404 outside jurisdiction, 409 wrong state/stale/limits, 403 role or not on the case,
    400/422 with the field."""
    _require_case_access(case, actor)
    if case.work_item_id is None:
        raise Conflict("invalid_transition", "该案件没有办件。")
    item = WorkItem.objects.select_related("process_version").get(pk=case.work_item_id)
    transition(
        item,
        action,
        actor=actor,
        now=now,
        reason=reason,
        inputs=dict(inputs or {}),
        expected_version=expected_version,
    )
    return Case.objects.select_related("matter", "work_item", "grid_event").get(pk=case.pk)


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, datetime):
            out[key] = value.isoformat()
        elif isinstance(value, Decimal):
            out[key] = str(value)
        elif isinstance(value, str | int | float | bool | list | dict) or value is None:
            out[key] = value
        else:
            out[key] = str(value)
    return out


def do_add_case_officer(case: Case, officer: User, *, role: str, actor: User, now: datetime) -> CaseOfficer:
    """Add an officer to the case (协办/调查人员) — by the squad leader or the lead officer."""
    _require_case_access(case, actor)
    if role not in (CaseOfficerRole.ASSIST, CaseOfficerRole.INVESTIGATOR):
        raise DomainError("invalid", "只能增加协办或调查人员。", field="role")
    if (
        not actor.is_system
        and actor.pk != case.lead_officer_id
        and Role.SQUAD_LEADER.value not in user_roles(actor)
    ):
        raise PermissionRefused("not_allowed", "只有主办队员或中队长可以增加办案人员。")
    _officers([officer.username], case.town_code)
    if case.hearing_chair_id == officer.pk:
        raise Unprocessable("chair_investigated", "听证主持人不能参与本案调查。", field="officer")
    with transaction.atomic():
        row, _created = CaseOfficer.objects.get_or_create(case=case, officer=officer, role=role)
        append_record(
            case,
            step="add_officer",
            title=f"增加办案人员：{officer}",
            actor=actor,
            now=now,
            meta={"officer": officer.username, "role": role},
        )
        record_event(
            actor=actor,
            action="enforcement.add_case_officer",
            subject=case,
            territory_code=case.territory_code,
            after={"officer": officer.username, "role": role},
            now=now,
        )
    return row


def do_preserve_evidence(case: Case, *, items: str, actor: User, now: datetime) -> Case:
    """证据先行登记保存: the officers must decide what to do with the goods within 7 days."""
    _require_case_access(case, actor)
    _require_team(case, actor)
    if not items.strip():
        raise DomainError("required", "请填写登记保存的物品。", field="items")
    state = WorkItem.objects.filter(pk=case.work_item_id or 0).values_list("state", flat=True).first()
    if state != "investigating":
        raise Conflict("invalid_transition", "只有调查取证阶段可以先行登记保存证据。", field="action")
    if case.preserved_at is not None and case.preservation_handled_at is None:
        raise Conflict("preservation_open", "已有先行登记保存的证据尚未处理。")
    with transaction.atomic():
        case.preserved_at = now
        case.preservation_due_at = end_of_work_days_after(now, PRESERVATION_DAYS)
        case.preservation_handled_at = None
        case.updated_at = now
        case.save(
            update_fields=["preserved_at", "preservation_due_at", "preservation_handled_at", "updated_at"]
        )
        append_record(
            case,
            step="preserve_evidence",
            title="证据先行登记保存",
            actor=actor,
            now=now,
            kind=RecordKind.EVIDENCE,
            meta={"items": items.strip(), "due_at": case.preservation_due_at.isoformat()},
        )
        record_event(
            actor=actor,
            action="enforcement.preserve_evidence",
            subject=case,
            territory_code=case.territory_code,
            after={"due_at": case.preservation_due_at},
            now=now,
        )
    return case


def do_handle_preservation(case: Case, *, decision: str, actor: User, now: datetime) -> Case:
    """The decision on preserved evidence (return, confiscate, inspect…); late after 7 working days."""
    _require_case_access(case, actor)
    _require_team(case, actor)
    if case.preserved_at is None or case.preservation_handled_at is not None:
        raise Conflict("no_preservation", "没有待处理的先行登记保存证据。")
    if not decision.strip():
        raise DomainError("required", "请填写处理决定。", field="decision")
    late = case.preservation_due_at is not None and now > case.preservation_due_at
    with transaction.atomic():
        case.preservation_handled_at = now
        case.updated_at = now
        case.save(update_fields=["preservation_handled_at", "updated_at"])
        append_record(
            case,
            step="handle_preservation",
            title="登记保存证据处理决定",
            actor=actor,
            now=now,
            kind=RecordKind.EVIDENCE,
            meta={"decision": decision.strip(), "late": late},
        )
        record_event(
            actor=actor,
            action="enforcement.handle_preservation",
            subject=case,
            territory_code=case.territory_code,
            after={"late": late},
            now=now,
        )
    return case
