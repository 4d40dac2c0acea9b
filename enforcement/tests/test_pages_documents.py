"""Documents and publication from the case page: generate a form, open its PDF and the case file, publish."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.test import Client

from core.pdf import pdf_text
from enforcement.actions import do_open_case
from enforcement.models import CaseDocument
from enforcement.tests.test_case_flow import ORDINARY, at

pytestmark = pytest.mark.django_db


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_officer_generates_a_form_and_opens_it(people: dict[str, Any]) -> None:
    with time_machine.travel(at(3, 2), tick=False):
        case = do_open_case(dict(ORDINARY), actor=people["hq_officer2"], now=at(3, 2))
        officer = login(people["hq_officer2"])
        response = officer.post(f"/enforcement/cases/{case.pk}/documents/", {"kind": "filing_approval"})
        assert response.status_code == 302
        document = CaseDocument.objects.get(case=case, kind="filing_approval")
        page = officer.get(f"/enforcement/cases/{case.pk}/").content.decode()
        assert f"/enforcement/cases/{case.pk}/documents/{document.pk}.pdf" in page
        pdf = officer.get(f"/enforcement/cases/{case.pk}/documents/{document.pk}.pdf")
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
        text = pdf_text(b"".join(pdf.streaming_content)).replace(" ", "")  # type: ignore[attr-defined]
        assert "立案审批表" in text and "320507198001011231" not in text
        case_file = officer.get(f"/enforcement/cases/{case.pk}/case-file.pdf")
        assert case_file.status_code == 200 and case_file.content.startswith(b"%PDF")


def test_refusals(people: dict[str, Any]) -> None:
    with time_machine.travel(at(3, 2), tick=False):
        case = do_open_case(dict(ORDINARY), actor=people["hq_officer2"], now=at(3, 2))
        officer = login(people["hq_officer2"])
        # Bad kind and a form whose step has not come: a message, nothing stored.
        page = officer.post(f"/enforcement/cases/{case.pk}/documents/", {"kind": "nonsense"}, follow=True)
        assert "不能生成该种类的文书" in page.content.decode()
        page = officer.post(f"/enforcement/cases/{case.pk}/documents/", {"kind": "decision"}, follow=True)
        assert "尚未作出处罚决定" in page.content.decode()
        # Not decided: cannot be published.
        page = officer.post(f"/enforcement/cases/{case.pk}/publication/", {"action": "publish"}, follow=True)
        assert "尚未作出处罚决定，不能公示" in page.content.decode()
        # An agency member (no enforcement role) is refused; the outsider sees nothing.
        agency = login(people["hq_agency"])
        agency.post(f"/enforcement/cases/{case.pk}/documents/", {"kind": "filing_approval"})
        assert not CaseDocument.objects.filter(case=case).exists()
        outsider = login(people["wt_officer"])
        url = f"/enforcement/cases/{case.pk}/documents/"
        assert outsider.post(url, {"kind": "filing_approval"}).status_code == 404
        assert outsider.get(f"/enforcement/cases/{case.pk}/case-file.pdf").status_code == 404
        assert (
            outsider.post(f"/enforcement/cases/{case.pk}/publication/", {"action": "publish"}).status_code
            == 404
        )
        assert not CaseDocument.objects.filter(case=case).exists()
