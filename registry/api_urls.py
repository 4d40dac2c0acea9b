"""API routes of the registries (under /api/v1/registry/)."""

from django.urls import URLPattern, URLResolver, path

from registry import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("people/", api.PeopleView.as_view(), name="registry-people"),
    path("people/<int:person_id>/", api.PersonView.as_view(), name="registry-person"),
    path("people/<int:person_id>/unmask/", api.PersonUnmaskView.as_view(), name="registry-person-unmask"),
    path("households/<int:household_id>/", api.HouseholdView.as_view(), name="registry-household"),
    path("buildings/<int:building_id>/", api.BuildingView.as_view(), name="registry-building"),
    path("entities/<int:entity_id>/", api.EntityView.as_view(), name="registry-entity"),
    path("entities/<int:entity_id>/unmask/", api.EntityUnmaskView.as_view(), name="registry-entity-unmask"),
    path("places/", api.PlacesView.as_view(), name="registry-places"),
    path("addresses/", api.AddressesView.as_view(), name="registry-addresses"),
    path("addresses/locate/", api.AddressLocateView.as_view(), name="registry-address-locate"),
    path("public/addresses/", api.PublicAddressesView.as_view(), name="registry-public-addresses"),
]
