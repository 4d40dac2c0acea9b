"""/api/v1/territory/: see territory.api for the endpoints and their JSON shapes."""

from django.urls import URLPattern, URLResolver, path

from territory import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("divisions/", api.DivisionTreeView.as_view(), name="territory-divisions"),
    path("grids/", api.GridListView.as_view(), name="territory-grids"),
    path("grids/<str:code>/", api.GridDetailView.as_view(), name="territory-grid"),
    path("locate/", api.LocateView.as_view(), name="territory-locate"),
    path("layers/district/", api.DistrictLayerView.as_view(), name="territory-layer-district"),
    path("layers/towns/", api.TownLayerView.as_view(), name="territory-layer-towns"),
    path("layers/villages/", api.VillageLayerView.as_view(), name="territory-layer-villages"),
]
