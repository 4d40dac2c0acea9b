"""Staff pages of grid (under /grid/)."""

from django.urls import URLPattern, URLResolver, path

from grid import views

app_name = "grid"
urlpatterns: list[URLPattern | URLResolver] = [
    path("grids/<str:code>/lists/", views.grid_lists, name="lists"),
]
