"""Public pages of enforcement (under /public/enforcement/): matters, procedures and remedies; published
decisions (三项制度: 行政执法公示)."""

from django.urls import URLPattern, URLResolver, path

from enforcement import views_public

app_name = "enforcement_public"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views_public.matters, name="matters"),
    path("decisions/", views_public.decisions, name="decisions"),
]
