from django.urls import path

from command import api, map_api

urlpatterns = [
    path("indicators/", api.IndicatorsView.as_view(), name="command-indicators"),
    path("figures/", api.FiguresView.as_view(), name="command-figures"),
    path("figures/items/", api.FigureItemsView.as_view(), name="command-figure-items"),
    path("map/items.geojson", map_api.MapItemsView.as_view(), name="command-map-items"),
]
