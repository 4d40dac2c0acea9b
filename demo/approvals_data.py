"""Demo approval services: a realistic catalogue (~300 items across the eight types and three levels,
in demo/data/approvals_catalogue.csv with the XLSX template's columns, imported through the catalogue
import), each town's centre authorised (示范型 all town and district-delegable items, 标准型 ~210 —
one standard centre deliberately short at 190 so the report shows something), a few village stations
with a few dozen natural-person items, every promised limit at most half the legal one (import refuses
more), two approvers, and a few dozen applications in every state, all through approvals.actions.
Idempotent: a second run creates nothing."""

from __future__ import annotations

import csv
import hashlib
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from accounts import actions as accounts_actions
from accounts.models import Assignment, OrgUnit, Role, User
from approvals import actions
from approvals.catalogue import rows_from_dicts
from approvals.models import Application, CentreAuthorisation, ServiceItem
from core.testing_codes import citizen_id, credit_code
from demo.names import PASSWORD

# Implementing bodies (实施主体): the district departments, with their (synthetic, well-formed) credit codes.
BODIES: dict[str, tuple[str, str]] = {
    "approval": ("苏州市相城区行政审批局", credit_code(176824)),
    "hrss": ("苏州市相城区人力资源和社会保障局", credit_code(141331)),
    "civil": ("苏州市相城区民政局", credit_code(141321)),
    "health": ("苏州市相城区卫生健康委员会", credit_code(141351)),
    "housing": ("苏州市相城区住房和建设局", credit_code(141337)),
    "agri": ("苏州市相城区农业农村局", credit_code(141341)),
    "veterans": ("苏州市相城区退役军人事务局", credit_code(141390)),
    "disabled": ("苏州市相城区残疾人联合会", credit_code(141399, category="3")),
    "urban": ("苏州市相城区城市管理局", credit_code(141360)),
    "edu": ("苏州市相城区教育局", credit_code(141311)),
    "justice": ("苏州市相城区司法局", credit_code(141325)),
    "emergency": ("苏州市相城区应急管理局", credit_code(141388)),
}
# The standard centre left short on purpose (北桥街道): the report lists it.
SHORT_CENTRE_TOWN = "320507004"
STANDARD_COUNT = 210
SHORT_COUNT = 190
VILLAGE_STATIONS_PER_MODEL_TOWN = 3
MODEL_TOWNS = ("320507003", "320507100")
APPROVERS = (
    ("district_approver", "韩梅", "320507-approval"),
    ("huangqiao_approver", "赵琳", "320507003-social"),
)


CATALOGUE = Path(__file__).resolve().parent / "data" / "approvals_catalogue.csv"
# The file a demo resident uploads for every material of an online application (a labelled sample scan).
SAMPLE_MATERIAL = Path(__file__).resolve().parent / "data" / "approvals_sample_material.png"
DISTRICT_ONLY = "仅区级办理"  # a column beside the template's: items no town centre is authorised for


def _sample_materials(names: list[str]) -> list[tuple[str, SimpleUploadedFile]]:
    data = SAMPLE_MATERIAL.read_bytes()
    return [
        (name, SimpleUploadedFile(SAMPLE_MATERIAL.name, data, content_type="image/png")) for name in names
    ]


def catalogue_records() -> list[dict[str, Any]]:
    """Every demo item as a template row (dict by header), read from the data file."""
    with CATALOGUE.open(newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def _pool(records: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """(codes a town centre may handle, codes a village station handles)."""
    town = [r["实施编码"] for r in records if not r[DISTRICT_ONLY]]
    # Stations take the first act of each village-level family (申领/首次…): a few dozen items.
    village = [
        r["实施编码"] for r in records if r["行使层级"] == "村（社区）级" and r["基本编码"].endswith("001")
    ]
    return town, village


def _draw(key: str, modulo: int) -> int:
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % modulo


def seed_approvals(*, now: datetime, system: User) -> dict[str, int]:
    counts = {"items": 0, "versions": 0, "authorisations": 0, "approvers": 0, "applications": 0}
    records = catalogue_records()
    with transaction.atomic():
        before = ServiceItem.objects.count()
        # Imported once: a second run would only record an import that changed nothing.
        if not before:
            result = actions.do_import_catalogue(
                rows_from_dicts(records), actor=system, now=now, filename="demo"
            )
            counts["items"] = ServiceItem.objects.count() - before
            counts["versions"] = result.versioned
        town_pool, village_pool = _pool(records)
        counts["authorisations"] = _authorise(town_pool, village_pool, system=system, now=now)
        counts["approvers"] = _approvers(system=system, now=now)
        counts["applications"] = _applications(records, now=now, system=system)
    return counts


def _authorise(town_pool: list[str], village_pool: list[str], *, system: User, now: datetime) -> int:
    added = 0
    have = set(CentreAuthorisation.objects.values_list("centre_id", flat=True).distinct())
    for centre in OrgUnit.objects.filter(kind=OrgUnit.Kind.SERVICE_CENTRE).order_by("code"):
        if centre.pk in have:
            continue
        if centre.service_level == OrgUnit.ServiceLevel.DEMONSTRATION:
            codes = town_pool
        elif centre.territory_code == SHORT_CENTRE_TOWN:
            codes = town_pool[:SHORT_COUNT]
        else:
            codes = town_pool[:STANDARD_COUNT]
        added += actions.do_authorise_items(centre, codes, actor=system, now=now)
    for town in MODEL_TOWNS:
        stations = OrgUnit.objects.filter(
            kind=OrgUnit.Kind.VILLAGE_COMMITTEE, territory_code__startswith=town
        ).order_by("code")[:VILLAGE_STATIONS_PER_MODEL_TOWN]
        for station in stations:
            if station.pk not in have:
                added += actions.do_authorise_items(station, village_pool, actor=system, now=now)
    return added


def _approvers(*, system: User, now: datetime) -> int:

    created = 0
    password_hash = make_password(PASSWORD)
    for username, name, unit_code in APPROVERS:
        unit = OrgUnit.objects.filter(code=unit_code).first()
        if unit is None:
            continue
        user = User.objects.filter(username=username).first()
        if user is None:
            user = accounts_actions.do_create_user(
                username=username,
                display_name=name,
                password_hash=password_hash,
                is_demo=True,
                actor=system,
                now=now,
            )
            created += 1
        if not Assignment.objects.filter(user=user, org_unit=unit, role=Role.APPROVER).exists():
            accounts_actions.do_assign_role(
                user=user, org_unit=unit, role=Role.APPROVER, actor=system, now=now
            )
    return created


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ("秀英", "建国", "丽华", "志强", "桂英", "海燕", "文军", "晓梅", "国平", "美玲", "振华", "雪芳")
SCENARIOS = (
    "submitted",
    "corrections",
    "reviewing",
    "review_corrections",
    "deciding",
    "approved",
    "delivered_window",
    "delivered_ems",
    "refused",
    "not_accepted",
    "immediate",
    "online",
    "proxy",
)


def _applications(records: list[dict[str, Any]], *, now: datetime, system: User) -> int:
    """About forty applications at 黄桥 (the demo clerk's centre), in every state, through the actions."""
    centre = OrgUnit.objects.filter(code="320507003-service").first()
    if centre is None or Application.objects.filter(centre=centre).exists():
        return 0
    clerk_assignment = (
        Assignment.objects.filter(org_unit=centre, role=Role.WINDOW_CLERK, active=True)
        .select_related("user")
        .first()
    )
    approver_of = {
        a.org_unit.code: a.user
        for a in Assignment.objects.filter(role=Role.APPROVER, active=True).select_related("user", "org_unit")
    }
    if clerk_assignment is None:
        return 0
    clerk = clerk_assignment.user
    authorised = set(
        CentreAuthorisation.objects.filter(centre=centre).values_list("item__implementation_code", flat=True)
    )
    items = [
        ServiceItem.objects.select_related("current_version", "agency").get(implementation_code=r["实施编码"])
        for r in records
        if r["实施编码"] in authorised
    ]
    promised = [i for i in items if i.current_version and not i.current_version.is_immediate]
    decidable = [i for i in promised if _decider(i, centre, approver_of) is not None]
    immediate = [i for i in items if i.current_version and i.current_version.is_immediate]
    grid_worker = (
        Assignment.objects.filter(role=Role.GRID_WORKER, active=True, territory_code__startswith="320507003")
        .select_related("user")
        .order_by("id")
        .first()
    )
    made = 0
    for n in range(42):
        scenario = SCENARIOS[n % len(SCENARIOS)]
        pool = (
            immediate
            if scenario == "immediate"
            else decidable
            if scenario not in ("submitted", "corrections", "not_accepted", "online", "proxy")
            else promised
        )
        if not pool:
            continue
        item = pool[_draw(f"item{n}", len(pool))]
        start = now - timedelta(days=1 + _draw(f"day{n}", 18), hours=_draw(f"h{n}", 5))
        if scenario == "proxy" and grid_worker is None:
            continue
        made += _one(
            n,
            scenario,
            item,
            centre,
            clerk,
            approver_of,
            grid_worker.user if grid_worker else None,
            start,
            now,
            system,
        )
    return made


def _decider(item: ServiceItem, centre: OrgUnit, approver_of: dict[str, User]) -> User | None:
    return approver_of.get(actions.reviewing_unit(item, centre).code)


def _applicant(n: int, item: ServiceItem) -> actions.ApplicantInput:
    objects = item.current_version.service_objects if item.current_version else []
    legal = "natural_person" not in objects and bool(objects)
    phone = f"139{_draw(f'phone{n}', 10**8):08d}"
    if legal:
        name = f"苏州{SURNAMES[n % len(SURNAMES)]}氏{('餐饮', '科技', '建材', '物流')[n % 4]}有限公司"
        return actions.ApplicantInput(
            "legal", name, credit_code(500000 + n, department="9", category="1"), phone
        )
    name = SURNAMES[n % len(SURNAMES)] + GIVEN[n % len(GIVEN)]
    return actions.ApplicantInput("natural", name, citizen_id(100 + n), phone)


def _one(
    n: int,
    scenario: str,
    item: ServiceItem,
    centre: OrgUnit,
    clerk: User,
    approver_of: dict[str, User],
    grid_worker: User | None,
    start: datetime,
    now: datetime,
    system: User,
) -> int:
    version = item.current_version
    assert version is not None
    required = [m["name"] for m in version.materials if m.get("required")]
    applicant = _applicant(n, item)
    step = timedelta(hours=3)
    if scenario == "online":
        # Online, the resident uploads each required material (the demo's sample scan).
        actions.do_file_application(
            actor=system,
            now=start,
            item_code=item.implementation_code,
            centre=centre,
            channel="online",
            applicant=applicant,
            attachments=_sample_materials(required),
        )
        return 1
    if scenario == "proxy":
        assert grid_worker is not None
        actions.do_file_application(
            actor=grid_worker,
            now=start,
            item_code=item.implementation_code,
            centre=centre,
            channel="proxy",
            applicant=applicant,
            materials=required,
            proxy_consent=f"{applicant.name}本人签字同意委托网格员代办",
        )
        return 1
    filing: dict[str, Any] = {"item_code": item.implementation_code, "centre": centre, "applicant": applicant}
    if scenario == "submitted":
        actions.do_file_application(actor=clerk, now=start, channel="window", materials=required, **filing)
        return 1
    if scenario == "corrections":
        actions.do_take_application(
            actor=clerk, now=start, decision="corrections", materials=required[:-1], reason="", **filing
        )
        return 1
    if scenario == "not_accepted":
        actions.do_take_application(
            actor=clerk,
            now=start,
            decision="refuse",
            reason="申请事项不属于本中心受理范围，已告知向区政务服务中心申请",
            materials=required,
            **filing,
        )
        return 1
    app = actions.do_take_application(actor=clerk, now=start, decision="accept", materials=required, **filing)
    if scenario in ("immediate", "reviewing"):
        return 1
    approver = _decider(item, centre, approver_of)
    assert approver is not None
    t = start + step
    if scenario == "review_corrections":
        actions.do_request_corrections(app, actor=approver, now=t, note="请补充提供近三个月的相关证明材料")
        return 1
    if item.item_type == "XK":
        app = actions.do_pass_review(app, actor=approver, now=t, opinion="材料齐全，符合法定条件")
        t += step
    if scenario == "deciding" and item.item_type == "XK":
        return 1
    basis = version.legal_basis[:200]
    if scenario == "refused":
        actions.do_decide_application(
            app, actor=approver, now=t, approve=False, reason="经审查不符合申请条件", legal_basis=basis
        )
        return 1
    app = actions.do_decide_application(app, actor=approver, now=t, approve=True, legal_basis=basis)
    if scenario in ("approved", "deciding"):
        return 1
    t += step
    if scenario == "delivered_ems":
        actions.do_deliver_application(app, actor=clerk, now=t, method="ems", ems_tracking_no=f"EA{n:09d}CN")
    else:
        actions.do_deliver_application(app, actor=clerk, now=t, method="window")
    return 1
