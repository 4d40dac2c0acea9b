"""API routes of ratings (under /api/v1/ratings/)."""

from django.urls import URLPattern, URLResolver, path

from ratings import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("", api.RateView.as_view(), name="ratings-rate"),
    path("codes/", api.CodeView.as_view(), name="ratings-codes"),
    path("figures/", api.FiguresView.as_view(), name="ratings-figures"),
]
