from django.urls import path

from command import screen, views

app_name = "command"

urlpatterns = [
    path("", views.desk, name="desk"),
    path("items/", views.items_page, name="items"),
    path("map/", views.map_page, name="map"),
    path("screen/", screen.screen_page, name="screen"),
]
