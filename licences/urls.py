"""Pages of licences (under /verify/ and selfservice/ (public))."""

from django.urls import URLPattern, URLResolver

app_name = "licences"
urlpatterns: list[URLPattern | URLResolver] = []
