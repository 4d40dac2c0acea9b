"""Staff pages of the registries (under /registry/)."""

from django.urls import path

from registry import views

app_name = "registry"

urlpatterns = [
    path("", views.search, name="search"),
    path("people/<int:person_id>/", views.person_page, name="person"),
    path("buildings/<int:building_id>/", views.building_page, name="building"),
    path("entities/<int:entity_id>/", views.entity_page, name="entity"),
]
