"""Seed values of the category tree, the filing/closing standard and the town agency mapping.

Class names and codes follow CJ/T 214 / GB/T 30428.2 where known; time limits are (local) seed values
except those DOMAIN.md records (exposed garbage 4 working hours, road cleaning 2 working hours, illegal
construction stop 4 working hours / penalty 7 working days / demolition 20 working days), which are the
A- and B-class limits here. Everything is configuration: a new standard version replaces it.
"""

from __future__ import annotations

from typing import NamedTuple

H = "work_hours"
D = "work_days"

SEED_NOTE = (
    "初始版本：分类参照 CJ/T 214 / GB/T 30428；暴露垃圾4工作时、道路不洁2工作时、私搭乱建（制止4工作时/"
    "处罚7工作日/拆除20工作日）取自地方标准，其余时限为 (local) seed values 示例值，请按本地标准修订后导入。"
)


class Row(NamedTuple):
    filing: str
    a: int
    b: int
    c: int
    unit: str
    closing: str
    urgent: bool = False
    unit_name: str = ""  # overrides the major class's default responsible unit


# kind → [(major code, major name, default responsible unit, [(minor code, minor name, [rows])])]
EVENT_CLASSES: list[tuple[str, str, str, list[tuple[str, str, list[Row]]]]] = [
    (
        "01",
        "市容环境",
        "城市管理办公室",
        [
            (
                "0101",
                "私搭乱建",
                [
                    Row("发现正在搭建的违法建（构）筑物，需责令停止", 4, 4, 8, H, "已停止搭建"),
                    Row(
                        "已建成的违法建（构）筑物，需立案处罚",
                        7,
                        7,
                        10,
                        D,
                        "已作出处罚决定",
                        unit_name="综合执法局",
                    ),
                    Row(
                        "违法建（构）筑物经处罚决定需拆除",
                        20,
                        20,
                        30,
                        D,
                        "已拆除并清理现场",
                        unit_name="综合执法局",
                    ),
                ],
            ),
            ("0102", "暴露垃圾", [Row("道路、广场等公共区域有暴露垃圾", 4, 4, 8, H, "垃圾已清除干净")]),
            (
                "0103",
                "积存垃圾渣土",
                [Row("公共区域积存垃圾渣土，面积超过1平方米", 8, 8, 16, H, "垃圾渣土已清运")],
            ),
            ("0104", "道路不洁", [Row("道路有明显污迹、油渍或散落物", 2, 2, 4, H, "路面已清扫冲洗干净")]),
            ("0105", "水域不洁", [Row("河道、池塘水面有漂浮垃圾或油污", 1, 1, 2, D, "水面已打捞干净")]),
            ("0106", "绿地脏乱", [Row("绿地内有垃圾、杂物或被踩踏", 8, 8, 16, H, "绿地已清理干净")]),
            ("0107", "废弃家具设备", [Row("公共区域堆放废弃家具或设备", 8, 8, 16, H, "已清运")]),
            (
                "0108",
                "焚烧垃圾树叶",
                [Row("露天焚烧垃圾、树叶、秸秆", 2, 2, 4, H, "已扑灭并清理", urgent=True)],
            ),
            ("0109", "餐饮油烟", [Row("餐饮单位油烟直排、扰民", 5, 5, 7, D, "已安装净化设施或停止排放")]),
        ],
    ),
    (
        "02",
        "宣传广告",
        "城市管理办公室",
        [
            (
                "0201",
                "非法小广告",
                [Row("墙面、设施上有张贴、涂写、刻画的小广告", 4, 4, 8, H, "已清除，无明显痕迹")],
            ),
            (
                "0202",
                "违规户外广告",
                [Row("未经许可设置或超期设置的户外广告、招牌", 5, 5, 10, D, "已拆除或补办手续")],
            ),
            ("0203", "占道广告牌", [Row("占用道路设置的广告牌、灯箱", 2, 2, 3, D, "已撤除")]),
            ("0204", "街头散发广告", [Row("街头散发广告影响市容", 2, 2, 4, H, "已制止")]),
        ],
    ),
    (
        "03",
        "施工管理",
        "建设管理局",
        [
            ("0301", "施工扰民", [Row("夜间或禁止时段施工产生噪声扰民", 4, 4, 8, H, "已停止违规施工")]),
            ("0302", "占道施工", [Row("未经许可或超范围占用道路施工", 1, 1, 2, D, "已恢复道路或补办手续")]),
            ("0303", "扬尘", [Row("工地未覆盖、未冲洗产生扬尘", 4, 4, 8, H, "已覆盖、洒水，扬尘消除")]),
            ("0304", "道路遗撒", [Row("运输车辆遗撒渣土、砂石", 2, 2, 4, H, "路面已清理")]),
            ("0305", "无证掘路", [Row("未经许可挖掘道路", 1, 1, 2, D, "已停止并恢复路面")]),
        ],
    ),
    (
        "04",
        "突发事件",
        "应急管理局",
        [
            (
                "0401",
                "管道破裂",
                [Row("供水、排水、燃气管道破裂", 2, 2, 4, H, "已关阀抢修，恢复正常", urgent=True)],
            ),
            (
                "0402",
                "路面塌陷",
                [Row("道路路面塌陷、出现坑洞", 2, 2, 4, H, "已设置警示并修复", urgent=True)],
            ),
            ("0403", "道路积水", [Row("道路积水影响通行", 2, 2, 4, H, "积水已排除", urgent=True)]),
            ("0404", "架空线缆损坏", [Row("架空线缆断落、垂挂", 2, 2, 4, H, "已抢修或移除", urgent=True)]),
            ("0405", "下水道堵塞", [Row("下水道堵塞、污水外溢", 4, 4, 8, H, "已疏通")]),
        ],
    ),
    (
        "05",
        "街面秩序",
        "综合执法局",
        [
            ("0501", "无照经营", [Row("流动摊贩无照经营", 4, 4, 8, H, "已劝离或依法处理")]),
            ("0502", "占道经营", [Row("店外、占用道路经营", 2, 2, 4, H, "已恢复店内经营")]),
            (
                "0503",
                "流浪乞讨",
                [Row("流浪乞讨人员需救助", 4, 4, 8, H, "已送救助机构或劝离", unit_name="社会事业局")],
            ),
            ("0504", "机动车乱停放", [Row("机动车占用人行道、消防通道停放", 2, 2, 4, H, "车辆已移走")]),
            ("0505", "非机动车乱停放", [Row("非机动车无序停放影响通行", 4, 4, 8, H, "已规范停放")]),
            ("0506", "露天烧烤", [Row("占道露天烧烤", 2, 2, 4, H, "已制止")]),
        ],
    ),
    (
        "06",
        "其他",
        "党政办公室",
        [
            ("0601", "其他事件", [Row("不属于以上分类、需政府处置的事件", 5, 5, 7, D, "已处置并反馈")]),
        ],
    ),
]

_BROKEN = "破损、缺失或功能异常"

COMPONENT_CLASSES: list[tuple[str, str, str, list[tuple[str, str, list[Row]]]]] = [
    (
        "01",
        "公用设施",
        "城市管理办公室",
        [
            (
                "0101",
                "上水井盖",
                [Row("井盖破损、缺失或移位", 2, 2, 4, H, "已补齐或更换", urgent=True, unit_name="水务站")],
            ),
            (
                "0102",
                "污水井盖",
                [Row("井盖破损、缺失或移位", 2, 2, 4, H, "已补齐或更换", urgent=True, unit_name="水务站")],
            ),
            (
                "0103",
                "雨水井盖",
                [Row("井盖破损、缺失或移位", 2, 2, 4, H, "已补齐或更换", urgent=True, unit_name="水务站")],
            ),
            ("0104", "雨水箅子", [Row("箅子破损、缺失或堵塞", 4, 4, 8, H, "已更换或疏通")]),
            ("0105", "电力井盖", [Row("井盖破损、缺失或移位", 2, 2, 4, H, "已补齐或更换", urgent=True)]),
            ("0106", "消防栓", [Row("消防栓损坏、漏水或被遮挡", 1, 1, 2, D, "已修复")]),
            ("0107", "路灯", [Row("路灯不亮、灯杆倾斜或破损", 2, 2, 3, D, "已修复亮灯")]),
        ],
    ),
    (
        "02",
        "道路交通",
        "交通管理所",
        [
            ("0201", "公交站亭", [Row(f"站亭{_BROKEN}", 3, 3, 5, D, "已修复")]),
            ("0202", "交通信号灯", [Row("信号灯不亮或故障", 4, 4, 8, H, "已恢复正常", urgent=True)]),
            ("0203", "交通标志牌", [Row(f"标志牌{_BROKEN}", 3, 3, 5, D, "已修复或更换")]),
            ("0204", "道路护栏", [Row(f"护栏{_BROKEN}", 2, 2, 3, D, "已修复")]),
            ("0205", "路名牌", [Row(f"路名牌{_BROKEN}", 5, 5, 7, D, "已修复或更换")]),
        ],
    ),
    (
        "03",
        "市容环境",
        "城市管理办公室",
        [
            ("0301", "公共厕所", [Row("公厕设施损坏或卫生差", 1, 1, 2, D, "已修复并保洁")]),
            ("0302", "垃圾箱", [Row(f"垃圾箱{_BROKEN}或满溢", 4, 4, 8, H, "已清运、修复或更换")]),
            ("0303", "垃圾房", [Row(f"垃圾房{_BROKEN}", 2, 2, 3, D, "已修复")]),
        ],
    ),
    (
        "04",
        "园林绿化",
        "城市管理办公室",
        [
            ("0401", "古树名木", [Row("古树名木受损、病虫害", 2, 2, 3, D, "已养护处理")]),
            ("0402", "行道树", [Row("行道树倒伏、断枝或缺株", 1, 1, 2, D, "已扶正、修剪或补植")]),
            ("0403", "护树设施", [Row(f"护树设施{_BROKEN}", 3, 3, 5, D, "已修复")]),
            ("0404", "绿地", [Row("绿地被毁、黄土裸露", 5, 5, 7, D, "已补植恢复")]),
        ],
    ),
    (
        "05",
        "房屋土地",
        "建设管理局",
        [
            ("0501", "宣传栏", [Row(f"宣传栏{_BROKEN}", 3, 3, 5, D, "已修复")]),
            ("0502", "人防工事", [Row("人防工事设施损坏或被占用", 5, 5, 7, D, "已修复或腾退")]),
        ],
    ),
    (
        "06",
        "其他设施",
        "应急管理局",
        [
            (
                "0601",
                "重大危险源",
                [Row("危险源设施异常或防护缺失", 2, 2, 4, H, "已处置并复查", urgent=True)],
            ),
            ("0602", "工地围挡", [Row("工地围挡破损、倒塌", 1, 1, 2, D, "已修复")]),
            ("0603", "水域护栏", [Row(f"水域护栏{_BROKEN}", 2, 2, 3, D, "已修复")]),
        ],
    ),
    (
        "07",
        "扩展部件",
        "城市管理办公室",
        [
            ("0701", "监控电子眼", [Row("监控设备损坏或离线", 3, 3, 5, D, "已恢复")]),
            ("0702", "电动车充电桩", [Row(f"充电桩{_BROKEN}", 3, 3, 5, D, "已修复")]),
        ],
    ),
]

# Town agencies: how to find them among the org units the demo seeder created. An agency is looked up
# by code `<town>-<suffix>` first, then by kind and a name keyword inside the town.
AGENCIES: dict[str, tuple[list[str], list[str], list[str]]] = {
    # key: (code suffixes, org-unit kinds, name keywords)
    "urban": (["urban"], ["agency"], ["城市管理", "城管"]),
    "construction": (["construction", "build", "planning"], ["agency"], ["建设", "住建", "规划"]),
    "enforcement": (["enforcement", "squad1"], ["agency", "squad"], ["综合执法"]),
    "safety": (["safety", "emergency"], ["agency"], ["应急", "安全"]),
    "social": (["social", "civil"], ["agency"], ["社会事业", "民政"]),
    "government": (["gov", "office"], ["government", "agency"], ["党政办", "办事处", "人民政府", "党工委"]),
    "water": (["water"], ["station", "agency"], ["水务"]),
    "traffic": (["traffic"], ["station", "agency"], ["交通"]),
}

# (kind, major or minor code) → basis and agency preference (the first agency that exists wins).
TOWN_RESPONSIBILITIES: list[tuple[str, str, str, list[str]]] = [
    ("event", "01", "territorial", ["urban"]),
    ("event", "02", "territorial", ["urban"]),
    ("event", "03", "territorial", ["construction", "urban"]),
    ("event", "04", "territorial", ["safety", "urban"]),
    ("event", "05", "territorial", ["enforcement", "urban"]),
    ("event", "06", "territorial", ["government", "urban"]),
    ("event", "0503", "territorial", ["social"]),
    ("component", "01", "owner", ["water", "urban"]),
    ("component", "02", "owner", ["traffic", "construction", "urban"]),
    ("component", "03", "owner", ["urban"]),
    ("component", "04", "owner", ["urban"]),
    ("component", "05", "owner", ["construction", "urban"]),
    ("component", "06", "owner", ["safety", "urban"]),
    ("component", "07", "owner", ["urban"]),
]
