"""Routes of the accounts API, mounted at /api/v1/."""

from django.urls import URLPattern, URLResolver, path

from accounts import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("auth/token/", api.TokenView.as_view(), name="api-auth-token"),
    path("me/", api.MeView.as_view(), name="api-me"),
    path("people/", api.PeopleListView.as_view(), name="api-people"),
    path("people/<str:username>/", api.PersonDetailView.as_view(), name="api-person"),
    path("org-units/", api.OrgUnitListView.as_view(), name="api-org-units"),
    path("org-units/<str:code>/", api.OrgUnitDetailView.as_view(), name="api-org-unit"),
]
