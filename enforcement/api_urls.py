"""API routes of enforcement (under /api/v1/enforcement/)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
