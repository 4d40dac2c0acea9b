"""API routes of 三资 (under /api/v1/territorial/)."""

from django.urls import URLPattern, URLResolver, path

from territorial import api
from territorial import api_institutions as inst

urlpatterns: list[URLPattern | URLResolver] = [
    path("organisations/", api.OrganisationsView.as_view(), name="territorial-organisations"),
    path("organisations/<int:org_id>/ledger/", api.LedgerView.as_view(), name="territorial-ledger"),
    path("organisations/<int:org_id>/entries/", api.EntriesView.as_view(), name="territorial-entries"),
    path("assets/", api.AssetsView.as_view(), name="territorial-assets"),
    path("resources/", api.ResourcesView.as_view(), name="territorial-resources"),
    path("contracts/", api.ContractsView.as_view(), name="territorial-contracts"),
    path(
        "contracts/<int:contract_id>/instalments/<int:instalment_id>/receive/",
        api.ReceiveInstalmentView.as_view(),
        name="territorial-instalment-receive",
    ),
    path("payments/", api.PaymentsView.as_view(), name="territorial-payments"),
    path("payments/<int:payment_id>/", api.PaymentView.as_view(), name="territorial-payment"),
    path(
        "payments/<int:payment_id>/actions/<str:action>/",
        api.PaymentActionView.as_view(),
        name="territorial-payment-action",
    ),
    path("institutions/", inst.InstitutionsView.as_view(), name="territorial-institutions"),
    path("institutions/<int:unit_id>/", inst.InstitutionView.as_view(), name="territorial-institution"),
    path("institutions/<int:unit_id>/posts/", inst.PostsView.as_view(), name="territorial-institution-posts"),
    path(
        "institutions/<int:unit_id>/posts/<int:post_id>/holders/",
        inst.HoldersView.as_view(),
        name="territorial-institution-post-holders",
    ),
    path(
        "institutions/<int:unit_id>/posts/<int:post_id>/moves/",
        inst.MovesView.as_view(),
        name="territorial-institution-post-moves",
    ),
    path(
        "institutions/<int:unit_id>/evaluations/",
        inst.EvaluationsView.as_view(),
        name="territorial-institution-evaluations",
    ),
    path(
        "institutions/<int:unit_id>/duties/",
        inst.DutiesView.as_view(),
        name="territorial-station-duties",
    ),
    path(
        "institutions/<int:unit_id>/duties/<int:duty_id>/retire/",
        inst.DutyRetireView.as_view(),
        name="territorial-station-duty-retire",
    ),
    path("findings/", api.FindingsView.as_view(), name="territorial-findings"),
    path(
        "disclosure/<str:village_code>/<int:year>/<int:month>/",
        api.DisclosureView.as_view(),
        name="territorial-disclosure",
    ),
]
