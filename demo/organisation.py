"""The demo district's organisation after the "三整合" reform (see /docs/glossary.md): the district
government, command centre and departments; per town or street its party/government body, command
centre, 6–8 agencies, a convenience-service centre, one squad per enforcement zone, the stations, a
school and a hospital under territorial management; a committee for every village. Built from the
territory already loaded, as bulk specs for accounts.actions.do_bulk_create_org_units."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from accounts.actions import OrgUnitSpec
from accounts.models import OrgUnit

DISTRICT = "320507"
Kind = OrgUnit.Kind
Mode = OrgUnit.ManagementMode

# District departments: (suffix, name). They guide the towns' agencies, stations, schools, hospitals.
DISTRICT_DEPARTMENTS = [
    ("edu", "区教育局"),
    ("health", "区卫生健康委员会"),
    ("water", "区水务局"),
    ("agri", "区农业农村局"),
    ("transport", "区交通运输局"),
    ("finance", "区财政局"),
    ("urban", "区城市管理局"),
    ("approval", "区行政审批局"),
    ("justice", "区司法局"),
    ("emergency", "区应急管理局"),
]
NATURAL_RESOURCES = "苏州市自然资源和规划局相城分局"

# 北桥 and 澄阳 are streets managed by development zones: apart from the 综合行政执法局 their agencies
# are offices or centres (seed document, "两翼"). The two functional zones are organised the same way.
DEVELOPMENT_ZONE_MANAGED = {"320507004", "320507007", "320507401", "320507402"}
# The reform's model towns (黄桥街道, 望亭镇) run 示范型 service centres; the others 标准型.
DEMONSTRATION_CENTRES = {"320507003", "320507100"}
ORDINALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class Town:
    code: str
    name: str

    @property
    def short(self) -> str:
        for suffix in ("街道", "镇"):
            if self.name.endswith(suffix):
                return self.name[: -len(suffix)]
        return self.name

    @property
    def is_town(self) -> bool:
        """镇 (a rural town) rather than 街道 (an urban street) or a functional zone."""
        return self.name.endswith("镇")


def government_name(town: Town) -> str:
    if town.is_town:
        return f"{town.name}党委政府"
    if town.name.endswith("街道"):
        return f"{town.name}党工委办事处"
    return f"{town.name}党工委管委会"


def agencies(town: Town) -> list[tuple[str, str]]:
    """The 6–8 职能机构 of a town: (code suffix, name). Every town has the same suffixes so that
    responsibility lists can name them; the names follow the town's type."""
    n = town.name
    if town.code in DEVELOPMENT_ZONE_MANAGED:
        return [
            ("office", f"{n}党政办公室"),
            ("economy", f"{n}经济发展服务中心"),
            ("social", f"{n}社会事业办公室"),
            ("urban", f"{n}城市管理办公室"),
            ("safety", f"{n}安全生产监督管理办公室"),
            ("finance", f"{n}财政和资产管理办公室"),
            ("enforcement", f"{n}综合行政执法局"),
        ]
    if town.is_town:
        return [
            ("office", f"{n}党政办公室"),
            ("economy", f"{n}经济发展局"),
            ("rural", f"{n}农村工作局"),
            ("social", f"{n}社会事业局"),
            ("urban", f"{n}城市管理局"),
            ("safety", f"{n}安全生产监督管理和环境保护局"),
            ("finance", f"{n}财政和资产管理局"),
            ("enforcement", f"{n}综合行政执法局"),
        ]
    return [
        ("office", f"{n}党政办公室"),
        ("economy", f"{n}经济发展局"),
        ("social", f"{n}社会事业局"),
        ("urban", f"{n}城市管理办公室"),
        ("safety", f"{n}安全生产监督管理办公室"),
        ("finance", f"{n}财政和资产管理办公室"),
        ("enforcement", f"{n}综合行政执法局"),
    ]


def committee_name(village_name: str) -> str:
    if village_name.endswith("委会"):
        return village_name
    return f"{village_name}居委会" if village_name.endswith("社区") else f"{village_name}村委会"


def squad_code(zone_code: str) -> str:
    return f"{zone_code}-squad"


def district_specs() -> list[OrgUnitSpec]:
    gov = f"{DISTRICT}-gov"
    specs = [
        OrgUnitSpec(gov, "相城区委区政府", Kind.GOVERNMENT, DISTRICT),
        OrgUnitSpec(f"{DISTRICT}-command", "相城区集成指挥中心", Kind.COMMAND_CENTRE, DISTRICT, parent=gov),
    ]
    specs += [
        OrgUnitSpec(f"{DISTRICT}-{s}", n, Kind.AGENCY, DISTRICT, parent=gov) for s, n in DISTRICT_DEPARTMENTS
    ]
    specs.append(
        OrgUnitSpec(
            f"{DISTRICT}-nrp", NATURAL_RESOURCES, Kind.AGENCY, DISTRICT, management_mode=Mode.VERTICAL
        )
    )
    return specs


def town_specs(town: Town, zones: Iterable[tuple[str, str]]) -> list[OrgUnitSpec]:
    """`zones`: (zone code, zone name) of the town's enforcement zones, in order."""
    c, n = town.code, town.name
    gov = f"{c}-gov"
    specs = [
        OrgUnitSpec(gov, government_name(town), Kind.GOVERNMENT, c, parent=f"{DISTRICT}-gov"),
        OrgUnitSpec(
            f"{c}-command",
            f"{n}集成指挥中心",
            Kind.COMMAND_CENTRE,
            c,
            parent=gov,
            guiding_department="相城区集成指挥中心",
        ),
    ]
    specs += [
        OrgUnitSpec(f"{c}-{suffix}", name, Kind.AGENCY, c, parent=gov) for suffix, name in agencies(town)
    ]
    specs += [
        OrgUnitSpec(
            f"{c}-nrp",
            f"{n}自然资源和规划分局",
            Kind.AGENCY,
            c,
            management_mode=Mode.VERTICAL,
            guiding_department=NATURAL_RESOURCES,
        ),
        OrgUnitSpec(
            f"{c}-service",
            f"{n}便民服务中心",
            Kind.SERVICE_CENTRE,
            c,
            parent=gov,
            guiding_department="区行政审批局",
            service_level=(
                OrgUnit.ServiceLevel.DEMONSTRATION
                if c in DEMONSTRATION_CENTRES
                else OrgUnit.ServiceLevel.STANDARD
            ),
        ),
        # Stations moved to territorial management by the reform; the finance branch is entrusted.
        OrgUnitSpec(f"{c}-water", f"{n}水务站", Kind.STATION, c, parent=gov, guiding_department="区水务局"),
        OrgUnitSpec(
            f"{c}-animal", f"{n}动物防疫站", Kind.STATION, c, parent=gov, guiding_department="区农业农村局"
        ),
        OrgUnitSpec(
            f"{c}-traffic", f"{n}交通管理所", Kind.STATION, c, parent=gov, guiding_department="区交通运输局"
        ),
        OrgUnitSpec(
            f"{c}-finance-branch",
            f"区财政局{town.short}分局",
            Kind.STATION,
            c,
            parent=gov,
            management_mode=Mode.ENTRUSTED,
            guiding_department="区财政局",
        ),
        OrgUnitSpec(
            f"{c}-school",
            f"苏州市相城区{town.short}中心小学",
            Kind.SCHOOL,
            c,
            parent=gov,
            guiding_department="区教育局",
        ),
        OrgUnitSpec(
            f"{c}-hospital",
            f"苏州市相城区{n}{'卫生院' if town.is_town else '社区卫生服务中心'}",
            Kind.HOSPITAL,
            c,
            parent=gov,
            guiding_department="区卫生健康委员会",
        ),
    ]
    for index, (zone_code, _zone_name) in enumerate(zones):
        ordinal = ORDINALS[index] if index < len(ORDINALS) else str(index + 1)
        specs.append(
            OrgUnitSpec(
                squad_code(zone_code),
                f"{n}综合执法{ordinal}中队",
                Kind.SQUAD,
                c,
                parent=f"{c}-enforcement",
            )
        )
    return specs


def village_spec(town_code: str, village_code: str, village_name: str) -> OrgUnitSpec:
    return OrgUnitSpec(
        f"{village_code}-vc",
        committee_name(village_name),
        Kind.VILLAGE_COMMITTEE,
        village_code,
        parent=f"{town_code}-gov",
    )
