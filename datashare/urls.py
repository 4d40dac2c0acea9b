"""Staff pages of the data catalogue and its grant requests (under /datashare/)."""

from django.urls import path

from datashare import views

app_name = "datashare"

urlpatterns = [
    path("", views.catalogue_page, name="catalogue"),
    path("sources/<int:connector_id>/", views.connector_page, name="connector"),
    path("grants/", views.grants_page, name="grants"),
    path("grants/<int:grant_id>/review/", views.review_grant, name="grant_review"),
    path("grants/<int:grant_id>/token/", views.grant_token, name="grant_token"),
]
