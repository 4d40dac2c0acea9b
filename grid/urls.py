"""Staff pages of grid (under /grid/)."""

from django.urls import URLPattern, URLResolver

app_name = "grid"
urlpatterns: list[URLPattern | URLResolver] = []
