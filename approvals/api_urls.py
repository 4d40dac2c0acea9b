"""API routes of approvals (under /api/v1/approvals/)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
