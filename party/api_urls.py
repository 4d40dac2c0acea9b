"""API routes of the party app (under /api/v1/party/)."""

from django.urls import URLPattern, URLResolver, path

from party import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("organisations/", api.OrganisationsView.as_view(), name="party-organisations"),
    path("members/", api.MembersView.as_view(), name="party-members"),
    path("one-shoulder/", api.OneShoulderView.as_view(), name="party-one-shoulder"),
    path("figures/", api.FiguresView.as_view(), name="party-figures"),
]
