"""Pages of enforcement (under /enforcement/)."""

from django.urls import URLPattern, URLResolver, path

from enforcement import views

app_name = "enforcement"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.case_list, name="cases"),
    path("cases/<int:case_id>/", views.case_page, name="case"),
    path("cases/<int:case_id>/act/", views.case_act, name="case_act"),
    path("cases/<int:case_id>/record/", views.case_record, name="case_record"),
    path("convert/<int:event_id>/", views.convert_event, name="convert"),
]
