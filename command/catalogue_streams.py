"""The indicator catalogue of the streams beside the grid (data, like command/catalogue.py): 审批服务 and
综合执法 from their ledger rollups (approvals/ and enforcement/figures_rollup.py) plus 好差评 and
publication aggregates, 党建引领 from the party records (party/figures.py), 属地管理 from the 三资 records
and the institutions (territorial/figures.py), 基础信息 from the registries (registry/figures.py) and
their reviewed change requests (grid/figures/registry_changes.py). `command/streams.py` evaluates them."""

from __future__ import annotations


def _row(
    source: str,
    code: str,
    zh: str,
    en: str,
    unit: str,
    kind: str,
    formula: str,
    definition: str,
    definition_en: str,
) -> dict[str, object]:
    return {
        "source": source,
        "code": code,
        "zh": zh,
        "en": en,
        "unit": unit,
        "kind": kind,
        "formula": formula,
        "definition": definition,
        "definition_en": definition_en,
    }


STREAM_INDICATORS: list[dict[str, object]] = [
    # 审批服务
    _row(
        "approvals",
        "approvals_accepted",
        "审批受理数",
        "Applications accepted",
        "件",
        "count",
        "accepted",
        "期内受理的申请数（窗口受理，或即办件当场受理办结）。",
        (
            "Applications accepted in the period (accepted at the service window, or instant items accepted "
            "and completed on the spot)."
        ),
    ),
    _row(
        "approvals",
        "approvals_done",
        "审批办结数",
        "Applications completed",
        "件",
        "count",
        "done",
        "期内办结的申请数：准予并送达、不予许可，或即办件当场办结。",
        (
            "Applications completed in the period: approved and delivered, refused, or instant items "
            "completed on the spot."
        ),
    ),
    _row(
        "approvals",
        "approvals_instant_rate",
        "即办率",
        "Instant-completion rate",
        "%",
        "rate",
        "done[instant] / done",
        "即办率 = 当场办结的即办件 / 办结数。",
        "Instant-completion rate = instant items completed on the spot / applications completed.",
    ),
    _row(
        "approvals",
        "approvals_early_rate",
        "提前办结率",
        "Early-completion rate",
        "%",
        "rate",
        "done[early] / done",
        "提前办结率 = 在承诺审查时限用尽前作出决定（或当场办结）且未被督办的办结件 / 办结数。",
        (
            "Early-completion rate = completed applications decided before the promised review time limit "
            "ran out (or completed on the spot) and never under supervision / applications completed."
        ),
    ),
    _row(
        "approvals",
        "approvals_overdue",
        "审批超期数",
        "Applications overdue",
        "件",
        "count",
        "overdue_first",
        "期内首次超过承诺时限（系统督办）的申请数。",
        "Applications that first exceeded the promised time limit (system supervision) in the period.",
    ),
    _row(
        "approvals",
        "approvals_satisfaction",
        "好差评满意率",
        "Rating satisfaction",
        "%",
        "rate",
        "satisfied / rated",
        "满意率 = 期内（非常满意 + 满意）评价数 / 有效评价数（申诉成立的剔除）。",
        (
            "Satisfaction rate = ratings in the period of “very satisfied” or “satisfied” / valid ratings "
            "(those successfully appealed are excluded)."
        ),
    ),
    _row(
        "approvals",
        "approvals_rectification_rate",
        "差评整改率",
        "Bad-rating rectification rate",
        "%",
        "rate",
        "rectified / bad",
        "整改率 = 期内差评中期末前已整改办结的 / 期内差评数。",
        (
            "Rectification rate = bad ratings in the period rectified and closed by the end of the period / "
            "bad ratings in the period."
        ),
    ),
    # 综合执法
    _row(
        "enforcement",
        "enforcement_filed",
        "执法立案数",
        "Cases filed",
        "件",
        "count",
        "filed",
        "期内立案的案件数：一般程序批准立案的，加简易程序当场处罚的。",
        (
            "Cases filed in the period: ordinary-procedure cases approved for filing, plus summary-procedure "
            "cases penalised on the spot."
        ),
    ),
    _row(
        "enforcement",
        "enforcement_closed",
        "执法结案数",
        "Cases closed",
        "件",
        "count",
        "closed",
        "期内结案的案件数。",
        "Cases closed in the period.",
    ),
    _row(
        "enforcement",
        "enforcement_decision_days",
        "平均作出决定天数",
        "Average days to decision",
        "天",
        "average",
        "Σ(decision day − filing day) / decided",
        "期内作出决定的一般程序案件，从立案到决定的平均自然日数。",
        (
            "The average number of calendar days from filing to decision of the ordinary-procedure cases "
            "decided in the period."
        ),
    ),
    _row(
        "enforcement",
        "enforcement_publication_on_time",
        "决定按期公示率",
        "Decisions published on time",
        "%",
        "rate",
        "published_by_due / publications_due",
        "公示期限落在期内的处罚决定中，在 7 个工作日期限内公示的比例。",
        (
            "Of the penalty decisions whose publication deadline falls in the period, the share published "
            "within the 7-working-day limit."
        ),
    ),
    _row(
        "enforcement",
        "enforcement_hearings",
        "听证申请数",
        "Hearings requested",
        "件",
        "count",
        "hearings",
        "期内当事人首次申请听证的案件数。",
        "Cases in which a party first requested a hearing in the period.",
    ),
    _row(
        "enforcement",
        "enforcement_overturned",
        "决定被撤销数",
        "Decisions overturned",
        "件",
        "count",
        "revoked",
        "期内经复议或诉讼被撤销的处罚决定数。",
        "Penalty decisions revoked in the period on administrative reconsideration or in litigation.",
    ),
    # 党建引领
    _row(
        "party",
        "party_organisations",
        "党组织数",
        "Party organisations",
        "个",
        "count",
        "organisations",
        "期末已登记的党组织（党委、总支、支部、党小组、行动支部、功能型党小组）。",
        (
            "Party organisations registered at the end of the period (Party committees, general branches, "
            "branches, Party groups, action branches, functional Party groups)."
        ),
    ),
    _row(
        "party",
        "party_members",
        "党员数（全员入格）",
        "Members in grids",
        "人",
        "count",
        "members",
        "期末已入党并登记入格的党员（含预备党员）。",
        (
            "Party members admitted and registered to a grid at the end of the period (probationary members "
            "included)."
        ),
    ),
    _row(
        "party",
        "party_one_shoulder",
        "一肩挑比例",
        "Grid head = branch secretary",
        "%",
        "rate",
        "satisfied / grids",
        "网格长由所在支部书记担任的网格 / 适用网格（按当前任职，仅当期）。",
        (
            "Grids whose grid head is the secretary of their Party branch / applicable grids (by current "
            "appointments; current period only)."
        ),
    ),
    _row(
        "party",
        "party_visit_completion",
        "联户走访完成率",
        "Visit completion",
        "%",
        "rate",
        "visits_done / visits_due",
        "期内应走访（计划日期落在期内）的联户走访中，期末前已走访的比例。",
        (
            "Of the household visits due in the period (planned date within the period), the share made by "
            "the end of the period."
        ),
    ),
    _row(
        "party",
        "party_visits_overdue",
        "走访逾期数",
        "Visits overdue",
        "次",
        "count",
        "visits_overdue",
        "期内应走访、期末仍未走访的次数。",
        "Visits due in the period and still not made at the end of the period.",
    ),
    _row(
        "party",
        "party_households_reached",
        "走访覆盖户数",
        "Households reached",
        "户",
        "count",
        "households_reached",
        "期内走访到的不同农户数。",
        "Distinct rural households visited in the period.",
    ),
    _row(
        "party",
        "party_problems_raised",
        "党员发现问题数",
        "Problems raised by members",
        "件",
        "count",
        "problems_raised",
        "期内党员走访时上报为网格事件（来源：党员联户）的问题数。",
        (
            "Problems that Party members reported as grid events on their visits in the period (source: "
            "Party member household contact)."
        ),
    ),
    _row(
        "party",
        "party_problem_closure",
        "党员发现问题办结率",
        "Member problems closed",
        "%",
        "rate",
        "problems_closed / problems_raised",
        "期内党员上报的问题中，其网格事件期末前已结案的比例。",
        (
            "Of the problems Party members reported in the period, the share whose grid event was closed by "
            "the end of the period."
        ),
    ),
    _row(
        "party",
        "party_meetings_held",
        "三会一课召开数",
        "Meetings held",
        "次",
        "count",
        "meetings_held",
        "期内召开的支部党员大会、支委会、党小组会和党课次数。",
        (
            "Branch general meetings, branch committee meetings, Party group meetings and Party lectures "
            "held in the period."
        ),
    ),
    _row(
        "party",
        "party_needs_late",
        "代办需求逾期数",
        "Service needs late",
        "件",
        "count",
        "needs_late",
        "期内超过办理时限、系统已提醒党员和网格员的代办需求数（党员走访发现的需求未按时代办）。",
        (
            "Service needs found on Party members' visits that passed their time limit in the period and "
            "were reminded by the system (not taken up by proxy in time)."
        ),
    ),
    # 属地管理
    _row(
        "territorial",
        "territorial_institutions",
        "属地管理机构数",
        "Institutions under the town",
        "个",
        "count",
        "institutions",
        "属地管理的站所、学校、医院（区直属的除外）。仅当期。",
        (
            "Stations, offices, schools and hospitals under the town's territorial management (excluding "
            "those directly under the district). Current period only."
        ),
    ),
    _row(
        "territorial",
        "territorial_assets",
        "集体资产卡片数",
        "Collective assets",
        "张",
        "count",
        "assets",
        "村集体经济组织在册（未处置）的资产卡片。仅当期。",
        (
            "Asset cards on the register (not disposed of) of the village collective economic organisations. "
            "Current period only."
        ),
    ),
    _row(
        "territorial",
        "territorial_contracts_expiring",
        "90天内到期合同",
        "Contracts expiring in 90 days",
        "份",
        "count",
        "contracts_expiring",
        "履行中、将在期末后 90 天内到期的合同。仅当期。",
        (
            "Contracts in performance that expire within 90 days after the end of the period. Current period "
            "only."
        ),
    ),
    _row(
        "territorial",
        "territorial_contracts_ended",
        "到期未处理合同",
        "Contracts ended, unsettled",
        "份",
        "count",
        "contracts_ended",
        "已过到期日、未续签也未终止的合同。仅当期。",
        "Contracts past their expiry date, neither renewed nor terminated. Current period only.",
    ),
    _row(
        "territorial",
        "territorial_instalments_overdue",
        "逾期未收租金",
        "Rent instalments overdue",
        "笔",
        "count",
        "instalments_overdue",
        "履行中合同期末前应收而未收的租金笔数。仅当期。",
        (
            "Rent instalments of contracts in performance due before the end of the period and not yet "
            "collected. Current period only."
        ),
    ),
    _row(
        "territorial",
        "territorial_payments_awaiting",
        "待审批支出",
        "Payments awaiting approval",
        "笔",
        "count",
        "payments_awaiting",
        "等待村委会或镇三资办审批的资金支出。仅当期。",
        (
            "Fund payments awaiting approval by the village committee or the town's collective assets "
            "office. Current period only."
        ),
    ),
    _row(
        "territorial",
        "territorial_payments_proposed",
        "期内提出支出",
        "Payments proposed",
        "笔",
        "count",
        "payments_proposed",
        "期内村集体提出的资金支出笔数。",
        "Fund payments proposed by the village collectives in the period.",
    ),
    _row(
        "territorial",
        "territorial_warnings_open",
        "三资预警（未办结）",
        "Open collective-assets warnings",
        "条",
        "count",
        "warnings_open",
        "期末仍未办结、未撤销的三资预警（合同到期、租金逾期、坐收坐支、大额支出未审批、拆分支出、合同无收入），"
        "下钻逐条列出所在村，模块下方按村汇总。",
        (
            "Collective-assets warnings (contracts expiring, rent overdue, cash not deposited, large "
            "payments without approval, split payments, contracts without income) still open at the end of "
            "the period; the drill-down lists each with its village, the module totals them per village."
        ),
    ),
    _row(
        "territorial",
        "territorial_disclosure_on_time",
        "财务公开按时率",
        "Disclosure on time",
        "%",
        "rate",
        "disclosed_on_time / villages",
        "有集体经济组织的村中，最近一个已过公开期限（次月规定日，默认 10 日）的月份的账目全部按时记账、"
        "财务公开按时的村所占比例；与月报的“财务公开”同一规则。下钻逐村列出。",
        (
            "Of the villages with a collective economic organisation, the share whose financial disclosure "
            "of the latest month past its deadline (a set day of the next month, the 10th by default) was "
            "on time: every entry of the month recorded by the deadline, the monthly report's rule. The "
            "drill-down lists each village."
        ),
    ),
    # 基础信息（一标三实）
    _row(
        "registry",
        "registry_population",
        "实有人口",
        "Actual population",
        "人",
        "count",
        "people",
        "基础信息库登记在册的实有人口（户籍、流动、留守、境外人员）。仅当期。",
        (
            "People on the basic registries (household-registered, migrant, left-behind and foreign "
            "residents). Current period only."
        ),
    ),
    _row(
        "registry",
        "registry_registered",
        "户籍人口",
        "Household-registered residents",
        "人",
        "count",
        "people[registered]",
        "实有人口中的户籍人口。仅当期。",
        "Household-registered (hukou) residents among the actual population. Current period only.",
    ),
    _row(
        "registry",
        "registry_migrant",
        "流动人口",
        "Migrant population",
        "人",
        "count",
        "people[migrant]",
        "实有人口中的流动人口。仅当期。",
        "Migrants among the actual population. Current period only.",
    ),
    _row(
        "registry",
        "registry_households",
        "实有户数",
        "Households",
        "户",
        "count",
        "households",
        "基础信息库登记的户。仅当期。",
        "Households on the basic registries. Current period only.",
    ),
    _row(
        "registry",
        "registry_houses",
        "实有房屋",
        "Houses",
        "套",
        "count",
        "houses",
        "登记的实有房屋，按户室计。仅当期。",
        "Houses on the registries, counted by dwelling unit. Current period only.",
    ),
    _row(
        "registry",
        "registry_rented",
        "出租房屋",
        "Rented houses",
        "套",
        "count",
        "houses[rented]",
        "实有房屋中登记为出租房的。仅当期。",
        "Houses registered as rented out. Current period only.",
    ),
    _row(
        "registry",
        "registry_entities",
        "实有单位",
        "Entities",
        "家",
        "count",
        "entities",
        "登记的实有单位（企业、个体工商户等）。仅当期。",
        "Entities on the registries (enterprises, sole traders and others). Current period only.",
    ),
    _row(
        "registry",
        "registry_key_places",
        "重点场所",
        "Key places",
        "处",
        "count",
        "key_places",
        "登记的重点场所（九小场所、危化品场所、人员密集场所）。仅当期。",
        (
            "Key places on the registries (nine kinds of small premises, hazardous-chemical sites, crowded "
            "places). Current period only."
        ),
    ),
    _row(
        "registry",
        "registry_care_people",
        "关爱对象",
        "People in care",
        "人",
        "count",
        "people[care tags]",
        "登记了关爱标签（独居老人、留守儿童、残疾人等）的人数；只计数，不下钻。仅当期。",
        (
            "People registered with a care tag (elderly living alone, left-behind children, people with "
            "disabilities and others); a number only, never listed. Current period only."
        ),
    ),
    _row(
        "registry",
        "registry_special_groups",
        "特殊人群",
        "Special groups",
        "人",
        "count",
        "people[special groups]",
        "登记为特殊人群（刑满释放、社区矫正等）的人数；只计数，不下钻。仅当期。",
        (
            "People registered in a special group (released from prison, under community correction and "
            "others); a number only, never listed. Current period only."
        ),
    ),
    _row(
        "registry",
        "registry_changes_approved",
        "变更审核生效数",
        "Registry changes approved",
        "件",
        "count",
        "changes[approved]",
        "期内经村（社区）审核通过并生效的基础信息变更数：新增户申请与已登记记录的变更（人员、迁入迁出、单位、"
        "重点场所、出租房屋），含数据接入提出的变更；即时生效的一般字段不经审核，不计入。",
        (
            "Registry changes approved by the village (community) in the period, and so in effect: new "
            "households and changes to registered records (people, moves, entities, key places, houses let "
            "out), including those a connector proposed; trivial fields that apply at once are not reviewed "
            "and not counted."
        ),
    ),
]

STREAM_SOURCE_NAMES = {
    "approvals": "审批服务台账汇总",
    "enforcement": "综合执法台账汇总",
    "party": "党建组织与联户走访",
    "territorial": "三资监管与属地机构",
    "registry": "基础信息库（一标三实）",
}
