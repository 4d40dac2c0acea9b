"""Staff pages of 三资 and the town-managed institutions (under /territorial/; views in pages/)."""

from django.urls import URLPattern, URLResolver, path

from territorial.pages import assets, contracts, institutions, ledger, overview

app_name = "territorial"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", overview.index, name="index"),
    path("organisations/<int:org_id>/", ledger.ledger, name="ledger"),
    path("organisations/<int:org_id>/entries/", ledger.record_entry, name="record_entry"),
    path("organisations/<int:org_id>/accounts/", ledger.open_account, name="open_account"),
    path("entries/<int:entry_id>/voucher/", ledger.entry_voucher, name="entry_voucher"),
    path("payments/", ledger.payment_list, name="payments"),
    path("payments/new/", ledger.payment_new, name="payment_new"),
    path("payments/<int:payment_id>/", ledger.payment_detail, name="payment"),
    path("payments/<int:payment_id>/review/", ledger.payment_review, name="payment_review"),
    path("payments/<int:payment_id>/voucher/", ledger.payment_voucher, name="payment_voucher"),
    path("contracts/", contracts.contract_list, name="contracts"),
    path("contracts/new/", contracts.contract_new, name="contract_new"),
    path("contracts/<int:contract_id>/", contracts.contract_detail, name="contract"),
    path("contracts/<int:contract_id>/document/file/", contracts.contract_document, name="contract_document"),
    path("contracts/<int:contract_id>/<str:verb>/", contracts.contract_act, name="contract_act"),
    path("assets/", assets.asset_list, name="assets"),
    path("assets/<int:asset_id>/", assets.asset_detail, name="asset"),
    path("assets/<int:asset_id>/photos/", assets.asset_photo_add, name="asset_photo_add"),
    path("assets/<int:asset_id>/photos/<int:photo_id>/", assets.asset_photo, name="asset_photo"),
    path("asset-changes/new/", assets.asset_change_new, name="asset_change_new"),
    path("asset-changes/<int:change_id>/", assets.asset_change_detail, name="asset_change"),
    path("asset-changes/<int:change_id>/voucher/", assets.asset_change_voucher, name="asset_change_voucher"),
    path("resources/", assets.resource_list, name="resources"),
    path("warnings/", overview.warning_list, name="warnings"),
    path("institutions/", institutions.institution_list, name="institutions"),
    path("institutions/<int:unit_id>/", institutions.institution_detail, name="institution"),
    path("institutions/<int:unit_id>/<str:verb>/", institutions.institution_act, name="institution_act"),
]
