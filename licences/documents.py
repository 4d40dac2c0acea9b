"""The certificate as a document: an A4 PDF (WeasyPrint) with the holder (masked ID), the title, the body
lines, the issuer, the date, the identifier and a QR code to the public verification page.

The document as issued is rendered from the certificate's immutable fields only, so a re-render gives the
same bytes; `Certificate.pdf_hash` is its hash. Once revoked, the copy handed out carries a large 已撤销
mark with the date and reason, so a printed or forwarded copy cannot pass for a valid one (its hash is
then not the issued one, on purpose).

The QR code and the printed address point at PUBLIC_BASE_URL, never at localhost by accident: without it a
certificate is refused (503), except in development (DEBUG), where the address the request came in on is
used, on purpose."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.middleware import current_origin
from core.pdf import PDF_MEDIA_TYPE, qr_svg, render_pdf
from licences.models import Certificate

PUBLIC_BASE_URL_MISSING = "public_base_url_missing"


def public_base_url() -> str:
    """Where residents reach the public pages, printed in every certificate: settings.PUBLIC_BASE_URL; in
    development (DEBUG) without it, the scheme and host of the request being served. Otherwise (production
    unconfigured, or a background job in development) a refusal: DomainError `public_base_url_missing`,
    503, so that no certificate ever prints a guessed address."""
    configured = str(settings.PUBLIC_BASE_URL or "").rstrip("/")
    if configured:
        return configured
    origin = current_origin() if settings.DEBUG else ""
    if origin:
        return origin
    raise DomainError(
        PUBLIC_BASE_URL_MISSING,
        _("未配置公众访问地址（PUBLIC_BASE_URL），暂不能出具带核验二维码的证照，请联系系统管理员。"),
        status=503,
    )


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
