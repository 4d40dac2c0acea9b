"""Staff pages of the data catalogue (under /datashare/)."""

from django.urls import path

from datashare import views

app_name = "datashare"

urlpatterns = [
    path("", views.catalogue_page, name="catalogue"),
    path("sources/<int:connector_id>/", views.connector_page, name="connector"),
]
