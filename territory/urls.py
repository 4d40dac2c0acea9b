"""Staff pages of territory: /territory/map/ and /territory/grids/<code>/."""

from django.urls import URLPattern, URLResolver, path

from territory import views

app_name = "territory"
urlpatterns: list[URLPattern | URLResolver] = [
    path("map/", views.map_page, name="map"),
    path("grids/<str:code>/", views.grid_page, name="grid"),
]
