"""Staff pages of the registries (under /registry/)."""

from django.urls import path

from registry import views, views_import

app_name = "registry"

urlpatterns = [
    path("", views.search, name="search"),
    path("people/<int:person_id>/", views.person_page, name="person"),
    path("buildings/<int:building_id>/", views.building_page, name="building"),
    path("entities/<int:entity_id>/", views.entity_page, name="entity"),
    path("import/", views_import.import_page, name="import"),
    path("import/report/<str:token>/", views_import.import_report, name="import_report"),
    path("import/jobs/<str:token>/", views_import.import_job, name="import_job"),
    path("import/jobs/<str:token>/errors/", views_import.import_job_report, name="import_job_report"),
]
