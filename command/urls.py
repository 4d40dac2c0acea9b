from django.urls import path

from command import views
from command.warnings import views as warning_views

app_name = "command"

urlpatterns = [
    path("", views.desk, name="desk"),
    path("items/", views.items_page, name="items"),
    path("map/", views.map_page, name="map"),
    path("warnings/", warning_views.page, name="warnings"),
    path("warnings/panel/", warning_views.panel, name="warnings_panel"),
    path("warnings/<int:warning_id>/act/", warning_views.act, name="warning_act"),
]
