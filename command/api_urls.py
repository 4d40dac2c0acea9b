from django.urls import path

from command import api, map_api
from command.warnings import api as warnings_api

urlpatterns = [
    path("indicators/", api.IndicatorsView.as_view(), name="command-indicators"),
    path("figures/", api.FiguresView.as_view(), name="command-figures"),
    path("figures/items/", api.FigureItemsView.as_view(), name="command-figure-items"),
    path("map/items.geojson", map_api.MapItemsView.as_view(), name="command-map-items"),
    path("warnings/", warnings_api.WarningListView.as_view(), name="command-warnings"),
    path("warnings/<int:warning_id>/", warnings_api.WarningDetailView.as_view(), name="command-warning"),
    path(
        "warnings/<int:warning_id>/transitions/",
        warnings_api.WarningActView.as_view(),
        name="command-warning-act",
    ),
]
