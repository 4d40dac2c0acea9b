"""Test fixtures for approvals, built through the actions: two centres (黄桥 示范型, 渭塘 标准型), the
agencies that decide, a window clerk and an approver per side, a data steward, and a small catalogue of
three items (a 行政许可 with 审查 → 决定, a 行政确认 with one 审核, a 即办件)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import OrgUnit, Role, User
from accounts.testing import make_org_unit, make_person
from approvals.actions import do_authorise_items, do_import_catalogue
from approvals.catalogue import HEADERS, rows_from_dicts
from core.testing_codes import citizen_id, credit_code
from licences.reference import APPROVAL_BUREAU

PERMIT_TYPE = f"{APPROVAL_BUREAU}001"  # licences: 准予行政许可决定书

DISTRICT_BODY = credit_code(1001)  # 区行政审批局
TOWN_BODY = credit_code(3001)  # 黄桥街道办事处
LICENCE_CODE = DISTRICT_BODY + "XK00101001"
CONFIRM_CODE = TOWN_BODY + "QR00201001"
IMMEDIATE_CODE = TOWN_BODY + "GG00301001"
PHONE = "13800138000"
ID_NUMBER = citizen_id(21)


def catalogue_record(**overrides: Any) -> dict[str, Any]:
    """A valid template row (a 行政许可 decided by the district approval bureau); override any header."""
    record: dict[str, Any] = {
        "基本编码": "XK00101001",
        "实施编码": LICENCE_CODE,
        "事项名称": "食品经营许可（小餐饮）",
        "事项类型": "行政许可",
        "行使层级": "区级",
        "主题分类": "经营许可",
        "实施主体": "苏州市相城区行政审批局",
        "实施主体统一社会信用代码": DISTRICT_BODY,
        "审批机构编码": "320507-approval",
        "镇级审批机构": "",
        "电子证照类型代码": PERMIT_TYPE,
        "设定依据": "《中华人民共和国食品安全法》第三十五条",
        "受理条件": "有与经营的食品品种、数量相适应的经营场所",
        "申请材料": "营业执照|复印件|1|必需\n经营场所平面图|原件|1|必需\n委托书|原件|1|情形:委托代理人办理的",
        "法定办结时限": 20,
        "法定时限单位": "工作日",
        "法定时限说明": "",
        "承诺办结时限": 5,
        "承诺时限单位": "工作日",
        "承诺时限说明": "不含现场核查时间",
        "办件类型": "承诺件",
        "办理渠道": "窗口、网上",
        "服务对象": "企业法人、非法人企业",
        "收费标准": "",
        "收费依据": "",
        "到办事现场次数": 1,
        "办理地点": "相城区政务服务中心二楼",
        "办理时间": "工作日 8:30-12:00，13:30-17:30",
        "咨询电话": "0512-65811234",
        "监督投诉电话": "12345",
        "办理流程": "申请→受理→审查→决定→送达",
    }
    unknown = set(overrides) - set(HEADERS)
    assert not unknown, unknown
    record.update(overrides)
    return record


def confirm_record(**overrides: Any) -> dict[str, Any]:
    return catalogue_record(
        **{
            "基本编码": "QR00201001",
            "实施编码": CONFIRM_CODE,
            "事项名称": "城乡居民基本养老保险参保登记",
            "事项类型": "行政确认",
            "行使层级": "镇（街道）级",
            "主题分类": "社会保障",
            "实施主体": "苏州市相城区黄桥街道办事处",
            "实施主体统一社会信用代码": TOWN_BODY,
            "审批机构编码": "",
            "镇级审批机构": "social",
            "电子证照类型代码": "",
            "申请材料": "居民身份证|原件|1|必需\n户口簿|复印件|1|必需",
            "法定办结时限": 10,
            "承诺办结时限": 3,
            "服务对象": "自然人",
            "办理流程": "申请→受理→审核→办结",
            **overrides,
        }
    )


def immediate_record(**overrides: Any) -> dict[str, Any]:
    return catalogue_record(
        **{
            "基本编码": "GG00301001",
            "实施编码": IMMEDIATE_CODE,
            "事项名称": "老年人优待证办理",
            "事项类型": "公共服务",
            "行使层级": "镇（街道）级",
            "主题分类": "养老服务",
            "实施主体": "苏州市相城区黄桥街道办事处",
            "实施主体统一社会信用代码": TOWN_BODY,
            "审批机构编码": "",
            "电子证照类型代码": "",
            "申请材料": "居民身份证|原件|1|必需",
            "法定办结时限": 5,
            "承诺办结时限": 0,
            "办件类型": "即办件",
            "服务对象": "自然人",
            "办理流程": "申请→受理→办结",
            **overrides,
        }
    )


# A one-page PDF as a scanner writes it (the server reads only its first bytes: `%PDF-`).
PDF_BYTES = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"


def pdf_upload(name: str = "material.pdf", data: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def material_uploads(*names: str) -> list[tuple[str, SimpleUploadedFile]]:
    """(material, a PDF) for each name: an online application's attachments."""
    return [(name, pdf_upload(f"{index}.pdf")) for index, name in enumerate(names)]


def make_approvals(personas: dict[str, User], now: datetime) -> dict[str, Any]:
    """Units, people and the three-item catalogue authorised at both centres."""
    district_gov = make_org_unit("320507-gov", "相城区委区政府", OrgUnit.Kind.GOVERNMENT, "320507")
    approval_bureau = make_org_unit(
        "320507-approval", "区行政审批局", OrgUnit.Kind.AGENCY, "320507", district_gov
    )
    hq_gov = OrgUnit.objects.get(code="320507003-gov")
    wt_gov = make_org_unit(
        "320507105-gov", "渭塘镇党委政府", OrgUnit.Kind.GOVERNMENT, "320507105", district_gov
    )
    hq_centre = make_org_unit(
        "320507003-service", "黄桥街道便民服务中心", OrgUnit.Kind.SERVICE_CENTRE, "320507003", hq_gov
    )
    wt_centre = make_org_unit(
        "320507105-service", "渭塘镇便民服务中心", OrgUnit.Kind.SERVICE_CENTRE, "320507105", wt_gov
    )
    OrgUnit.objects.filter(pk=hq_centre.pk).update(service_level=OrgUnit.ServiceLevel.DEMONSTRATION)
    OrgUnit.objects.filter(pk=wt_centre.pk).update(service_level=OrgUnit.ServiceLevel.STANDARD)
    hq_social = make_org_unit(
        "320507003-social", "黄桥街道社会事业局", OrgUnit.Kind.AGENCY, "320507003", hq_gov
    )
    steward_unit = OrgUnit.objects.get(code="320507-command")
    people = {
        "steward": make_person("steward", unit=steward_unit, role=Role.DATA_STEWARD),
        "hq_clerk": make_person("hq_clerk", unit=hq_centre, role=Role.WINDOW_CLERK, display_name="李晓燕"),
        "wt_clerk": make_person("wt_clerk", unit=wt_centre, role=Role.WINDOW_CLERK),
        "district_approver": make_person("district_approver", unit=approval_bureau, role=Role.APPROVER),
        "hq_approver": make_person("hq_approver", unit=hq_social, role=Role.APPROVER),
    }
    do_import_catalogue(
        rows_from_dicts([catalogue_record(), confirm_record(), immediate_record()]),
        actor=personas["system"],
        now=now,
    )
    codes = [LICENCE_CODE, CONFIRM_CODE, IMMEDIATE_CODE]
    for centre in (hq_centre, wt_centre):
        do_authorise_items(centre, codes, actor=personas["system"], now=now)
    hq_centre.refresh_from_db()
    wt_centre.refresh_from_db()
    return {
        **people,
        "hq_centre": hq_centre,
        "wt_centre": wt_centre,
        "approval_bureau": approval_bureau,
        "hq_social": hq_social,
    }
