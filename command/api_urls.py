from django.urls import path

from command import api

urlpatterns = [
    path("indicators/", api.IndicatorsView.as_view(), name="command-indicators"),
    path("figures/", api.FiguresView.as_view(), name="command-figures"),
    path("figures/items/", api.FigureItemsView.as_view(), name="command-figure-items"),
]
