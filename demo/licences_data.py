"""Demo electronic licences: the licence types (the 无房证明 type signed by the district approval bureau),
~300 synthetic property records across the towns' villages (imported through the XLSX validation, marked
is_demo), and a few certificates issued through licences.actions — one of them revoked. Idempotent: a
second run creates nothing and returns zeros.

Demo residents for the 24-hour self-service (docs/licences.md): 320507199001011236 has no property (gets
the 无房证明), 320507198806150028 owns a flat in 黄桥街道 (is told why not)."""

from __future__ import annotations

import io
import random
from datetime import date, datetime, timedelta
from typing import Any

from accounts.models import OrgUnit, User
from core.idnumbers import check_character
from demo.approvals_data import BODIES
from licences.actions import do_issue_certificate, do_revoke_certificate
from licences.imports import do_import_property_records, workbook_of
from licences.models import Certificate, PropertyRecord
from licences.reference import APPROVAL_BUREAU, MARKET_REGULATOR, do_seed_licence_types, synthetic_credit_code
from licences.selfservice import do_issue_no_housing_certificate
from territory.models import Division

PROPERTY_COUNT = 300
OWNER_WITH_FLAT = "320507198806150028"
RESIDENT_WITHOUT_FLAT = "320507199001011236"
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈任姚卢"
)
GIVEN = [
    "建国",
    "秀英",
    "志强",
    "丽华",
    "伟",
    "敏",
    "静",
    "磊",
    "洋",
    "艳",
    "勇",
    "军",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "霞",
    "平",
    "刚",
    "桂英",
    "国平",
    "晓燕",
    "海峰",
    "雪梅",
    "文斌",
    "春华",
    "玉兰",
    "建华",
    "凤英",
]
ROADS = [
    "阳澄湖大道",
    "人民路",
    "相城大道",
    "春申湖路",
    "太阳路",
    "华元路",
    "澄阳路",
    "永昌路",
    "御窑路",
    "活力岛路",
    "蠡塘河路",
    "陆慕老街",
    "嘉元路",
    "采莲路",
    "富元路",
    "胡湾路",
    "南天成路",
    "北河泾路",
]
ESTATES = ["花园", "新村", "家园", "雅苑", "名邸", "佳苑", "嘉园", "人家", "公寓", "庭院"]
DEMO_SUBJECT = "demo.licences"


def _citizen_id(rng: random.Random) -> str:
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 365 * 52))
    body = f"320507{born:%Y%m%d}{rng.randrange(0, 1000):03d}"
    return body + check_character(body)


def _property_rows(now: datetime) -> list[list[Any]]:
    rng = random.Random(320507)  # deterministic: the same 300 rows every run  # noqa: S311 - demo data
    villages = list(
        Division.objects.filter(level=Division.Level.VILLAGE).select_related("parent").order_by("code")
    )
    if not villages:
        return []
    rows: list[list[Any]] = []
    for number in range(1, PROPERTY_COUNT + 1):
        village = villages[rng.randrange(len(villages))]
        town = village.parent.name if village.parent else ""
        owner = rng.choice(SURNAMES) + rng.choice(GIVEN)
        owner_id = _citizen_id(rng)
        registered = date(2005, 1, 1) + timedelta(days=rng.randrange(0, (now.date() - date(2005, 1, 1)).days))
        estate = f"{village.name.removesuffix('村').removesuffix('社区')}{rng.choice(ESTATES)}"
        street = f"{town}{rng.choice(ROADS)}{rng.randrange(1, 999)}号"
        flat = f"{rng.randrange(1, 30)}幢{rng.randrange(1, 18)}0{rng.randrange(1, 4)}室"
        address = f"{street}{estate}{flat}"
        cancelled = ""
        if rng.random() < 0.1:
            cancelled = (registered + timedelta(days=rng.randrange(30, 3000))).isoformat()
            if cancelled >= now.date().isoformat():
                cancelled = ""
        rows.append(
            [
                owner,
                owner_id,
                address,
                f"苏({registered.year})苏州市相城区不动产权第{number:07d}号",
                village.code,
                round(rng.uniform(45, 180), 2),
                registered.isoformat(),
                cancelled,
            ]
        )
    first_village = next((v for v in villages if v.code.startswith("320507003")), villages[0])
    rows.append(
        [
            "周晓梅",
            OWNER_WITH_FLAT,
            "黄桥街道胡湾路88号3幢502室",
            "苏(2018)苏州市相城区不动产权第0900001号",
            first_village.code,
            89.5,
            "2018-06-20",
            "",
        ]
    )
    return rows


def seed_licences(*, now: datetime, system: User) -> dict[str, int]:
    approval = OrgUnit.objects.filter(code="320507-approval").first()
    approval_credit = BODIES["approval"][1]
    counts = {"licence_types": 0, "property_records": 0, "certificates": 0, "revoked": 0}
    counts["licence_types"] = do_seed_licence_types(
        actor=system,
        now=now,
        no_housing_issuer=approval,
        issuer_credit_code=approval_credit if approval else "",
    )

    rows = _property_rows(now)
    known = set(PropertyRecord.objects.values_list("certificate_number", flat=True))
    new_rows = [row for row in rows if row[3] not in known]
    if new_rows:
        result = do_import_property_records(
            io.BytesIO(workbook_of(new_rows)), actor=system, now=now, is_demo=True
        )
        counts["property_records"] = result.created

    centre = OrgUnit.objects.filter(code="320507003-service").first()
    if centre is None or approval is None:
        return counts
    centre_credit = synthetic_credit_code("11", "320507", "MB1A0003")
    examples: list[dict[str, Any]] = [
        {
            "key": "permit-sign",
            "licence_type": f"{APPROVAL_BUREAU}001",
            "holder_name": "苏州黄桥记面馆",
            "holder_kind": "legal",
            "holder_number": synthetic_credit_code("92", "320507", "MA1X3K70"),
            "issuer": centre,
            "issuer_credit_code": centre_credit,
            "title": "准予行政许可决定书",
            "body": [
                ("许可事项", "设置大型户外广告及在城市建筑物、设施上悬挂、张贴宣传品审批"),
                ("许可内容", "黄桥街道胡湾路112号门头招牌一块（6.0m × 1.2m）"),
                ("决定文号", "相黄便审〔2026〕第0031号"),
            ],
            "valid_until": now.date() + timedelta(days=365 * 3),
        },
        {
            "key": "food-licence",
            "licence_type": f"{MARKET_REGULATOR}002",
            "holder_name": "苏州市相城区荷塘月色餐饮有限公司",
            "holder_kind": "legal",
            "holder_number": synthetic_credit_code("91", "320507", "MA1Y2P41"),
            "issuer": approval,
            "issuer_credit_code": approval_credit,
            "title": "食品经营许可证",
            "body": [
                ("经营场所", "相城区阳澄湖大道288号"),
                ("主体业态", "餐饮服务经营者（中型餐馆）"),
                ("经营项目", "热食类食品制售；冷食类食品制售"),
            ],
            "valid_until": now.date() + timedelta(days=1826),
        },
        {
            "key": "permit-wrong",
            "licence_type": f"{APPROVAL_BUREAU}001",
            "holder_name": "陈立新",
            "holder_kind": "natural",
            "holder_number": "320507197503120011",
            "issuer": centre,
            "issuer_credit_code": centre_credit,
            "title": "准予行政许可决定书",
            "body": [
                ("许可事项", "临时占用城市道路审批"),
                ("许可内容", "黄桥街道春申湖路北侧人行道临时堆放建材 30 m²，期限 15 日"),
            ],
            "valid_until": None,
            "revoke": "申请人隐瞒占道面积，依法撤销",
        },
    ]
    for example in examples:
        key = example.pop("key")
        reason = example.pop("revoke", "")
        if Certificate.objects.filter(subject_type=DEMO_SUBJECT, subject_id=key).exists():
            continue
        certificate = do_issue_certificate(
            actor=system, now=now - timedelta(days=3), subject_type=DEMO_SUBJECT, subject_id=key, **example
        )
        counts["certificates"] += 1
        if reason:
            do_revoke_certificate(certificate, actor=system, now=now - timedelta(days=1), reason=reason)
            counts["revoked"] += 1
    if not Certificate.objects.filter(subject_type="licences.selfservice").exists():
        outcome = do_issue_no_housing_certificate(
            name="刘洋", id_number=RESIDENT_WITHOUT_FLAT, now=now - timedelta(days=2)
        )
        counts["certificates"] += 0 if outcome.reused or outcome.certificate is None else 1
    return counts
