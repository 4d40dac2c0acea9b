"""Admin for the territory. Saves and deletes go through territory.actions (validated, audited); boundary
versions are read-only here: a new boundary is pasted as GeoJSON and becomes a new version."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.forms.models import construct_instance
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from territory.actions import divisions, enforcement_zones, grids
from territory.models import Division, EnforcementZone, Grid, GridBoundary


def _apply_domain_error(form: forms.ModelForm[Any], exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent", "synthetic")
    list_filter = ("level", "synthetic")
    search_fields = ("code", "name")
    list_select_related = ("parent",)
    readonly_fields = ("boundary_summary", "synthetic")
    exclude = ("boundary",)
    autocomplete_fields = ("parent",)

    @admin.display(description=_("边界"))
    def boundary_summary(self, obj: Division) -> str:
        if not obj.boundary:
            return "—"
        kind = obj.boundary.get("type", "")
        return f"{kind}（{'生成数据' if obj.synthetic else '导入'}）"

    def save_model(self, request: HttpRequest, obj: Division, form: Any, change: bool) -> None:
        divisions.do_save_division(obj, actor=request.user, now=timezone.now())

    def has_delete_permission(self, request: HttpRequest, obj: Division | None = None) -> bool:
        return False  # divisions are master data from the statistics codes; never deleted here


class GridBoundaryInline(admin.TabularInline):
    model = GridBoundary
    fields = ("version", "valid_from", "valid_to", "synthetic", "source")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-version",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class GridAdminForm(forms.ModelForm):
    new_geometry = forms.JSONField(
        label=_("新边界（GeoJSON 几何）"),
        required=False,
        help_text=_(
            'Polygon 或 MultiPolygon，WGS-84，例如 {"type": "Polygon", "coordinates": [[[lon, lat], …]]}。'
            "保存后成为新的边界版本，旧版本关闭。"
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    class Meta:
        model = Grid
        fields = ("code", "name", "village", "kind", "dedicated_to", "area_class", "active")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        try:
            # The instance gets the form's values only after clean(); validate a filled-in copy.
            grid = construct_instance(
                self, Grid(code=self.instance.code, village_id=self.instance.village_id)
            )
            grids.validate_grid(grid, cleaned.get("new_geometry"))
        except DomainError as exc:
            _apply_domain_error(self, exc)
        return cleaned


@admin.register(Grid)
class GridAdmin(admin.ModelAdmin):
    form = GridAdminForm
    list_display = ("code", "name", "village", "kind", "area_class", "dedicated_to", "active")
    list_filter = ("kind", "area_class", "active", "village__parent")
    search_fields = ("code", "name", "dedicated_to", "village__name")
    list_select_related = ("village",)
    autocomplete_fields = ("village",)
    inlines = (GridBoundaryInline,)

    def get_readonly_fields(self, request: HttpRequest, obj: Grid | None = None) -> tuple[str, ...]:
        return ("code",) if obj is not None else ()  # grids are never renumbered

    def save_model(self, request: HttpRequest, obj: Grid, form: Any, change: bool) -> None:
        grids.do_save_grid(
            obj, new_geometry=form.cleaned_data.get("new_geometry"), actor=request.user, now=timezone.now()
        )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # No form.save_m2m(); the only inline is read-only (saving it writes nothing).
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request: HttpRequest, obj: Grid) -> None:
        grids.do_delete_grid(obj, actor=request.user, now=timezone.now())

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Grid]) -> None:
        now = timezone.now()
        for grid in queryset:
            grids.do_delete_grid(grid, actor=request.user, now=now)


class EnforcementZoneAdminForm(forms.ModelForm):
    class Meta:
        model = EnforcementZone
        fields = ("code", "name", "town", "villages")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "town" in self.fields:
            self.fields["town"].queryset = Division.objects.filter(level=Division.Level.TOWN)  # type: ignore[attr-defined]
        self.fields["villages"].queryset = Division.objects.filter(level=Division.Level.VILLAGE)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        try:
            zone = construct_instance(
                self, EnforcementZone(code=self.instance.code, town_id=self.instance.town_id)
            )
            enforcement_zones.validate_enforcement_zone(zone, list(cleaned.get("villages") or []))
        except DomainError as exc:
            _apply_domain_error(self, exc)
        return cleaned


@admin.register(EnforcementZone)
class EnforcementZoneAdmin(admin.ModelAdmin):
    form = EnforcementZoneAdminForm
    list_display = ("code", "name", "town", "village_count")
    list_filter = ("town",)
    search_fields = ("code", "name", "villages__name")
    list_select_related = ("town",)
    filter_horizontal = ("villages",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[EnforcementZone]:
        return super().get_queryset(request).prefetch_related("villages")

    @admin.display(description=_("村/社区数"))
    def village_count(self, obj: EnforcementZone) -> int:
        return len(obj.villages.all())

    def get_readonly_fields(
        self, request: HttpRequest, obj: EnforcementZone | None = None
    ) -> tuple[str, ...]:
        return ("code",) if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: EnforcementZone, form: Any, change: bool) -> None:
        enforcement_zones.do_save_enforcement_zone(
            obj, villages=list(form.cleaned_data["villages"]), actor=request.user, now=timezone.now()
        )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # The action set the villages: no form.save_m2m() behind its back.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request: HttpRequest, obj: EnforcementZone) -> None:
        enforcement_zones.do_delete_enforcement_zone(obj, actor=request.user, now=timezone.now())

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[EnforcementZone]) -> None:
        now = timezone.now()
        for zone in queryset:
            enforcement_zones.do_delete_enforcement_zone(zone, actor=request.user, now=now)
