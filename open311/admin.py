"""Admin for Open311: administrators issue and revoke API keys (the key is shown once, on issue) and edit
the service definitions' attributes. Every change goes through an action (with its audit row)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone

from core.errors import DomainError
from open311 import actions
from open311.attributes import validate_definition_row
from open311.models import ApiKey, RequestToken, ServiceAttribute


class IssueKeyForm(forms.ModelForm):
    key = forms.CharField(
        label="指定密钥（选填）",
        required=False,
        strip=False,
        help_text="留空则随机生成。密钥只在签发时显示一次，平台只保存其哈希。",
    )

    def clean_key(self) -> str:
        key: str = self.cleaned_data.get("key") or ""
        if key and (len(key) < actions.MIN_KEY_LENGTH or key != key.strip()):
            raise forms.ValidationError(f"密钥至少 {actions.MIN_KEY_LENGTH} 个字符，且首尾不能有空格。")
        return key

    class Meta:
        model = ApiKey
        fields = ["name", "contact", "owner", "rate_limit_per_hour"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "contact", "active", "rate_limit_per_hour", "created_at", "revoked_at"]
    list_filter = ["active"]
    search_fields = ["name", "prefix", "contact"]
    raw_id_fields = ["owner"]
    actions = ["revoke"]
    readonly_fields = [
        "name",
        "prefix",
        "contact",
        "owner",
        "rate_limit_per_hour",
        "active",
        "created_at",
        "created_by",
        "revoked_at",
        "revoked_by",
        "revoke_reason",
    ]
    exclude = ["key_hash"]

    def get_form(
        self, request: HttpRequest, obj: ApiKey | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = IssueKeyForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: ApiKey | None = None) -> Any:
        return self.readonly_fields if obj is not None else []

    def get_exclude(self, request: HttpRequest, obj: ApiKey | None = None) -> Any:
        return ["key_hash"]

    def get_fields(self, request: HttpRequest, obj: ApiKey | None = None) -> Any:
        if obj is None:
            return ["name", "contact", "owner", "rate_limit_per_hour", "key"]
        return self.readonly_fields

    def save_model(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> None:
        if change:
            return  # a key is never edited: revoke it and issue another
        try:
            issued, raw = actions.do_issue_api_key(
                name=form.cleaned_data["name"],
                contact=form.cleaned_data.get("contact", ""),
                owner=form.cleaned_data.get("owner"),
                rate_limit_per_hour=form.cleaned_data.get("rate_limit_per_hour"),
                key=form.cleaned_data.get("key") or None,
                actor=request.user,
                now=timezone.now(),
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return
        obj.pk = issued.pk
        messages.warning(request, f"已签发密钥“{issued.name}”：{raw} —— 请立即复制，此后不再显示。")

    def has_add_permission(self, request: HttpRequest) -> bool:
        try:
            actions.require_key_admin(request.user)
        except DomainError:
            return False
        return super().has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoke instead: the audit trail and issued tokens refer to keys

    def response_add(self, request: HttpRequest, obj: ApiKey, post_url_continue: str | None = None) -> Any:
        if obj.pk is None:  # the action refused (its message is shown)
            return HttpResponseRedirect(reverse("admin:open311_apikey_changelist"))
        return super().response_add(request, obj, post_url_continue)

    @admin.action(description="吊销所选密钥")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        for api_key in queryset:
            try:
                actions.do_revoke_api_key(
                    api_key, actor=request.user, now=timezone.now(), reason="管理员吊销"
                )
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, f"已吊销“{api_key.name}”")


class ServiceAttributeForm(forms.ModelForm):
    class Meta:
        model = ServiceAttribute
        fields = [
            "category",
            "code",
            "order",
            "description",
            "datatype",
            "required",
            "variable",
            "datatype_description",
            "values",
        ]

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]
        if self.errors:
            return
        for field_name, message in validate_definition_row(self.instance):
            self.add_error(field_name if field_name in self.fields else None, message)


@admin.register(ServiceAttribute)
class ServiceAttributeAdmin(admin.ModelAdmin):
    form = ServiceAttributeForm
    list_display = ["category", "order", "code", "datatype", "required", "variable", "description"]
    list_filter = ["datatype", "required", "variable", "category__kind"]
    search_fields = ["code", "description", "category__code", "category__name"]
    raw_id_fields = ["category"]
    list_select_related = ["category"]

    def save_model(self, request: HttpRequest, obj: ServiceAttribute, form: Any, change: bool) -> None:
        actions.do_save_service_attribute(obj, actor=request.user, now=timezone.now())

    def delete_model(self, request: HttpRequest, obj: ServiceAttribute) -> None:
        actions.do_delete_service_attribute(obj, actor=request.user, now=timezone.now())

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ServiceAttribute]) -> None:
        for attribute in queryset:
            actions.do_delete_service_attribute(attribute, actor=request.user, now=timezone.now())


@admin.register(RequestToken)
class RequestTokenAdmin(admin.ModelAdmin):
    list_display = ["token", "event", "api_key", "issued_at"]
    list_select_related = ["event", "api_key"]
    search_fields = ["token", "event__receipt_number"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
