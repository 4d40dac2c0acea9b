"""Demo approval services: a realistic catalogue (~330 items across the eight types and three levels, built
from real-sounding subjects × acts and imported through the XLSX template's validation), each town's
centre authorised (示范型 all town and district-delegable items, 标准型 ~210 — one standard centre
deliberately short at 190 so the report shows something), a few village stations with a few dozen
natural-person items, every promised limit at most half the legal one (import refuses more), two
approvers, and a few dozen applications in every state, all through approvals.actions. Idempotent: a
second run creates nothing."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction

from accounts import actions as accounts_actions
from accounts.models import Assignment, OrgUnit, Role, User
from approvals import actions
from approvals.catalogue import rows_from_dicts
from approvals.codes import citizen_id, credit_code
from approvals.models import Application, CentreAuthorisation, ServiceItem
from licences.reference import APPROVAL_BUREAU, MARKET_REGULATOR

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
# Which town agency (code suffix) decides a town-level item of each theme; "" = the centre itself.
TOWN_AGENCY = {
    "social_security": "social",
    "employment": "social",
    "elderly": "social",
    "disability": "social",
    "birth": "social",
    "health": "social",
    "education": "social",
    "marriage": "social",
    "death": "social",
    "veterans": "social",
    "housing": "urban",
    "construction": "urban",
    "agriculture": "economy",
    "enterprise_start": "economy",
    "operation": "economy",
    "environment": "safety",
    "transport": "urban",
    "culture": "social",
    "other": "",
}
LEGAL_BASIS = {
    "approval": "《中华人民共和国行政许可法》；《江苏省相对集中行政许可权改革试点方案》",
    "hrss": "《中华人民共和国社会保险法》；《中华人民共和国就业促进法》",
    "civil": "《社会救助暂行办法》（国务院令第649号）",
    "health": "《中华人民共和国人口与计划生育法》；《中华人民共和国基本医疗卫生与健康促进法》",
    "housing": "《中华人民共和国建筑法》；《城市房地产管理法》",
    "agri": "《中华人民共和国农业法》；《中华人民共和国动物防疫法》",
    "veterans": "《中华人民共和国退役军人保障法》；《军人抚恤优待条例》",
    "disabled": "《中华人民共和国残疾人保障法》",
    "urban": "《城市市容和环境卫生管理条例》；《城市道路管理条例》",
    "edu": "《中华人民共和国义务教育法》；《中华人民共和国民办教育促进法》",
    "justice": "《法律援助法》；《中华人民共和国人民调解法》",
    "emergency": "《中华人民共和国安全生产法》；《危险化学品安全管理条例》",
}
ID_CARD = "居民身份证|原件|1|必需"
LICENCE_VARIANTS = ("新办", "变更", "延续", "注销")
# Electronic certificates issued on approval (licences.reference types; seeded by the licences app).
PERMIT_DECISION = f"{APPROVAL_BUREAU}001"  # 准予行政许可决定书
FOOD_LICENCE = f"{MARKET_REGULATOR}002"  # 食品经营许可证
REGISTRATION_VARIANTS = ("首次", "变更", "注销")
JF_VARIANTS = ("申领", "变更", "停发")


@dataclass(frozen=True)
class Base:
    """A family of items: one base name with its variants (the sub-item codes 001, 002 …)."""

    name: str
    body: str
    theme: str
    legal: int
    promised: int
    variants: tuple[str, ...] = ("",)
    level: str = "town"
    materials: tuple[str, ...] = (ID_CARD,)
    objects: str = "自然人"
    fee: str = ""
    district_only: bool = False
    village: bool = False
    licence_type: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


ENTERPRISE = (
    "营业执照|复印件|1|必需",
    "法定代表人身份证明|原件|1|必需",
    "授权委托书|原件|1|情形:委托代理人办理的",
)
SITE = ("经营场所平面图|原件|1|必需", "场所使用证明|复印件|1|必需")

TYPES: dict[str, tuple[str, list[Base]]] = {
    "XK": (
        "行政许可",
        [
            Base(
                "食品经营许可",
                "approval",
                "operation",
                20,
                5,
                LICENCE_VARIANTS,
                "district",
                ENTERPRISE + SITE,
                "企业法人、非法人企业",
                licence_type=FOOD_LICENCE,
            ),
            Base(
                "小餐饮经营许可",
                "approval",
                "operation",
                20,
                3,
                LICENCE_VARIANTS,
                "town",
                ENTERPRISE + SITE,
                "非法人企业",
            ),
            Base(
                "药品零售企业经营许可",
                "approval",
                "operation",
                30,
                10,
                LICENCE_VARIANTS,
                "district",
                ENTERPRISE + SITE,
                "企业法人",
                district_only=True,
            ),
            Base(
                "公共场所卫生许可",
                "approval",
                "health",
                20,
                5,
                LICENCE_VARIANTS,
                "district",
                ENTERPRISE + SITE,
                "企业法人、非法人企业",
            ),
            Base(
                "生活饮用水供水单位卫生许可",
                "approval",
                "health",
                20,
                7,
                LICENCE_VARIANTS,
                "district",
                ENTERPRISE,
                "企业法人",
                district_only=True,
            ),
            Base(
                "娱乐场所经营许可",
                "approval",
                "culture",
                20,
                8,
                LICENCE_VARIANTS,
                "district",
                ENTERPRISE + SITE,
                "企业法人",
            ),
            Base(
                "建筑工程施工许可",
                "approval",
                "construction",
                15,
                3,
                LICENCE_VARIANTS,
                "district",
                ENTERPRISE,
                "企业法人",
                district_only=True,
            ),
            Base(
                "城市建筑垃圾处置核准",
                "approval",
                "construction",
                20,
                5,
                ("新办", "变更", "延续"),
                "district",
                ENTERPRISE,
                "企业法人",
            ),
            Base(
                "占用、挖掘城市道路审批",
                "approval",
                "construction",
                20,
                5,
                ("占用", "挖掘", "延期"),
                "district",
                ENTERPRISE,
                "企业法人、其他组织",
            ),
            Base(
                "户外广告设施设置审批",
                "approval",
                "operation",
                20,
                5,
                ("新设", "变更", "延续"),
                "town",
                ENTERPRISE,
                "企业法人、非法人企业",
            ),
            Base(
                "临时占用城市绿地审批",
                "approval",
                "environment",
                20,
                5,
                ("新办", "延期"),
                "town",
                ENTERPRISE,
                "企业法人、其他组织",
            ),
            Base(
                "砍伐、迁移城市树木审批",
                "approval",
                "environment",
                20,
                5,
                ("砍伐", "迁移"),
                "town",
                ENTERPRISE,
                "企业法人、自然人",
            ),
            Base(
                "城镇污水排入排水管网许可",
                "approval",
                "environment",
                20,
                5,
                LICENCE_VARIANTS,
                "district",
                ENTERPRISE,
                "企业法人、非法人企业",
            ),
            Base(
                "道路货物运输经营许可",
                "approval",
                "transport",
                20,
                5,
                LICENCE_VARIANTS,
                "district",
                ENTERPRISE,
                "企业法人",
            ),
            Base(
                "民办学校办学许可",
                "approval",
                "education",
                60,
                20,
                ("筹设", "正式设立", "变更", "终止"),
                "district",
                ENTERPRISE,
                "社会组织法人",
                district_only=True,
            ),
            Base(
                "医疗机构执业登记",
                "approval",
                "health",
                45,
                15,
                LICENCE_VARIANTS,
                "district",
                ENTERPRISE + SITE,
                "企业法人、事业单位法人",
                district_only=True,
            ),
            Base(
                "乡村建设规划许可",
                "approval",
                "construction",
                20,
                5,
                ("新办", "变更"),
                "town",
                (ID_CARD, "宅基地批准文件|复印件|1|必需", "建房设计图|原件|1|必需"),
                "自然人、企业法人",
            ),
            Base(
                "农村村民宅基地审批",
                "agri",
                "housing",
                30,
                10,
                ("新建", "翻建"),
                "town",
                (
                    ID_CARD,
                    "户口簿|复印件|1|必需",
                    "农村宅基地和建房（规划许可）申请表|原件|1|必需|申请表.docx",
                ),
                "自然人",
            ),
            Base(
                "林木采伐许可",
                "agri",
                "agriculture",
                20,
                5,
                ("",),
                "town",
                (ID_CARD, "林木权属证明|复印件|1|必需"),
                "自然人、企业法人",
            ),
            Base(
                "动物防疫条件合格证核发",
                "agri",
                "agriculture",
                20,
                5,
                LICENCE_VARIANTS,
                "district",
                ENTERPRISE + SITE,
                "企业法人、自然人",
            ),
            Base(
                "农药经营许可",
                "agri",
                "agriculture",
                20,
                10,
                LICENCE_VARIANTS,
                "district",
                ENTERPRISE + SITE,
                "企业法人、非法人企业",
            ),
            Base(
                "兽药经营许可",
                "agri",
                "agriculture",
                20,
                10,
                LICENCE_VARIANTS,
                "district",
                ENTERPRISE + SITE,
                "企业法人、非法人企业",
            ),
            Base(
                "危险化学品经营许可",
                "emergency",
                "operation",
                30,
                8,
                LICENCE_VARIANTS,
                "district",
                ENTERPRISE + SITE,
                "企业法人",
                district_only=True,
            ),
            Base(
                "烟花爆竹经营（零售）许可",
                "emergency",
                "operation",
                20,
                5,
                ("新办", "延续"),
                "town",
                ENTERPRISE + SITE,
                "非法人企业",
            ),
            Base(
                "劳务派遣经营许可",
                "hrss",
                "employment",
                20,
                5,
                LICENCE_VARIANTS,
                "district",
                ENTERPRISE,
                "企业法人",
            ),
            Base(
                "人力资源服务许可",
                "hrss",
                "employment",
                20,
                5,
                LICENCE_VARIANTS,
                "district",
                ENTERPRISE,
                "企业法人",
            ),
            Base(
                "托育机构设置审批",
                "health",
                "birth",
                20,
                10,
                ("新办", "变更"),
                "district",
                ENTERPRISE + SITE,
                "企业法人、社会组织法人",
            ),
            Base(
                "个体工商户登记",
                "approval",
                "enterprise_start",
                15,
                1,
                ("设立", "变更", "注销"),
                "town",
                (ID_CARD, "经营场所使用证明|复印件|1|必需"),
                "自然人",
            ),
            Base(
                "农民专业合作社登记",
                "approval",
                "enterprise_start",
                15,
                3,
                ("设立", "变更", "注销"),
                "town",
                ENTERPRISE,
                "其他组织",
            ),
            Base(
                "食品小作坊登记",
                "approval",
                "operation",
                20,
                5,
                LICENCE_VARIANTS,
                "town",
                ENTERPRISE + SITE,
                "非法人企业",
            ),
            Base(
                "城市道路临时摊点设置审批",
                "approval",
                "operation",
                10,
                3,
                ("新设", "延期"),
                "town",
                (ID_CARD,),
                "自然人",
            ),
            Base(
                "母婴保健技术服务执业许可",
                "approval",
                "health",
                20,
                10,
                LICENCE_VARIANTS,
                "district",
                ENTERPRISE,
                "事业单位法人",
            ),
            Base(
                "护士执业注册",
                "approval",
                "health",
                20,
                5,
                ("首次注册", "变更注册", "延续注册"),
                "district",
                (ID_CARD, "护士执业资格考试成绩合格证明|原件|1|必需"),
                "自然人",
            ),
            Base(
                "医师执业注册",
                "approval",
                "health",
                20,
                5,
                ("首次注册", "变更注册"),
                "district",
                (ID_CARD, "医师资格证书|原件|1|必需"),
                "自然人",
            ),
        ],
    ),
    "QR": (
        "行政确认",
        [
            Base(
                "城乡居民基本养老保险参保登记",
                "hrss",
                "social_security",
                10,
                3,
                REGISTRATION_VARIANTS,
                village=True,
            ),
            Base("就业登记", "hrss", "employment", 5, 1, ("登记", "注销"), village=True),
            Base("失业登记", "hrss", "employment", 5, 1, ("登记", "注销"), village=True),
            Base("灵活就业人员社会保险登记", "hrss", "social_security", 10, 3, REGISTRATION_VARIANTS),
            Base(
                "用人单位社会保险登记",
                "hrss",
                "social_security",
                10,
                2,
                REGISTRATION_VARIANTS,
                materials=ENTERPRISE,
                objects="企业法人、非法人企业",
            ),
            Base(
                "残疾人证核发",
                "disabled",
                "disability",
                30,
                10,
                ("新办", "换领", "迁移", "注销"),
                materials=(
                    ID_CARD,
                    "户口簿|复印件|1|必需",
                    "近期免冠照片|原件|2|必需",
                    "残疾评定表|原件|1|必需",
                ),
            ),
            Base(
                "独生子女父母光荣证申领",
                "health",
                "birth",
                20,
                5,
                ("申领", "补领"),
                village=True,
                materials=(ID_CARD, "结婚证|复印件|1|必需", "子女出生医学证明|复印件|1|必需"),
            ),
            Base("计划生育家庭特别扶助对象确认", "health", "birth", 30, 10, ("",)),
            Base("农村五保供养对象认定", "civil", "social_security", 30, 10, ("",)),
            Base("最低生活保障对象认定", "civil", "social_security", 30, 10, ("认定", "复核")),
            Base("特困人员认定", "civil", "social_security", 30, 10, ("",)),
            Base("低收入家庭认定", "civil", "social_security", 30, 10, ("",)),
            Base("困难职工家庭认定", "civil", "social_security", 20, 7, ("",)),
            Base(
                "退役士兵安置身份确认",
                "veterans",
                "veterans",
                20,
                5,
                ("",),
                materials=(ID_CARD, "退出现役证|复印件|1|必需"),
            ),
            Base("烈士遗属身份确认", "veterans", "veterans", 30, 10, ("",)),
            Base("农村土地承包经营权变更确认", "agri", "agriculture", 20, 7, ("互换", "转让", "分户")),
            Base("农村集体经济组织成员身份确认", "agri", "agriculture", 30, 10, ("",), village=True),
            Base("居民死亡信息确认", "civil", "death", 5, 1, ("",), village=True),
            Base("高龄老人信息确认", "civil", "elderly", 10, 3, ("",), village=True),
        ],
    ),
    "JF": (
        "行政给付",
        [
            Base("高龄津贴", "civil", "elderly", 20, 5, JF_VARIANTS, village=True),
            Base("重度残疾人护理补贴", "civil", "disability", 20, 5, JF_VARIANTS, village=True),
            Base("困难残疾人生活补贴", "civil", "disability", 20, 5, JF_VARIANTS, village=True),
            Base("最低生活保障金", "civil", "social_security", 30, 10, JF_VARIANTS),
            Base("临时救助金", "civil", "social_security", 15, 3, JF_VARIANTS, village=True),
            Base("特困人员救助供养金", "civil", "social_security", 30, 10, JF_VARIANTS),
            Base("城乡居民基本养老保险待遇", "hrss", "social_security", 20, 5, JF_VARIANTS, village=True),
            Base("丧葬补助金", "hrss", "death", 20, 5, JF_VARIANTS, village=True),
            Base("遗属抚恤金", "veterans", "death", 30, 10, JF_VARIANTS),
            Base("农村部分计划生育家庭奖励扶助金", "health", "birth", 30, 10, JF_VARIANTS, village=True),
            Base("计划生育特别扶助金", "health", "birth", 30, 10, JF_VARIANTS),
            Base("失业保险金", "hrss", "employment", 20, 3, JF_VARIANTS),
            Base(
                "一次性创业补贴申领",
                "hrss",
                "employment",
                30,
                10,
                materials=ENTERPRISE,
                objects="自然人、非法人企业",
            ),
            Base("创业担保贷款贴息", "hrss", "employment", 30, 10, JF_VARIANTS, materials=ENTERPRISE),
            Base("灵活就业人员社会保险补贴", "hrss", "social_security", 30, 10, JF_VARIANTS),
            Base("耕地地力保护补贴", "agri", "agriculture", 30, 10, JF_VARIANTS, village=True),
            Base("农机购置补贴", "agri", "agriculture", 30, 10, JF_VARIANTS),
            Base("义务兵家庭优待金", "veterans", "veterans", 30, 10, JF_VARIANTS),
            Base("自主就业退役士兵一次性经济补助", "veterans", "veterans", 30, 10, JF_VARIANTS),
            Base("医疗救助", "civil", "health", 20, 5, JF_VARIANTS, village=True),
            # Promised limits at most half the legal ones: catalogue import refuses anything over it.
            Base("残疾人家庭无障碍改造补贴", "disabled", "disability", 20, 10, JF_VARIANTS),
            Base("困难群众住房救助", "civil", "housing", 30, 15, JF_VARIANTS),
        ],
    ),
    "CJ": (
        "行政裁决",
        [
            Base(
                "林木、林地权属争议处理", "agri", "agriculture", 60, 30, level="district", district_only=True
            ),
            Base("土地权属争议调处", "agri", "agriculture", 60, 30, level="district", district_only=True),
            Base("农村土地承包经营纠纷调解", "agri", "agriculture", 60, 20),
        ],
    ),
    "JL": (
        "行政奖励",
        [
            Base("见义勇为人员奖励", "justice", "other", 60, 30, level="district"),
            Base("举报食品安全违法行为奖励", "approval", "other", 30, 10, level="district"),
            Base("举报安全生产违法行为奖励", "emergency", "other", 30, 10, level="district"),
            Base("计划生育先进个人奖励", "health", "birth", 30, 10),
        ],
    ),
    "ZS": (
        "行政征收",
        [
            Base(
                "城市基础设施配套费征收",
                "housing",
                "construction",
                10,
                3,
                level="district",
                materials=ENTERPRISE,
                objects="企业法人",
            ),
            Base(
                "城市道路占用、挖掘修复费征收",
                "urban",
                "construction",
                10,
                3,
                level="district",
                materials=ENTERPRISE,
                objects="企业法人",
            ),
            Base(
                "防空地下室易地建设费收取",
                "housing",
                "construction",
                10,
                3,
                level="district",
                materials=ENTERPRISE,
                objects="企业法人",
            ),
            Base("城乡居民基本养老保险费征收", "hrss", "social_security", 5, 1, village=True),
        ],
    ),
    "QT": (
        "其他行政权力",
        [
            Base(
                "建设工程消防验收备案",
                "housing",
                "construction",
                15,
                5,
                ("",),
                "district",
                ENTERPRISE,
                "企业法人",
            ),
            Base(
                "建设工程竣工验收备案",
                "housing",
                "construction",
                15,
                5,
                ("",),
                "district",
                ENTERPRISE,
                "企业法人",
            ),
            Base("农业机械登记", "agri", "agriculture", 5, 2, ("注册", "变更", "注销")),
            Base("托育机构备案", "health", "birth", 15, 5, ("",), "district", ENTERPRISE + SITE, "企业法人"),
            Base(
                "社会团体登记",
                "civil",
                "other",
                60,
                20,
                ("成立", "变更", "注销"),
                "district",
                ENTERPRISE,
                "社会组织法人",
            ),
            Base(
                "民办非企业单位登记",
                "civil",
                "other",
                60,
                20,
                ("成立", "变更", "注销"),
                "district",
                ENTERPRISE,
                "社会组织法人",
            ),
            Base("房屋租赁登记备案", "housing", "housing", 5, 1, ("",), village=True),
            Base(
                "特种设备使用登记",
                "emergency",
                "operation",
                15,
                5,
                ("登记", "变更", "注销"),
                "district",
                ENTERPRISE,
                "企业法人",
            ),
            Base(
                "建筑起重机械使用登记",
                "housing",
                "construction",
                7,
                3,
                ("登记", "注销"),
                "district",
                ENTERPRISE,
                "企业法人",
            ),
            Base(
                "固定污染源排污登记",
                "approval",
                "environment",
                20,
                5,
                ("登记", "变更", "注销"),
                "district",
                ENTERPRISE,
                "企业法人、非法人企业",
            ),
            Base("养犬登记", "urban", "other", 10, 3, ("登记", "年检", "注销")),
            Base(
                "城镇排水户接管审核",
                "urban",
                "construction",
                15,
                5,
                ("",),
                "town",
                ENTERPRISE,
                "企业法人、非法人企业",
            ),
            Base("物业服务企业备案", "housing", "housing", 10, 3, ("",), "district", ENTERPRISE, "企业法人"),
            Base(
                "村民委员会选举结果备案",
                "civil",
                "other",
                15,
                5,
                ("",),
                "town",
                ("选举结果报告|原件|1|必需",),
                "其他组织",
            ),
        ],
    ),
    "GG": (
        "公共服务",
        [
            Base(
                "社会保障卡申领", "hrss", "social_security", 10, 0, ("首次申领", "补领", "换领"), village=True
            ),
            Base("个人社会保险参保证明打印", "hrss", "social_security", 1, 0, village=True),
            Base(
                "单位社会保险参保证明打印",
                "hrss",
                "social_security",
                1,
                0,
                materials=ENTERPRISE,
                objects="企业法人",
            ),
            Base("新生儿城乡居民医保参保登记", "hrss", "health", 5, 0, village=True),
            Base("基本医疗保险关系转移接续", "hrss", "health", 15, 5, ("转出", "转入")),
            Base("异地就医备案", "hrss", "health", 5, 0, ("长期", "临时")),
            Base("门诊慢特病待遇认定", "hrss", "health", 20, 5),
            Base("职业技能培训补贴申请", "hrss", "employment", 30, 10),
            Base("就业困难人员认定", "hrss", "employment", 15, 5),
            Base("出生医学证明补发", "health", "birth", 20, 10),
            Base("生育登记服务", "health", "birth", 5, 0, ("一孩", "二孩", "三孩"), village=True),
            Base("预防接种证办理", "health", "birth", 5, 0),
            Base("老年人优待证办理", "civil", "elderly", 5, 0, ("新办", "补办"), village=True),
            Base("居家养老服务申请", "civil", "elderly", 15, 5, village=True),
            Base("残疾人辅助器具适配申请", "disabled", "disability", 20, 7),
            Base("法律援助申请", "justice", "other", 7, 3),
            Base("人民调解申请", "justice", "other", 15, 5, village=True),
            Base("农村危房改造申请", "housing", "housing", 30, 10),
            Base("公共租赁住房申请", "housing", "housing", 30, 10),
            Base("住房公积金提取", "housing", "housing", 5, 1, ("购房", "租房", "离职", "退休")),
            Base("不动产登记资料查询", "housing", "housing", 1, 0, ("权利人查询", "利害关系人查询")),
            Base("党员组织关系转接", "civil", "other", 5, 1, ("转入", "转出")),
            Base("退役军人优待证申领", "veterans", "veterans", 20, 5, village=True),
            Base("家庭经济困难学生资助申请", "edu", "education", 30, 10),
            Base("义务教育入学登记", "edu", "education", 20, 5, ("小学", "初中")),
            Base("农业技术咨询服务", "agri", "agriculture", 5, 1, village=True),
            Base("婚姻登记预约", "civil", "marriage", 3, 0, ("结婚", "离婚"), village=True),
            Base("殡葬补贴申领", "civil", "death", 20, 5, village=True),
            Base(
                "“一件事”企业开办",
                "approval",
                "enterprise_start",
                3,
                1,
                ("",),
                "district",
                ENTERPRISE,
                "企业法人、非法人企业",
            ),
            Base(
                "“一件事”企业注销",
                "approval",
                "enterprise_exit",
                20,
                5,
                ("",),
                "district",
                ENTERPRISE,
                "企业法人、非法人企业",
            ),
            Base(
                "城乡居民医疗保险参保登记",
                "hrss",
                "health",
                5,
                0,
                ("首次参保", "信息变更", "停保"),
                village=True,
            ),
            Base("就业创业证申领", "hrss", "employment", 5, 0, ("申领", "补领")),
            Base("流动人员人事档案管理服务", "hrss", "employment", 10, 3, ("接收", "转出", "借阅")),
            Base(
                "供水、供电、供气报装",
                "housing",
                "housing",
                10,
                3,
                ("用水", "用电", "燃气"),
                materials=(ID_CARD, "房屋权属证明|复印件|1|必需"),
            ),
            Base("残疾人就业登记", "disabled", "disability", 10, 3, ("登记", "注销")),
            Base("老年人意外伤害保险参保", "civil", "elderly", 5, 1, village=True),
        ],
    ),
}
FLOW = {
    "XK": "申请→受理→审查→决定→送达",
    "QR": "申请→受理→审核→办结",
    "JF": "申请→受理→审核→公示→发放",
    "CJ": "申请→受理→调查→裁决→送达",
    "JL": "推荐→受理→审核→公示→奖励",
    "ZS": "申报→受理→核定→缴纳",
    "QT": "申请→受理→审核→办结",
    "GG": "申请→受理→办结",
}
CENTRE_HOURS = "工作日 上午8:30—12:00，下午13:30—17:30（周六上午延时服务）"
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


def catalogue_records() -> list[dict[str, Any]]:
    """Every demo item as a template row (dict by header), deterministic."""
    records: list[dict[str, Any]] = []
    for type_code, (type_label, bases) in TYPES.items():
        for main, base in enumerate(bases, start=1):
            body_name, body_code = BODIES[base.body]
            for sub, variant in enumerate(base.variants, start=1):
                basic = f"{type_code}{main:05d}{sub:03d}"
                name = f"{base.name}（{variant}）" if variant else base.name
                level = "village" if base.village else base.level
                immediate = base.promised == 0
                agency_code = "320507-approval" if base.body == "approval" and level == "district" else ""
                law = LEGAL_BASIS[base.body].split("；")[0]
                licence = base.licence_type or (PERMIT_DECISION if type_code == "XK" else "")
                records.append(
                    {
                        "基本编码": basic,
                        "实施编码": body_code + basic,
                        "事项名称": name,
                        "事项类型": type_label,
                        "行使层级": {"district": "区级", "town": "镇（街道）级", "village": "村（社区）级"}[
                            level
                        ],
                        "主题分类": _theme_label(base.theme),
                        "实施主体": body_name,
                        "实施主体统一社会信用代码": body_code,
                        "审批机构编码": agency_code,
                        "镇级审批机构": "" if agency_code else TOWN_AGENCY.get(base.theme, ""),
                        "电子证照类型代码": licence,
                        "设定依据": LEGAL_BASIS[base.body],
                        "受理条件": f"符合{law}规定的{name}条件，材料齐全、符合法定形式。",
                        "申请材料": "\n".join(base.materials),
                        "法定办结时限": base.legal,
                        "法定时限单位": "工作日",
                        "法定时限说明": "",
                        "承诺办结时限": base.promised,
                        "承诺时限单位": "工作日",
                        "承诺时限说明": "不含公示、现场核查时间" if base.promised else "",
                        "办件类型": "即办件" if immediate else "承诺件",
                        "办理渠道": "窗口、网上" + ("、邮寄" if type_code in ("XK", "QT") else ""),
                        "服务对象": base.objects,
                        "收费标准": base.fee,
                        "收费依据": "",
                        "到办事现场次数": 0 if immediate else 1,
                        "办理地点": "各镇（街道）便民服务中心综合窗口"
                        if level != "district"
                        else "相城区政务服务中心",
                        "办理时间": CENTRE_HOURS,
                        "咨询电话": "0512-65811000",
                        "监督投诉电话": "12345",
                        "办理流程": FLOW[type_code] if not immediate else "申请→受理→当场办结",
                    }
                )
    return records


def _theme_label(theme: str) -> str:
    from approvals.models import Theme

    return str(dict(Theme.choices)[theme])


def _pool(records: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """(codes a town centre may handle, codes a village station handles)."""
    district_only = {
        body_code + f"{type_code}{main:05d}{sub:03d}"
        for type_code, (_label, bases) in TYPES.items()
        for main, base in enumerate(bases, start=1)
        if base.district_only
        for body_code in [BODIES[base.body][1]]
        for sub in range(1, len(base.variants) + 1)
    }
    town = [r["实施编码"] for r in records if r["实施编码"] not in district_only]
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
    from demo.seed import PASSWORD  # the demo personas' shared password

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
        actions.do_file_application(
            actor=system,
            now=start,
            item_code=item.implementation_code,
            centre=centre,
            channel="online",
            applicant=applicant,
            materials=required,
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
