"""Public pages of enforcement (under /public/enforcement/): matters, procedures and remedies; published
decisions (三项制度: 行政执法公示)."""

from django.urls import URLPattern, URLResolver

app_name = "enforcement_public"
urlpatterns: list[URLPattern | URLResolver] = []
