"""Pages of licences: public /verify/ and /selfservice/, staff pages under /licences/."""

from django.urls import URLPattern, URLResolver, path

from licences import views

app_name = "licences"
urlpatterns: list[URLPattern | URLResolver] = [
    path("verify/", views.verify_lookup, name="verify_lookup"),
    path("verify/<str:identifier>/", views.verify, name="verify"),
    path("selfservice/", views.selfservice_home, name="selfservice"),
    path("selfservice/no-housing/", views.no_housing_start, name="no_housing"),
    path("selfservice/no-housing/confirm/", views.no_housing_confirm, name="no_housing_confirm"),
    path("selfservice/finish/", views.selfservice_finish, name="selfservice_finish"),
    path("selfservice/certificates/<str:identifier>.pdf", views.selfservice_pdf, name="selfservice_pdf"),
    path("licences/certificates/", views.certificate_list, name="certificates"),
    path("licences/certificates/<str:identifier>/", views.certificate_detail, name="certificate"),
    path("licences/certificates/<str:identifier>/pdf", views.certificate_pdf_view, name="certificate_pdf"),
    path(
        "licences/certificates/<str:identifier>/revoke/", views.certificate_revoke, name="certificate_revoke"
    ),
    path("licences/properties/import/", views.property_import, name="property_import"),
    path("licences/properties/template.xlsx", views.property_template, name="property_template"),
]
