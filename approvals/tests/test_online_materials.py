"""网上申请 with the materials as uploads: one file input per material of the guide; the files' type is read
from their content (PDF by its first bytes, images decoded and re-encoded without metadata), their size and
count are limited; a missing required material is named on its field; what was typed survives a refusal;
the files are private — only the staff handling the application open them, through the scoped view. The
window keeps its checkboxes for paper materials; the catalogue's import template is for stewards only."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from approvals.actions import ApplicantInput, MaterialsRefused, do_accept_application, do_file_application
from approvals.models import Application, Channel
from approvals.testing import CONFIRM_CODE, ID_NUMBER, PDF_BYTES, PHONE, material_uploads, pdf_upload
from audit.models import AuditEvent
from core.errors import DomainError
from core.testing import image_bytes
from outbox.models import OutboxMessage

from .conftest import NOW
from .test_pages import login, window_post

URL = f"/approvals/apply/{CONFIRM_CODE}/"  # 城乡居民基本养老保险参保登记: 居民身份证, 户口簿 (both required)
FIELDS = {
    "centre": "320507003-service",
    "applicant_kind": "natural",
    "applicant_name": "王秀英",
    "applicant_number": ID_NUMBER,
    "applicant_phone": PHONE,
}
MB = 1024 * 1024


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def _code() -> str:
    sms = OutboxMessage.objects.filter(kind="phone_code").order_by("-id").first()
    assert sms is not None
    found = re.search(r"\d{6}", sms.body)
    assert found is not None
    return found.group()


def verified() -> Client:
    """A resident's browser that has asked for a code and confirmed it."""
    client = Client()
    assert client.post(URL, {**FIELDS, "step": "send"}).status_code == 200
    confirmed = client.post(URL, {**FIELDS, "step": "verify", "code": _code()})
    assert confirmed.status_code == 200 and "data-phone-verified" in confirmed.content.decode()
    return client


def photo(name: str = "id-front.jpg") -> SimpleUploadedFile:
    """A phone photo with the camera model and GPS position in its EXIF."""
    return SimpleUploadedFile(
        name, image_bytes("JPEG", size=(40, 30), exif_gps=True), content_type="image/jpeg"
    )


def submit(client: Client, **files: Any) -> Any:
    return client.post(URL, {**FIELDS, "step": "submit", **files})


def field_errors(html: str, field: str) -> list[str]:
    return re.findall(rf'data-field-error="{field}">([^<]*)<', html)


def test_the_form_has_a_file_input_per_material_and_no_checkboxes(setup: dict[str, Any]) -> None:
    html = Client().get(URL).content.decode()
    assert 'enctype="multipart/form-data"' in html
    for index in (0, 1):
        assert re.search(rf'<input type="file" name="materials_{index}"[^>]*multiple', html)
    assert 'accept=".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"' in html
    assert f'data-max-bytes="{10 * MB}"' in html and 'data-max-files="10"' in html
    assert 'type="checkbox"' not in html and "已收材料" not in html


def test_resident_uploads_each_material_and_the_handling_staff_open_them(setup: dict[str, Any]) -> None:
    client = verified()
    done = submit(
        client, materials_0=[photo("front.jpg"), photo("back.jpg")], materials_1=pdf_upload("hukou.pdf")
    )
    assert done.status_code == 303
    app = Application.objects.get()
    assert app.channel == Channel.ONLINE and app.work_item is not None and app.work_item.state == "submitted"
    # 已收 comes from the uploads, not from a tick.
    assert app.materials == [
        {"name": "居民身份证", "required": True, "received": True},
        {"name": "户口簿", "required": True, "received": True},
    ]
    files = list(app.attachments.order_by("id"))
    assert [f.material for f in files] == ["居民身份证", "居民身份证", "户口簿"]
    front = files[0].file.read()
    files[0].file.seek(0)
    with Image.open(files[0].file) as stored:
        assert stored.format == "JPEG" and not stored.getexif()  # re-encoded: no camera, no position
    assert (files[0].file.name or "").endswith(".jpg") and files[0].content_hash == hashlib.sha256(
        front
    ).hexdigest()
    assert files[2].file.read() == PDF_BYTES and files[2].size == len(PDF_BYTES)
    audit = AuditEvent.objects.get(action="approvals.file_application")
    assert audit.after is not None
    assert [f["sha256"] for f in audit.after["files"]] == [f.content_hash for f in files]

    # The centre's clerk sees each material with its files, and opens them.
    clerk = login(setup["hq_clerk"])
    page = clerk.get(f"/approvals/applications/{app.pk}/").content.decode()
    for attachment in files:
        url = f"/approvals/applications/{app.pk}/attachments/{attachment.pk}/"
        assert url in page
        opened = clerk.get(url)
        assert opened.status_code == 200 and opened["X-Content-Type-Options"] == "nosniff"
    pdf = clerk.get(f"/approvals/applications/{app.pk}/attachments/{files[2].pk}/")
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content) == PDF_BYTES  # type: ignore[attr-defined]
    assert "未收" not in page.split("data-materials")[1].split("</table>")[0]

    # 受理 checks the required materials on the same rule path: the uploads satisfy it.
    accepted = do_accept_application(app, actor=setup["hq_clerk"], now=NOW)
    assert accepted.work_item is not None and accepted.work_item.state == "reviewing"
    # The reviewing unit (黄桥街道社会事业局) opens them too.
    approver = login(setup["hq_approver"])
    assert approver.get(f"/approvals/applications/{app.pk}/attachments/{files[0].pk}/").status_code == 200


def test_a_missing_material_is_named_and_what_was_typed_stays(setup: dict[str, Any]) -> None:
    client = verified()
    refused = submit(client, materials_0=photo())
    html = refused.content.decode()
    assert refused.status_code == 400 and not Application.objects.exists()
    assert field_errors(html, "materials_1") == ["请上传必需材料：户口簿"]
    assert field_errors(html, "materials_0") == []
    assert 'value="王秀英"' in html and f'value="{ID_NUMBER}"' in html and f'value="{PHONE}"' in html
    assert 'option value="320507003-service" selected' in html
    assert "data-files-dropped" in html and "请重新选择要上传的文件" in html  # files are not kept: said so
    assert "data-phone-verified" in html  # the confirmed phone is not asked again
    # Choosing the files again is enough: no second code.
    again = submit(client, materials_0=photo(), materials_1=pdf_upload())
    assert again.status_code == 303 and Application.objects.count() == 1
    assert OutboxMessage.objects.filter(kind="phone_code").count() == 1


def test_nothing_uploaded_names_every_required_material(setup: dict[str, Any]) -> None:
    html = submit(verified()).content.decode()
    assert field_errors(html, "materials_0") == ["请上传必需材料：居民身份证"]
    assert field_errors(html, "materials_1") == ["请上传必需材料：户口簿"]
    assert "data-files-dropped" not in html  # nothing was chosen, nothing was dropped


def test_a_program_renamed_pdf_is_refused_by_its_content(setup: dict[str, Any]) -> None:
    client = verified()
    program = SimpleUploadedFile(
        "户口簿.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200, content_type="application/pdf"
    )
    refused = submit(client, materials_0=photo(), materials_1=program)
    html = refused.content.decode()
    assert refused.status_code == 400 and not Application.objects.exists()
    assert field_errors(html, "materials_1") == ["户口簿：只能上传 PDF、JPG 或 PNG 文件。"]
    # The content decides, not the name: a PNG called .pdf is stored as the PNG it is.
    png = SimpleUploadedFile("scan.pdf", image_bytes("PNG"), content_type="application/pdf")
    assert submit(client, materials_0=photo(), materials_1=png).status_code == 303
    stored = Application.objects.get().attachments.get(material="户口簿")
    assert (stored.file.name or "").endswith(".png")


def test_a_webp_image_is_not_a_material_type(setup: dict[str, Any]) -> None:
    webp = SimpleUploadedFile("id.webp", image_bytes("WEBP"), content_type="image/webp")
    html = submit(verified(), materials_0=webp, materials_1=pdf_upload()).content.decode()
    assert field_errors(html, "materials_0") == ["居民身份证：只能上传 PDF、JPG 或 PNG 文件。"]


def test_a_file_over_the_size_limit_is_refused(setup: dict[str, Any], settings: Any) -> None:
    settings.APPROVALS_UPLOAD_MAX_MB = 1
    client = verified()
    assert 'data-max-bytes="1048576"' in client.get(URL).content.decode()
    big = pdf_upload("big.pdf", PDF_BYTES + b"0" * MB)
    refused = submit(client, materials_0=photo(), materials_1=big)
    assert refused.status_code == 400 and not Application.objects.exists()
    assert field_errors(refused.content.decode(), "materials_1") == ["户口簿：单个文件不能超过 1 MB。"]
    at_limit = pdf_upload("ok.pdf", PDF_BYTES + b"0" * (MB - len(PDF_BYTES)))
    assert submit(client, materials_0=photo(), materials_1=at_limit).status_code == 303


def test_too_many_files_are_refused(setup: dict[str, Any], settings: Any) -> None:
    settings.APPROVALS_UPLOAD_MAX_FILES = 2
    client = verified()
    refused = submit(client, materials_0=[photo("a.jpg"), photo("b.jpg")], materials_1=pdf_upload())
    html = refused.content.decode()
    assert refused.status_code == 400 and not Application.objects.exists()
    assert "一次最多上传 2 个文件（共选了 3 个）。" in html and "data-form-error" in html


def test_the_apply_path_takes_a_body_of_its_files(settings: Any) -> None:
    """The request-body limit (core.middleware) of the apply path fits APPROVALS_UPLOAD_MAX_FILES files of
    APPROVALS_UPLOAD_MAX_MB; elsewhere a multipart body stays at ZHILI_MAX_UPLOAD_MB."""
    from django.http import HttpResponse
    from django.test import RequestFactory

    from core.middleware import RequestBodyLimitMiddleware

    limit = dict(settings.LARGE_UPLOAD_PATHS)[r"^/approvals/apply/[^/]+/$"]
    assert limit == (settings.APPROVALS_UPLOAD_MAX_MB * settings.APPROVALS_UPLOAD_MAX_FILES + 1) * MB
    middleware = RequestBodyLimitMiddleware(lambda request: HttpResponse("reached the view"))

    def status(path: str, length: int) -> int:
        request = RequestFactory().generic(
            "POST",
            path,
            b"--x--\r\n",
            content_type="multipart/form-data; boundary=x",
            CONTENT_LENGTH=str(length),
        )
        return middleware(request).status_code

    assert status(URL, 60 * MB) == 200
    assert status(URL, limit + 1) == 413
    assert status("/approvals/window/", 60 * MB) == 413


@pytest.fixture
def online(setup: dict[str, Any]) -> Application:
    return do_file_application(
        actor=setup["system"],
        now=NOW,
        item_code=CONFIRM_CODE,
        centre=setup["hq_centre"],
        channel=Channel.ONLINE,
        applicant=ApplicantInput(kind="natural", name="王秀英", number=ID_NUMBER, phone=PHONE),
        attachments=material_uploads("居民身份证", "户口簿"),
    )


def test_files_are_refused_outside_the_handling_units(setup: dict[str, Any], online: Application) -> None:
    attachment = online.attachments.first()
    assert attachment is not None
    url = f"/approvals/applications/{online.pk}/attachments/{attachment.pk}/"
    assert login(setup["wt_clerk"]).get(url).status_code == 404  # another town's centre
    assert login(setup["wt_grid"]).get(url).status_code == 404
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    # The town's leader sees the application, but its ID card and household register stay with the
    # people handling it.
    leader = login(setup["hq_leader"])
    page = leader.get(f"/approvals/applications/{online.pk}/").content.decode()
    assert "户口簿" in page and "/attachments/" not in page
    assert leader.get(url).status_code == 403
    assert login(setup["hq_clerk"]).get(url).status_code == 200
    # Never a public media address.
    assert (attachment.file.name or "").startswith("approvals/")
    assert Client().get(f"/media/{attachment.file.name}").status_code == 404


def test_online_filing_takes_uploads_not_ticks(setup: dict[str, Any]) -> None:
    filing: dict[str, Any] = {
        "actor": setup["system"],
        "now": NOW,
        "item_code": CONFIRM_CODE,
        "centre": setup["hq_centre"],
        "channel": Channel.ONLINE,
        "applicant": ApplicantInput(kind="natural", name="王秀英", number=ID_NUMBER, phone=PHONE),
    }
    with pytest.raises(DomainError) as ticked:
        do_file_application(materials=["居民身份证", "户口簿"], **filing)
    assert ticked.value.field == "materials"
    with pytest.raises(MaterialsRefused) as missing:
        do_file_application(attachments=material_uploads("户口簿"), **filing)
    assert [(p.code, p.field) for p in missing.value.problems] == [("materials_missing", "materials.0")]
    with pytest.raises(MaterialsRefused) as unknown:
        do_file_application(attachments=material_uploads("居民身份证", "户口簿", "结婚证"), **filing)
    assert [(p.code, p.field) for p in unknown.value.problems] == [("invalid", "attachments")]
    assert not Application.objects.exists()


def test_the_window_keeps_its_checkboxes_for_paper_materials(setup: dict[str, Any]) -> None:
    clerk = login(setup["hq_clerk"])
    html = clerk.get(f"/approvals/window/?item={CONFIRM_CODE}").content.decode()
    assert 'type="checkbox" name="materials" value="居民身份证"' in html
    assert 'name="materials_0"' not in html
    assert window_post(clerk, materials=["营业执照"], decision="corrections").status_code == 303
    app = Application.objects.get()
    assert app.channel == Channel.WINDOW and not app.attachments.exists()
    assert [m["received"] for m in app.materials] == [True, False, False]


def test_the_catalogue_offers_its_import_template_to_stewards_only(setup: dict[str, Any]) -> None:
    html = Client().get("/approvals/").content.decode()
    assert (
        "data-catalogue-template" not in html and "template.xlsx" not in html and "下载目录模板" not in html
    )
    assert 'class="ap-catalogue"' in html and 'data-label="类型"' in html  # stacks on a phone
    anonymous = Client().get("/approvals/catalogue/template.xlsx")
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    clerk = login(setup["hq_clerk"])
    assert "template.xlsx" not in clerk.get("/approvals/").content.decode()
    assert clerk.get("/approvals/catalogue/template.xlsx").status_code == 403
    steward = login(setup["steward"])
    assert "data-catalogue-template" in steward.get("/approvals/").content.decode()
    assert steward.get("/approvals/catalogue/template.xlsx").status_code == 200


def test_the_pages_read_in_english(setup: dict[str, Any]) -> None:
    """The apply page, a refusal on it and the clerk's list of the files: no Chinese outside names and data
    (the item, its materials, the centre)."""
    from tests.test_english_staff_pages import data_names, untranslated

    client = Client()
    client.cookies["django_language"] = "en"
    form = client.get(URL).content.decode()
    assert "Upload the materials" in form and ">required<" in form and "Get an SMS code" in form
    names = [*data_names(), "居民身份证", "户口簿", "王秀英"]
    assert untranslated(form, names) == []
    assert client.post(URL, {**FIELDS, "step": "send"}).status_code == 200
    assert client.post(URL, {**FIELDS, "step": "verify", "code": _code()}).status_code == 200
    refused = submit(client, materials_0=pdf_upload())
    assert refused.status_code == 400
    html = refused.content.decode()
    assert field_errors(html, "materials_1") == ["Please upload the required material: 户口簿"]
    assert untranslated(html, names) == []
    assert submit(client, materials_0=pdf_upload(), materials_1=pdf_upload()).status_code == 303
    clerk = login(setup["hq_clerk"])
    clerk.cookies["django_language"] = "en"
    page = clerk.get(f"/approvals/applications/{Application.objects.get().pk}/").content.decode()
    assert "the applicant uploaded the materials" in page
    head, _sep, tail = page.partition("data-materials")
    section = head[head.rindex("<section") :] + tail[: tail.index("</section>")]
    assert untranslated(section, names) == []
