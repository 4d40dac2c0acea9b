"""Admin for grid reference data. Every save goes through an action (audit row included); published
standard versions are read-only, edited by copying them into a draft and publishing it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.jurisdiction import scope_for
from core import pii
from core.errors import DomainError
from core.spreadsheets import SpreadsheetImportError
from grid.models import (
    Category,
    CategoryStandard,
    CategoryStandardVersion,
    EventAttachment,
    GridBasicInfo,
    GridEvent,
    PatrolItem,
    ReportIntake,
    ResponsibilityEntry,
    RoutingDecision,
)
from grid.standards import actions
from grid.standards.actions.grid_lists import BASIC_INFO_FIELDS, validate_patrol_item
from grid.standards.actions.responsibility import validate_responsibility
from grid.standards.actions.standard import validate_category, validate_standard_row
from grid.standards.imports import do_import_standard, export_standard


def validated_by(validator: Callable[[Any], None]) -> type[forms.ModelForm[Any]]:
    """A ModelForm that runs the action's validation rules and shows a refusal on its field."""

    class Form(forms.ModelForm):
        def _post_clean(self) -> None:
            super()._post_clean()  # type: ignore[misc]
            if self.errors:
                return
            try:
                validator(self.instance)
            except DomainError as exc:
                self.add_error(exc.field if exc.field in self.fields else None, exc.message)

    return Form


def _refused(request: HttpRequest, exc: DomainError) -> None:
    messages.error(request, exc.message)


# ---- categories and the standard ------------------------------------------------------------------------


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    form = validated_by(validate_category)
    list_display = ["code", "name", "name_en", "kind", "parent", "active", "public_location_coarse"]
    list_filter = ["kind", "active", "public_location_coarse"]
    search_fields = ["code", "name", "name_en"]
    ordering = ["kind", "code"]

    def save_model(self, request: HttpRequest, obj: Category, form: Any, change: bool) -> None:
        actions.do_save_category(obj, actor=request.user, now=timezone.now())

    def has_delete_permission(self, request: HttpRequest, obj: Category | None = None) -> bool:
        return False  # deactivate instead: old standard versions and events refer to categories


class StandardRowInline(admin.TabularInline):
    model = CategoryStandard
    form = validated_by(validate_standard_row)
    extra = 0
    fields = [
        "category",
        "sequence",
        "filing_condition",
        "limit_a",
        "limit_b",
        "limit_c",
        "unit",
        "closing_condition",
        "responsible_unit",
        "urgent",
    ]
    raw_id_fields = ["category"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[CategoryStandard]:
        return super().get_queryset(request).select_related("category")

    def _editable(self, obj: CategoryStandardVersion | None) -> bool:
        return obj is not None and obj.is_draft

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_delete_permission(request, obj)


class ImportForm(forms.Form):
    file = forms.FileField(label="xlsx 文件")
    note = forms.CharField(label="版本说明", required=False, max_length=500)


@admin.register(CategoryStandardVersion)
class CategoryStandardVersionAdmin(admin.ModelAdmin):
    list_display = ["number", "active", "published_at", "source", "note"]
    readonly_fields = ["number", "active", "published_at", "source", "note", "created_at", "created_by"]
    inlines = [StandardRowInline]
    actions = ["make_draft", "publish"]
    change_list_template = "admin/grid/categorystandardversion/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # new versions come from a draft copy or an import

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: CategoryStandardVersion, form: Any, change: bool) -> None:
        """The version's own fields are read-only; only its draft rows change (save_formset)."""

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        now = timezone.now()
        for row in formset.save(commit=False):
            try:
                actions.do_save_standard_row(row, actor=request.user, now=now)
            except DomainError as exc:
                _refused(request, exc)
        for row in formset.deleted_objects:
            try:
                actions.do_delete_standard_row(row, actor=request.user, now=now)
            except DomainError as exc:
                _refused(request, exc)

    @admin.action(description="复制为新的草稿版本")
    def make_draft(self, request: HttpRequest, queryset: QuerySet[CategoryStandardVersion]) -> None:
        for version in queryset:
            try:
                draft = actions.do_create_draft_version(actor=request.user, now=timezone.now(), base=version)
            except DomainError as exc:
                _refused(request, exc)
            else:
                messages.success(request, f"已创建草稿 v{draft.number}")

    @admin.action(description="发布所选草稿（成为现行版本）")
    def publish(self, request: HttpRequest, queryset: QuerySet[CategoryStandardVersion]) -> None:
        for version in queryset:
            try:
                actions.do_publish_standard_version(version, actor=request.user, now=timezone.now())
            except DomainError as exc:
                _refused(request, exc)
            else:
                messages.success(request, f"已发布 v{version.number}")

    def get_urls(self) -> list[URLPattern]:
        own = [
            path("import/", self.admin_site.admin_view(self.import_view), name="grid_standard_import"),
            path("export/", self.admin_site.admin_view(self.export_view), name="grid_standard_export"),
        ]
        return own + super().get_urls()

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_change_permission(request):
            return HttpResponseRedirect(reverse("admin:index"))
        form = ImportForm(request.POST or None, request.FILES or None)
        problems: list[Any] = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                version = do_import_standard(
                    upload,
                    actor=request.user,
                    now=timezone.now(),
                    note=form.cleaned_data["note"],
                    source=upload.name,
                )
            except SpreadsheetImportError as exc:
                problems = exc.problems
            except DomainError as exc:
                _refused(request, exc)
            else:
                messages.success(request, f"已导入并发布 v{version.number}（{version.rows.count()} 条）")
                return HttpResponseRedirect(reverse("admin:grid_categorystandardversion_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "problems": problems,
            "title": "导入立案结案标准",
        }
        return render(request, "admin/grid/standard_import.html", context)

    def export_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            return HttpResponseRedirect(reverse("admin:index"))
        response = HttpResponse(
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = 'attachment; filename="category-standard.xlsx"'
        try:
            export_standard(response)  # type: ignore[arg-type]
        except DomainError as exc:
            _refused(request, exc)
            return HttpResponseRedirect(reverse("admin:grid_categorystandardversion_changelist"))
        return response


# ---- the responsibility list and routing decisions -------------------------------------------------------


@admin.register(ResponsibilityEntry)
class ResponsibilityEntryAdmin(admin.ModelAdmin):
    form = validated_by(validate_responsibility)
    list_display = ["territory_code", "category", "basis", "org_unit", "active", "note"]
    list_filter = ["basis", "active", "category__kind"]
    search_fields = ["territory_code", "org_unit__name", "category__name", "category__code"]
    raw_id_fields = ["category", "org_unit"]
    list_select_related = ["category", "org_unit"]

    def save_model(self, request: HttpRequest, obj: ResponsibilityEntry, form: Any, change: bool) -> None:
        actions.do_save_responsibility(obj, actor=request.user, now=timezone.now())

    def delete_model(self, request: HttpRequest, obj: ResponsibilityEntry) -> None:
        actions.do_delete_responsibility(obj, actor=request.user, now=timezone.now())

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ResponsibilityEntry]) -> None:
        for entry in queryset:
            actions.do_delete_responsibility(entry, actor=request.user, now=timezone.now())


@admin.register(RoutingDecision)
class RoutingDecisionAdmin(admin.ModelAdmin):
    list_display = [
        "decided_at",
        "subject_type",
        "subject_id",
        "grid_code",
        "category_code",
        "chosen_unit",
        "level",
    ]
    list_filter = ["level", "basis", "kind"]
    search_fields = ["subject_id", "grid_code", "category_code", "reason"]
    list_select_related = ["chosen_unit"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ReportIntake)
class ReportIntakeAdmin(admin.ModelAdmin):
    """Residents' reports as received, read-only: which are still pending or failed, and why. The report's
    content and the reporter's phone are not shown (they reach staff on the event)."""

    list_display = ["receipt_number", "channel", "received_at", "state", "attempts", "registered_at"]
    list_filter = ["state", "channel"]
    search_fields = ["receipt_number"]
    fields = readonly_fields = (
        "receipt_number",
        "channel",
        "received_at",
        "state",
        "attempts",
        "next_attempt_at",
        "last_error",
        "event",
        "registered_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# ---- the grid's lists --------------------------------------------------------------------------------------


@admin.register(PatrolItem)
class PatrolItemAdmin(admin.ModelAdmin):
    form = validated_by(validate_patrol_item)
    list_display = ["grid", "name", "category", "frequency", "checkpoint", "active"]
    list_filter = ["frequency", "active"]
    search_fields = ["grid__code", "name"]
    raw_id_fields = ["grid", "category"]
    exclude = ["created_at", "updated_at"]
    list_select_related = ["grid", "category"]

    def save_model(self, request: HttpRequest, obj: PatrolItem, form: Any, change: bool) -> None:
        actions.do_save_patrol_item(obj, actor=request.user, now=timezone.now())

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivate instead


@admin.register(GridBasicInfo)
class GridBasicInfoAdmin(admin.ModelAdmin):
    list_display = ["grid", "households", "residents", "places", "key_places", "enterprises", "updated_at"]
    search_fields = ["grid__code", "grid__name"]
    raw_id_fields = ["grid"]
    readonly_fields = ["updated_at", "updated_by"]

    def save_model(self, request: HttpRequest, obj: GridBasicInfo, form: Any, change: bool) -> None:
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in BASIC_INFO_FIELDS}
        actions.do_update_basic_info(
            obj.grid, changes or {"note": obj.note}, actor=request.user, now=timezone.now()
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# ---- grid events (read-only: events change only through the loop's actions) ----------------------------


ATTACHMENT_FIELDS = ("stage", "file", "url", "content_type", "size", "sha256", "uploaded_by", "uploaded_at")
EVENT_FIELDS = (
    "receipt_number",
    "kind",
    "category",
    "standard",
    "channel",
    "title",
    "description",
    "address",
    "lon",
    "lat",
    "grid",
    "territory_code",
    "reporter",
    "masked_name",
    "masked_phone",
    "reported_at",
    "duplicate_of",
    "level",
    "closure_level",
    "work_item",
    "public_reply",
    "publish_consent",
    "description_released_at",
    "description_released_by",
    "rating",
    "rating_comment",
    "rated_at",
    "attributes",
    "created_at",
    "updated_at",
)


class EventAttachmentInline(admin.TabularInline):
    model = EventAttachment
    extra = 0
    can_delete = False
    fields = ATTACHMENT_FIELDS
    readonly_fields = ATTACHMENT_FIELDS

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(GridEvent)
class GridEventAdmin(admin.ModelAdmin):
    """Read-only. Personal data shows masked; the encrypted columns are not shown at all."""

    list_display = ["receipt_number", "title", "category", "channel", "level", "grid", "state", "reported_at"]
    list_filter = ["channel", "level", "closure_level", "kind"]
    search_fields = ["receipt_number"]
    list_select_related = ["category", "grid", "work_item"]
    date_hierarchy = "reported_at"
    inlines = [EventAttachmentInline]
    fields = EVENT_FIELDS
    readonly_fields = EVENT_FIELDS

    @admin.display(description=_("反映人称呼"))
    def masked_name(self, obj: GridEvent) -> str:
        return pii.mask_name(obj.reporter_name)

    @admin.display(description=_("反映人电话"))
    def masked_phone(self, obj: GridEvent) -> str:
        if not obj.reporter_phone_encrypted:
            return ""
        try:
            return pii.mask_phone(pii.decrypt(obj.reporter_phone_encrypted))
        except pii.InvalidToken:
            return "***"

    @admin.display(description=_("状态"))
    def state(self, obj: GridEvent) -> str:
        return obj.work_item.state if obj.work_item is not None else ""

    def get_queryset(self, request: HttpRequest) -> QuerySet[GridEvent]:
        queryset = super().get_queryset(request)
        if getattr(request.user, "is_superuser", False):
            return queryset
        return scope_for(request.user, queryset, "territory_code")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
