"""Cases for the document, publication and officer-points tests, built directly (the case actions are
the enforcement app's and tested there): a matter with its benchmark, the 黄桥 squad's officers, a case
with an encrypted citizen ID. No tests here."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from accounts.models import OrgUnit, Role, User
from accounts.testing import make_org_unit, make_person
from core.pii import encrypt, lookup_hash
from enforcement.models import (
    Case,
    CaseOfficer,
    CaseSource,
    DiscretionBand,
    EnforcementMatter,
    OfficerPost,
    PartyKind,
    Procedure,
    Sector,
)

CITIZEN_ID = "320507199001011234"  # shape of a citizen ID; tests scan output for it
CREDIT_CODE = "91320507MA1XXXXXX0"


def make_matter(code: str = "JS-CG-001") -> EnforcementMatter:
    matter, created = EnforcementMatter.objects.get_or_create(
        code=code,
        defaults={
            "name": "擅自占用城市道路摆摊经营",
            "sector": Sector.URBAN_MANAGEMENT,
            "violation_basis": "《城市市容和环境卫生管理条例》第十四条",
            "penalty_basis": "《城市市容和环境卫生管理条例》第三十六条",
            "penalty_types": ["警告", "罚款"],
            "hearing_possible": True,
            "summary_allowed": True,
        },
    )
    if created:
        DiscretionBand.objects.create(
            matter=matter,
            level="lighter",
            circumstances="首次违法且及时改正",
            fine_min=Decimal("0"),
            fine_max=Decimal("50"),
        )
        DiscretionBand.objects.create(
            matter=matter,
            level="ordinary",
            circumstances="一般情形",
            fine_min=Decimal("50"),
            fine_max=Decimal("200"),
        )
    return matter


def squad_people(personas: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The 黄桥 squad (from make_personas) with a second officer, a squad leader and a legal reviewer;
    wt_officer in a 渭塘 squad is the outsider."""
    squad = OrgUnit.objects.get(code="320507003-squad1")
    officer: User = personas["hq_officer"]
    colleague = make_person("hq_officer2", unit=squad, role=Role.OFFICER, display_name="李四")
    leader = make_person("hq_squad_leader", unit=squad, role=Role.SQUAD_LEADER, display_name="王队长")
    gov = OrgUnit.objects.get(code="320507003-gov")
    reviewer = make_person("hq_reviewer", unit=gov, role=Role.LEGAL_REVIEWER, display_name="赵审核")
    wt_squad = make_org_unit("320507105-squad1", "渭塘镇综合执法第一中队", OrgUnit.Kind.SQUAD, "320507105")
    wt_officer = make_person("wt_officer", unit=wt_squad, role=Role.OFFICER, display_name="渭塘队员")
    if officer.display_name in ("", officer.username):
        officer.display_name = "张三"
        officer.save(update_fields=["display_name"])
    for person, unit, lead in [
        (officer, squad, False),
        (colleague, squad, False),
        (leader, squad, True),
        (wt_officer, wt_squad, False),
    ]:
        OfficerPost.objects.get_or_create(
            officer=person, squad=unit, defaults={"is_leader": lead, "started_at": now}
        )
    return {
        "squad": squad,
        "officer": officer,
        "colleague": colleague,
        "leader": leader,
        "reviewer": reviewer,
        "wt_squad": wt_squad,
        "wt_officer": wt_officer,
    }


def make_case(
    people: dict[str, Any],
    *,
    now: datetime,
    natural: bool = True,
    number: str = "",
    town_code: str = "320507003",
    territory_code: str = "320507003201001",
    squad: OrgUnit | None = None,
    lead: User | None = None,
    assist: User | None = None,
    procedure: str = Procedure.ORDINARY,
    credit_code: str = CREDIT_CODE,
    **fields: Any,
) -> Case:
    lead = lead or people["officer"]
    case = Case.objects.create(
        number=number,
        procedure=procedure,
        source=CaseSource.PATROL,
        matter=make_matter(),
        town_code=town_code,
        territory_code=territory_code,
        address="黄桥街道春申路 8 号门前",
        party_kind=PartyKind.NATURAL if natural else PartyKind.LEGAL,
        party_name="陈小明" if natural else "苏州某某餐饮有限公司",
        party_number_enc=encrypt(CITIZEN_ID) if natural else "",
        party_number_hash=lookup_hash(CITIZEN_ID) if natural else "",
        party_credit_code="" if natural else credit_code,
        party_address="黄桥街道春申路 8 号",
        party_phone_enc=encrypt("13812348000"),
        facts="于2026年11月2日在春申路占道摆摊经营水果，经责令改正后仍未改正。",
        circumstances="经劝阻后仍继续经营",
        proposed_fine=Decimal("100"),
        squad=squad or people["squad"],
        lead_officer=lead,
        created_by=lead,
        created_at=now,
        updated_at=now,
        **fields,
    )
    CaseOfficer.objects.create(case=case, officer=lead, role="lead")
    CaseOfficer.objects.create(case=case, officer=assist or people["colleague"], role="assist")
    return case
