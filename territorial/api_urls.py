"""API routes of 三资 (under /api/v1/territorial/)."""

from django.urls import URLPattern, URLResolver, path

from territorial import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("organisations/", api.OrganisationsView.as_view(), name="territorial-organisations"),
    path("organisations/<int:org_id>/ledger/", api.LedgerView.as_view(), name="territorial-ledger"),
    path("assets/", api.AssetsView.as_view(), name="territorial-assets"),
    path("resources/", api.ResourcesView.as_view(), name="territorial-resources"),
    path("contracts/", api.ContractsView.as_view(), name="territorial-contracts"),
    path("payments/", api.PaymentsView.as_view(), name="territorial-payments"),
    path("payments/<int:payment_id>/", api.PaymentView.as_view(), name="territorial-payment"),
    path(
        "payments/<int:payment_id>/actions/<str:action>/",
        api.PaymentActionView.as_view(),
        name="territorial-payment-action",
    ),
    path("findings/", api.FindingsView.as_view(), name="territorial-findings"),
    path(
        "disclosure/<str:village_code>/<int:year>/<int:month>/",
        api.DisclosureView.as_view(),
        name="territorial-disclosure",
    ),
]
