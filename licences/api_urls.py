"""API routes of licences (under /api/v1/licences/)."""

from django.urls import URLPattern, URLResolver, path

from licences import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("certificates/<str:identifier>/", api.CertificateStatusView.as_view(), name="licences-certificate"),
    path(
        "certificates/<str:identifier>/pdf", api.CertificatePdfView.as_view(), name="licences-certificate-pdf"
    ),
    path(
        "certificates/<str:identifier>/revoke/",
        api.CertificateRevokeView.as_view(),
        name="licences-certificate-revoke",
    ),
]
