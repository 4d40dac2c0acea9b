"""Window intake: the item picker finds an item by a part of its name, its code or the pinyin initials of
its name; the scans taken at intake open for staff who may see the application, and for nobody else."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from approvals.models import Application, ServiceItem
from approvals.search import initials, search_keys
from approvals.testing import CONFIRM_CODE, LICENCE_CODE

from .conftest import NOW
from .test_pages import login, window_post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def test_initials_of_names() -> None:
    assert initials("居住证") == "jzz"
    assert initials("居住证签注（重庆）") == "jzzqzcq"  # the phrase decides the heteronym 重
    assert initials("ICP备案2号") == "icpba2h"  # Latin letters and digits kept, lower case
    assert initials("") == ""


def test_initials_are_computed_once_per_name() -> None:
    initials.cache_clear()
    for _ in range(3):
        initials("食品经营许可")
    info = initials.cache_info()
    assert info.misses == 1 and info.hits == 2


def test_search_keys_carry_codes_and_initials(setup: dict[str, Any]) -> None:
    item = ServiceItem.objects.select_related("current_version").get(implementation_code=LICENCE_CODE)
    keys = search_keys(item).split()
    assert item.current_version is not None
    assert LICENCE_CODE.lower() in keys and item.basic_code.lower() in keys
    assert initials(item.current_version.name) in keys
    assert keys[-1].startswith("spjyxk")  # 食品经营许可…


def test_window_picker_offers_search_keys(setup: dict[str, Any]) -> None:
    html = login(setup["hq_clerk"]).get("/approvals/window/").content.decode()
    assert 'id="id_pick_item" data-search' in html
    assert f'value="{LICENCE_CODE}" data-keys="{LICENCE_CODE.lower()} ' in html
    assert "cxjmjbylbxcbdj" in html  # 城乡居民基本养老保险参保登记


def test_proxy_picker_offers_search_keys_too(setup: dict[str, Any]) -> None:
    response = login(setup["hq_grid"]).get("/approvals/proxy/")
    assert response.status_code == 200
    assert f'data-keys="{CONFIRM_CODE.lower()} ' in response.content.decode()


@pytest.fixture
def scanned(setup: dict[str, Any], settings: Any, tmp_path: Any) -> Application:
    settings.MEDIA_ROOT = tmp_path
    scan = SimpleUploadedFile("licence.pdf", b"%PDF-1.4 scan", content_type="application/pdf")
    assert window_post(login(setup["hq_clerk"]), scans=[scan]).status_code == 303
    return Application.objects.get()


def test_scan_opens_from_the_application_page(setup: dict[str, Any], scanned: Application) -> None:
    clerk = login(setup["hq_clerk"])
    attachment = scanned.attachments.get()
    url = f"/approvals/applications/{scanned.pk}/attachments/{attachment.pk}/"
    assert url in clerk.get(f"/approvals/applications/{scanned.pk}/").content.decode()
    response = clerk.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 scan"  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"]


def test_scan_refused_to_outsider_and_anonymous(setup: dict[str, Any], scanned: Application) -> None:
    attachment = scanned.attachments.get()
    url = f"/approvals/applications/{scanned.pk}/attachments/{attachment.pk}/"
    assert login(setup["wt_clerk"]).get(url).status_code == 404  # another town's centre
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]


def test_scan_of_another_application_or_unknown_is_404(setup: dict[str, Any], scanned: Application) -> None:
    clerk = login(setup["hq_clerk"])
    attachment = scanned.attachments.get()
    assert window_post(clerk).status_code == 303
    other = Application.objects.exclude(pk=scanned.pk).get()
    assert clerk.get(f"/approvals/applications/{other.pk}/attachments/{attachment.pk}/").status_code == 404
    assert clerk.get(f"/approvals/applications/{scanned.pk}/attachments/999999/").status_code == 404
    assert clerk.post(f"/approvals/applications/{scanned.pk}/attachments/{attachment.pk}/").status_code == 405
