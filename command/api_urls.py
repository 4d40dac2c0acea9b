from django.urls import path

from command import api, map_api, map_layers, screen

urlpatterns = [
    path("indicators/", api.IndicatorsView.as_view(), name="command-indicators"),
    path("figures/", api.FiguresView.as_view(), name="command-figures"),
    path("figures/items/", api.FigureItemsView.as_view(), name="command-figure-items"),
    path("map/items.geojson", map_api.MapItemsView.as_view(), name="command-map-items"),
    path("map/grids.geojson", map_layers.MapGridsView.as_view(), name="command-map-grids"),
    path("map/heat.geojson", map_layers.MapHeatView.as_view(), name="command-map-heat"),
    path("screen/figures/", screen.ScreenFiguresView.as_view(), name="command-screen-figures"),
    path("screen/feed/", screen.ScreenFeedView.as_view(), name="command-screen-feed"),
]
