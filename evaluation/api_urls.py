"""API routes of evaluation (under /api/v1/enforcement/officers/)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
