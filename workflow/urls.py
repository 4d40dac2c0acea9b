"""Staff pages of the workflow, mounted at /work/."""

from django.urls import URLPattern, URLResolver, path

from workflow import views

app_name = "workflow"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.inbox, name="inbox"),
    path("items/<int:item_id>/", views.item_page, name="item"),
    path("items/<int:item_id>/act/", views.act, name="act"),
]
