"""Pages of ratings (under /ratings/)."""

from django.urls import URLPattern, URLResolver, path

from ratings import views

app_name = "ratings"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.rating_list, name="list"),
    path("<int:rating_id>/", views.rating_detail, name="detail"),
    path("rate/", views.rate_identify, name="rate"),
    path("rate/form/", views.rate_form, name="rate_form"),
    path("pad/<int:application_id>/", views.pad, name="pad"),
    path("figures/", views.figures_page, name="figures"),
]
