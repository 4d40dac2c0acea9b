"""Staff pages of 三资 (under /territorial/)."""

from django.urls import URLPattern, URLResolver, path

from territorial import views_staff as v

app_name = "territorial"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", v.index, name="index"),
    path("organisations/<int:org_id>/", v.ledger, name="ledger"),
    path("organisations/<int:org_id>/entries/", v.record_entry, name="record_entry"),
    path("organisations/<int:org_id>/accounts/", v.open_account, name="open_account"),
    path("payments/", v.payment_list, name="payments"),
    path("payments/new/", v.payment_new, name="payment_new"),
    path("payments/<int:payment_id>/", v.payment_detail, name="payment"),
    path("payments/<int:payment_id>/review/", v.payment_review, name="payment_review"),
    path("payments/<int:payment_id>/voucher/", v.payment_voucher, name="payment_voucher"),
    path("contracts/", v.contract_list, name="contracts"),
    path("contracts/new/", v.contract_new, name="contract_new"),
    path("contracts/<int:contract_id>/", v.contract_detail, name="contract"),
    path("contracts/<int:contract_id>/<str:verb>/", v.contract_act, name="contract_act"),
    path("assets/", v.asset_list, name="assets"),
    path("assets/<int:asset_id>/", v.asset_detail, name="asset"),
    path("assets/<int:asset_id>/photos/", v.asset_photo_add, name="asset_photo_add"),
    path("assets/<int:asset_id>/photos/<int:photo_id>/", v.asset_photo, name="asset_photo"),
    path("asset-changes/new/", v.asset_change_new, name="asset_change_new"),
    path("asset-changes/<int:change_id>/", v.asset_change_detail, name="asset_change"),
    path("resources/", v.resource_list, name="resources"),
    path("warnings/", v.warning_list, name="warnings"),
    path("institutions/", v.institution_list, name="institutions"),
    path("institutions/<int:unit_id>/", v.institution_detail, name="institution"),
    path("institutions/<int:unit_id>/<str:verb>/", v.institution_act, name="institution_act"),
]
