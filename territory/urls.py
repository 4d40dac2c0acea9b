"""Staff pages of territory."""

from django.urls import URLPattern, URLResolver

app_name = "territory"
urlpatterns: list[URLPattern | URLResolver] = []
