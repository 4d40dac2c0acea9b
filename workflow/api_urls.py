"""Routes of the workflow API, mounted at /api/v1/."""

from django.urls import URLPattern, URLResolver, path

from workflow import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("work-items/", api.WorkItemListView.as_view(), name="work-items"),
    path("work-items/<int:item_id>/", api.WorkItemDetailView.as_view(), name="work-item"),
    path(
        "work-items/<int:item_id>/transitions/",
        api.WorkItemTransitionView.as_view(),
        name="work-item-transitions",
    ),
]
