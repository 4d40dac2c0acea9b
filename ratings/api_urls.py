"""API routes of ratings (under /api/v1/ratings/)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
