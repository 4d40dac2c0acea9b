"""Demo enforcement data: the matter catalogue, a squad area per enforcement zone, officer posts for
every squad (is_demo officers added where a squad has fewer than four), a legal reviewer per staffed
town, and ~40 cases in 黄桥 and 望亭 walked through the real actions with back-dated times: summary and
ordinary, some with hearings, several archived, some steps on time and some late (the evaluation
helper scores officers from them). As in the live procedure, the officers make each step's documents
(文书) when they do the step, through the same action as the case page's 制作文书 form: an archived demo
case has its filing form, transcript, notices, decision, service receipt and closing report, and its
case file. Idempotent: a second run creates nothing and returns zeros."""

from __future__ import annotations

import contextlib
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction

from accounts import actions as accounts_actions
from accounts.models import Assignment, OrgUnit, Role, User
from enforcement.actions import (
    do_add_record,
    do_case_action,
    do_open_case,
    do_post_officer,
    do_set_squad_area,
)
from enforcement.cases.document_actions import do_generate_document
from enforcement.catalogue import seed_catalogue
from enforcement.models import Case, EnforcementMatter, OfficerPost, SquadArea
from territory.models import EnforcementZone, Grid
from workcalendar.service import LOCAL_TZ, add_working_days

DEMO_MARK = "[演示]"
CASE_TOWNS = ("320507003", "320507100")  # 黄桥, 望亭: the staffed model towns
CASES_PER_TOWN = 20
MIN_OFFICERS = 4
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静磊强军洋勇艳杰涛明超秀霞平刚桂英华"


def _name(seed: int) -> str:
    return (
        SURNAMES[seed % len(SURNAMES)] + GIVEN[(seed * 7) % len(GIVEN)] + GIVEN[(seed * 3 + 1) % len(GIVEN)]
    )


def _squad_of(zone: EnforcementZone) -> OrgUnit | None:
    return OrgUnit.objects.filter(code=f"{zone.code}-squad", kind=OrgUnit.Kind.SQUAD).first()


def _members(squad: OrgUnit, role: str) -> list[User]:
    ids = Assignment.objects.filter(org_unit=squad, role=role, active=True).values_list("user_id", flat=True)
    return list(User.objects.filter(pk__in=ids).order_by("username"))


def _staff(now: datetime, system: User) -> int:
    """Officers up to four per squad, and a legal reviewer per staffed town."""
    specs: list[accounts_actions.StaffSpec] = []
    for squad in OrgUnit.objects.filter(kind=OrgUnit.Kind.SQUAD).order_by("code"):
        have = len(_members(squad, Role.OFFICER))
        for n in range(have + 1, MIN_OFFICERS + 1):
            username = f"officer_{squad.code}_{n}"
            specs.append(
                accounts_actions.StaffSpec(
                    username, _name(sum(map(ord, username))), squad.code, Role.OFFICER, is_demo=True
                )
            )
    for town in CASE_TOWNS:
        unit = OrgUnit.objects.filter(code=f"{town}-enforcement").first()
        if unit is not None:
            username = f"legal_{town}"
            specs.append(
                accounts_actions.StaffSpec(
                    username, _name(int(town[-3:]) + 7), unit.code, Role.LEGAL_REVIEWER, is_demo=True
                )
            )
    existing = set(
        User.objects.filter(username__in=[s.username for s in specs]).values_list("username", flat=True)
    )
    todo = [s for s in specs if s.username not in existing]
    if not todo:
        return 0
    return len(accounts_actions.do_bulk_create_staff(todo, actor=system, now=now, batch="demo-enforcement"))


def _areas_and_posts(now: datetime, system: User) -> tuple[int, int]:
    areas = posts = 0
    for zone in EnforcementZone.objects.prefetch_related("villages").order_by("code"):
        squad = _squad_of(zone)
        if squad is None:
            continue
        if not SquadArea.objects.filter(zone=zone).exists():
            do_set_squad_area(squad, zone, actor=system, now=now)
            areas += 1
        grids = list(
            Grid.objects.filter(village__in=zone.villages.all())
            .order_by("code")
            .values_list("code", flat=True)
        )
        officers = _members(squad, Role.OFFICER)
        for index, officer in enumerate(officers):
            if OfficerPost.objects.filter(officer=officer, squad=squad).exists():
                continue
            mine = grids[index :: len(officers)] if officers else []
            do_post_officer(officer, squad, mine, actor=system, now=now)
            posts += 1
        for leader in _members(squad, Role.SQUAD_LEADER):
            if not OfficerPost.objects.filter(officer=leader, squad=squad).exists():
                do_post_officer(leader, squad, [], actor=system, now=now, is_leader=True)
                posts += 1
    return areas, posts


def _local(day: datetime, hour: int = 10) -> datetime:
    return datetime.combine(day.astimezone(LOCAL_TZ).date(), time(hour), tzinfo=LOCAL_TZ)


class _Stop(Exception):
    """The next step would lie after `now`: the case stays where it is."""


# How long after a step its documents are made (the officer drafts them once the step is done).
DOCUMENT_DELAY = timedelta(minutes=20)


class _Walker:
    """Walks one case through its steps at given day offsets from its start, never past `now`."""

    def __init__(self, case: Case, start: datetime, now: datetime):
        self.case = case
        self.start = start
        self.now = now
        self.documents = 0

    def at(self, days: float, hour: int = 10) -> datetime:
        return _local(self.start + timedelta(days=days), hour)

    def when(self, days: float, hour: int = 10) -> datetime:
        moment = self.at(days, hour)
        if moment > self.now:
            raise _Stop
        return moment

    def act(
        self, action: str, actor: User, days: float, *, reason: str = "", hour: int = 10, **inputs: Any
    ) -> None:
        self.case = do_case_action(
            self.case, action, actor=actor, now=self.when(days, hour), reason=reason, inputs=inputs
        )

    def document(self, kind: str, actor: User, days: float, *, hour: int = 10, **details: Any) -> None:
        """The step's form, made by `actor` shortly after the step done at (days, hour)."""
        moment = self.at(days, hour) + DOCUMENT_DELAY
        if moment > self.now:
            raise _Stop
        do_generate_document(self.case, kind, actor=actor, now=moment, details=details)
        self.documents += 1


def _people(town: str) -> dict[str, Any] | None:
    squads = []
    for zone in EnforcementZone.objects.filter(town_id=town).order_by("code"):
        squad = _squad_of(zone)
        if squad is None:
            continue
        officers = _members(squad, Role.OFFICER)
        leaders = _members(squad, Role.SQUAD_LEADER)
        villages = list(zone.villages.order_by("code").values_list("code", flat=True))
        grids = list(
            Grid.objects.filter(village_id__in=villages).order_by("code").values_list("code", flat=True)
        )
        if len(officers) >= 2 and leaders and grids:
            squads.append({"squad": squad, "officers": officers, "leader": leaders[0], "grids": grids})
    legal_ids = Assignment.objects.filter(
        org_unit__territory_code=town, role=Role.LEGAL_REVIEWER, active=True
    ).values_list("user_id", flat=True)
    legal = User.objects.filter(pk__in=legal_ids).order_by("username").first()
    leader_ids = Assignment.objects.filter(
        org_unit__code=f"{town}-gov", role=Role.LEADER, active=True
    ).values_list("user_id", flat=True)
    town_leader = User.objects.filter(pk__in=leader_ids).order_by("username").first()
    if not squads or legal is None:
        return None
    return {"squads": squads, "legal": legal, "leader": town_leader}


def _citizen_id(seed: int) -> str:
    from stdnum.cn import ric

    body = f"320507{1960 + seed % 40}{(seed % 12) + 1:02d}{(seed % 27) + 1:02d}{seed % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def _credit_code(seed: int) -> str:
    from stdnum.cn import uscc

    body = f"91320507MA1{seed % 100000:05d}X"[:17]
    body = body.replace("X", "Y")
    return body + uscc.calc_check_digit(body + "0")


SHOPS = ["苏州市相城区{}百货商行", "苏州{}餐饮管理有限公司", "苏州市{}建材经营部", "苏州{}物业服务有限公司"]
PLACES = ["春申路", "黄桥大街", "胡湾路", "青龙港路", "望亭镇鹤溪路", "新埭路", "御亭路"]


def _party(seed: int, natural: bool) -> dict[str, Any]:
    if natural:
        return {"party_kind": "natural", "party_name": _name(seed + 101), "party_number": _citizen_id(seed)}
    shop = SHOPS[seed % len(SHOPS)].format("和顺永兴宏达恒丰"[seed % 4 * 2 : seed % 4 * 2 + 2])
    return {"party_kind": "legal", "party_name": shop, "party_credit_code": _credit_code(seed)}


def _matter(band_level: str, *, summary: bool, seed: int) -> tuple[EnforcementMatter, Decimal]:
    """A matter and a fine inside its band; for the summary procedure one whose band reaches 200 yuan."""
    queryset = EnforcementMatter.objects.filter(active=True, summary_allowed=summary).prefetch_related(
        "bands"
    )
    if not summary:
        queryset = queryset.filter(hearing_possible=True)
    choices: list[tuple[EnforcementMatter, Decimal]] = []
    for matter in queryset.order_by("code"):
        band = next(b for b in matter.bands.all() if b.level == band_level)
        assert band.fine_min is not None and band.fine_max is not None
        fine = ((band.fine_min + band.fine_max) / 2).quantize(Decimal(1))
        if summary:
            fine = min(fine, Decimal(200))
        if band.fine_min <= fine <= band.fine_max:
            choices.append((matter, fine))
    return choices[seed % len(choices)]


def _open(
    town: str,
    team: dict[str, Any],
    seed: int,
    start: datetime,
    now: datetime,
    *,
    summary: bool,
    natural: bool = True,
) -> _Walker:
    level = ("lighter", "ordinary", "heavier")[seed % 3] if not summary else "ordinary"
    matter, fine = _matter(level, summary=summary, seed=seed)
    officers = team["officers"]
    first, second = officers[seed % len(officers)], officers[(seed + 1) % len(officers)]
    grid = team["grids"][seed % len(team["grids"])]
    data = {
        "procedure": "summary" if summary else "ordinary",
        "source": ("patrol", "complaint", "referral")[seed % 3],
        "source_detail": f"{DEMO_MARK} 演示案件 {town}-{seed:02d}",
        "matter": matter.code,
        "territory_code": grid,
        "address": f"{PLACES[seed % len(PLACES)]}{10 + seed}号附近",
        **_party(seed, natural or summary),
        "facts": f"执法队员在{PLACES[seed % len(PLACES)]}巡查时发现当事人{matter.name}。",
        "circumstance_level": level,
        "proposed_fine": str(fine),
        "officers": [first.username, second.username],
    }
    case = do_open_case(data, actor=first, now=_local(start))
    return _Walker(case, start, now)


def _summary_case(walker: _Walker, team: dict[str, Any], stage: int) -> None:
    officer, leader = walker.case.lead_officer, team["leader"]
    walker.act("decide_on_spot", officer, 0, hour=11, recipient=walker.case.party_name)
    walker.document("summary_decision", officer, 0, hour=11, statement="当事人表示认识到错误，愿意改正。")
    walker.document("service_receipt", officer, 0, hour=11, receipt_note="当事人当场签收。")
    if stage == 0:
        return  # awaiting payment (overdue when started more than 15 days ago)
    walker.act("confirm_execution", officer, 6 if stage == 1 else 20)
    closed = 8 if stage == 1 else 25
    walker.act("close", leader, closed)
    walker.document("closing_report", leader, closed)
    walker.act("archive", officer, 10 if stage == 1 else 30)


def _ordinary_case(
    walker: _Walker, team: dict[str, Any], people: dict[str, Any], stage: int, late: bool
) -> None:
    """stage: 0 verifying, 1 investigating, 2 legal review, 3 notice, 4 hearing → legal review after the
    hearing (hearing_review), 5 archived."""
    officer, leader, legal = walker.case.lead_officer, team["leader"], people["legal"]
    if stage == 0:
        return
    walker.act("propose_filing", officer, 3 if not late else 18)
    base = 4 if not late else 20
    walker.act("approve_filing", leader, base)
    walker.document("filing_approval", officer, base, approver=str(leader))
    do_add_record(
        walker.case,
        kind="transcript",
        title="询问笔录",
        actor=officer,
        now=walker.when(base + 2),
        note=f"问：执法队员巡查时发现你{walker.case.matter.name}，是否属实？\n答：属实，我愿意配合调查并改正。",
    )
    walker.document("inquiry_transcript", officer, base + 2)
    do_add_record(
        walker.case, kind="evidence", title="现场检查笔录及照片", actor=officer, now=walker.when(base + 2, 15)
    )
    if stage == 1:
        return
    walker.act("submit_report", officer, base + 7)
    walker.act("send_legal_review", officer, base + 8)
    if stage == 2:
        return
    review = base + (26 if late else 11)  # the legal review has 10 working days (about 14 natural days)
    walker.act("legal_review_pass", legal, review, opinion="事实清楚，证据确凿，程序合法，裁量适当。")
    walker.act("issue_notice", officer, review + 1)
    walker.document("advance_notice", officer, review + 1)
    if stage == 3:
        return
    notice = review + 1
    if stage == 4:
        day = walker.at(notice + 1).date()
        hearing = datetime.combine(add_working_days(day, 8), time(9), tzinfo=LOCAL_TZ)
        walker.act(
            "request_hearing",
            officer,
            notice + 1,
            hearing_at=hearing.isoformat(),
            hearing_chair=legal.username,
        )
        walker.document("hearing_notice", officer, notice + 1)
        offset = (hearing.date() - walker.start.astimezone(LOCAL_TZ).date()).days
        walker.act("conclude_hearing", officer, offset, hour=11, reason="当事人到场陈述申辩，意见已记录。")
        return
    window = walker.case.hearing_window_ends_at
    assert window is not None
    ended = (window.astimezone(LOCAL_TZ).date() - walker.start.astimezone(LOCAL_TZ).date()).days + 1
    walker.act("end_notice", officer, ended)
    walker.act("decide", leader, ended + 1)
    walker.document("decision", officer, ended + 1)  # before service: the service names this document
    walker.act("serve", officer, ended + 2, method="direct", recipient=walker.case.party_name)
    walker.document("service_receipt", officer, ended + 2)
    walker.act("confirm_execution", officer, ended + (21 if late else 10))
    closed = ended + (24 if late else 12)
    walker.act("close", leader, closed)
    walker.document("closing_report", leader, closed)
    walker.act("archive", officer, ended + (27 if late else 14))


def _cases(now: datetime) -> tuple[int, int]:
    """The demo cases and the documents made on their way: (cases, documents)."""
    if Case.objects.filter(source_detail__startswith=DEMO_MARK).exists():
        return 0, 0
    created = documents = 0
    for town in CASE_TOWNS:
        people = _people(town)
        if people is None:
            continue
        for seed in range(CASES_PER_TOWN):
            team = people["squads"][seed % len(people["squads"])]
            kind = seed % 10
            # Starts spread over the last 110 days; a walk stops at the first step that would lie after
            # `now`, so the newest cases are the ones still open (the last ones still in 线索核查).
            start = now - timedelta(days=110 - seed * 5.5)
            summary = kind in (0, 1, 2)
            walker = _open(town, team, seed, start, now, summary=summary, natural=summary or seed % 2 == 0)
            with contextlib.suppress(_Stop):
                if summary:
                    _summary_case(walker, team, {0: 1, 1: 2, 2: 0}[kind])
                else:
                    stage = {3: 5, 4: 1, 5: 2, 6: 3, 7: 4, 8: 5, 9: 5}[kind]
                    _ordinary_case(walker, team, people, stage, late=kind == 9)
            created += 1
            documents += walker.documents
    return created, documents


def seed_enforcement(*, now: datetime, system: User) -> dict[str, int]:
    """The catalogue, squad areas, officer posts and demo cases; zeros when everything exists."""
    with transaction.atomic():
        matters = seed_catalogue()
    staff = _staff(now, system)
    areas, posts = _areas_and_posts(now, system)
    with transaction.atomic():
        cases, documents = _cases(now)
    return {
        "matters": matters,
        "officers": staff,
        "squad_areas": areas,
        "officer_posts": posts,
        "cases": cases,
        "documents": documents,
    }
