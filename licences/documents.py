"""The certificate as a document: an A4 PDF (WeasyPrint) with the holder (masked ID), the title, the body
lines, the issuer, the date, the identifier and a QR code to the public verification page.

The document as issued is rendered from the certificate's immutable fields only, so a re-render gives the
same bytes; `Certificate.pdf_hash` is its hash. Once revoked, the copy handed out carries a large 已撤销
mark with the date and reason, so a printed or forwarded copy cannot pass for a valid one (its hash is
then not the issued one, on purpose)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone

from core.pdf import PDF_MEDIA_TYPE, qr_svg, render_pdf
from licences.models import Certificate

DEFAULT_PUBLIC_BASE_URL = "http://localhost:8000"


def public_base_url() -> str:
    """Where residents reach the public pages: settings.PUBLIC_BASE_URL when the project defines it, else
    the development server (see docs/licences.md)."""
    return str(getattr(settings, "PUBLIC_BASE_URL", "") or DEFAULT_PUBLIC_BASE_URL).rstrip("/")


def verify_path(certificate: Certificate) -> str:
    return reverse("licences:verify", args=[certificate.identifier])


def verify_url(certificate: Certificate) -> str:
    return public_base_url() + verify_path(certificate)


def certificate_pdf(certificate: Certificate, *, as_issued: bool = False) -> bytes:
    url = verify_url(certificate)
    revoked = certificate.revoked_at is not None and not as_issued
    context = {
        "revoked": revoked,
        "revoked_on": timezone.localdate(certificate.revoked_at)
        if revoked and certificate.revoked_at
        else None,
        "certificate": certificate,
        "licence_type": certificate.licence_type,
        "issuer": certificate.issuer,
        "lines": [(str(label), str(value)) for label, value in certificate.body],
        "issued_on": timezone.localdate(certificate.issued_at),
        "verify_url": url,
        "qr": qr_svg(url, scale=3),
    }
    return render_pdf("licences/certificate_pdf.html", context)


def pdf_response(certificate: Certificate) -> HttpResponse:
    response = HttpResponse(certificate_pdf(certificate), content_type=PDF_MEDIA_TYPE)
    response["Content-Disposition"] = f'inline; filename="{certificate.identifier}.pdf"'
    return response
