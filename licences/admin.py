"""Read-only admin views of the licences data: writes go through the actions (issue/revoke on the staff
pages, the register through its XLSX import, licence types through do_seed_licence_types). Encrypted
columns and hashes are never shown."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from licences.models import Certificate, LicenceType, PropertyRecord
from licences.selectors import mask_address


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LicenceType)
class LicenceTypeAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "holder_kind", "validity_days", "default_issuer", "active"]
    search_fields = ["code", "name"]


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = [
        "identifier",
        "title",
        "holder_name",
        "holder_number_display",
        "issuer",
        "issued_at",
        "revoked_at",
    ]
    list_filter = ["licence_type", "holder_kind"]
    search_fields = ["identifier", "holder_name"]
    list_select_related = ["issuer"]
    exclude = ["holder_number_encrypted", "holder_number_hash"]


@admin.register(PropertyRecord)
class PropertyRecordAdmin(ReadOnlyAdmin):
    list_display = [
        "certificate_number",
        "owner_name",
        "masked_address",
        "territory_code",
        "area_m2",
        "registered_at",
        "cancelled_at",
        "is_demo",
    ]
    list_filter = ["is_demo"]
    search_fields = ["certificate_number", "owner_name"]
    exclude = ["owner_id_encrypted", "owner_id_hash", "property_address"]
    readonly_fields = ["masked_address"]

    @admin.display(description="不动产坐落（隐去门牌）")
    def masked_address(self, record: PropertyRecord) -> str:
        return mask_address(record.property_address)
