"""Pages of enforcement (under /enforcement/)."""

from django.urls import URLPattern, URLResolver

app_name = "enforcement"
urlpatterns: list[URLPattern | URLResolver] = []
