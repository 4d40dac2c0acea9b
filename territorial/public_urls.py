"""Public pages of 属地管理 (under /public/territorial/)."""

from django.urls import URLPattern, URLResolver, path

from territorial import views

app_name = "territorial_public"
urlpatterns: list[URLPattern | URLResolver] = [
    path("<str:village_code>/<int:year>/<int:month>/", views.disclosure, name="disclosure"),
]
