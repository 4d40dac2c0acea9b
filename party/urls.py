"""Pages of the party app (under /party/): the staff pages and the member's phone pages (m/)."""

from django.urls import URLPattern, URLResolver, path

from party import views, views_mobile, views_needs, views_work

app_name = "party"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("members/", views.member_list, name="members"),
    path("members/<int:member_id>/", views.member_detail, name="member"),
    path("meetings/", views.meeting_list, name="meetings"),
    path("meetings/<int:meeting_id>/", views_work.meeting_detail, name="meeting"),
    path("pairings/", views_work.pairing_list, name="pairings"),
    path("projects/", views_work.project_list, name="projects"),
    path("needs/", views_needs.need_list, name="needs"),
    path("needs/<int:need_id>/", views_needs.need_detail, name="need"),
    path("m/visits/", views_mobile.visit_list, name="m_visits"),
    path("m/visits/<int:visit_id>/", views_mobile.visit_log, name="m_visit"),
    path("m/visits/<int:visit_id>/needs/", views_mobile.visit_need, name="m_visit_need"),
]
