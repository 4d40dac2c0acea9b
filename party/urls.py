"""Pages of the party app (under /party/): the member's phone pages (m/)."""

from django.urls import URLPattern, URLResolver, path

from party import views_mobile

app_name = "party"
urlpatterns: list[URLPattern | URLResolver] = [
    path("m/visits/", views_mobile.visit_list, name="m_visits"),
    path("m/visits/<int:visit_id>/", views_mobile.visit_log, name="m_visit"),
]
