"""API routes of grid (under /api/v1/grid/)."""

from django.urls import URLPattern, URLResolver, path

from grid.events.api import staff as events_api
from grid.figures import api as figures_api
from grid.standards import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("categories/", api.CategoriesView.as_view(), name="grid-categories"),
    path("standard-versions/", api.StandardVersionsView.as_view(), name="grid-standard-versions"),
    path("routing/preview/", api.RoutingPreviewView.as_view(), name="grid-routing-preview"),
    path("grids/<str:code>/lists/", api.GridListsView.as_view(), name="grid-lists"),
    path("grids/<str:code>/patrol-items/", api.PatrolItemsView.as_view(), name="grid-patrol-items"),
    path("grids/<str:code>/basic-info/", api.BasicInfoView.as_view(), name="grid-basic-info"),
    path("figures/", figures_api.FiguresView.as_view(), name="grid-figures"),
    path("events/", events_api.EventListView.as_view(), name="grid-events"),
    path("events/<int:event_id>/", events_api.EventDetailView.as_view(), name="grid-event"),
    path("events/<int:event_id>/actions/", events_api.EventActionView.as_view(), name="grid-event-actions"),
]
