"""Admin for people, organisation units and assignments, and the read-only audit trail. Every save goes
through accounts.actions, so every admin change writes an audit row; a refused action shows as a message."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import actions
from accounts.actions.common import ASSIGNMENT_FIELDS, ORG_UNIT_FIELDS, USER_FIELDS
from accounts.adminroles import AdminRoleRefused, record_refusal
from accounts.jurisdiction import user_roles
from accounts.models import Assignment, OrgUnit, Role, User
from audit.admin import AuditEventAdmin
from audit.models import AuditEvent
from core.adminroles import AdminRole, admin_roles_of, has_admin_role
from core.errors import DomainError
from territory.models import Division


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _refused(request: HttpRequest, exc: DomainError) -> HttpResponse:
    if isinstance(exc, AdminRoleRefused):
        # The admin's transaction rolled the action's audit row back with the change: record it again.
        record_refusal(exc, now=timezone.now())
    field = f" ({exc.field})" if exc.field else ""
    messages.error(request, f"{exc.message}{field}")
    return HttpResponseRedirect(request.get_full_path())


def _may(request: HttpRequest, *roles: str) -> bool:
    """Staff holding one of the administrator roles (a superuser holds them all: break-glass only)."""
    user = request.user
    return bool(user.is_active and user.is_staff and any(has_admin_role(user, r) for r in roles))


_ALL = (AdminRole.SYSTEM, AdminRole.SECURITY, AdminRole.AUDIT)


class _RolePermissions:
    """三员分立 in the admin: who may see, add, change or delete this model's rows."""

    view_roles: tuple[str, ...] = _ALL
    edit_roles: tuple[str, ...] = ()

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _may(request, *self.view_roles)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may(request, *self.view_roles)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return _may(request, *self.edit_roles)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may(request, *self.edit_roles)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may(request, *self.edit_roles)


class _ActionErrors(admin.ModelAdmin):
    """A DomainError raised by an action inside the admin's (atomic) change or delete view rolls the whole
    request back and comes back to the same page as an error message."""

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: Any = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:
            return _refused(request, exc)

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        try:
            return super().delete_view(request, object_id, extra_context)
        except DomainError as exc:
            return _refused(request, exc)


class AssignmentInline(_RolePermissions, admin.TabularInline):
    edit_roles = (AdminRole.SECURITY,)

    model = Assignment
    fk_name = "user"
    extra = 0
    can_delete = False
    fields = ("org_unit", "role", "territory_code", "reports_to", "active", "started_at", "ended_at")
    readonly_fields = ("started_at", "ended_at")
    autocomplete_fields = ("org_unit", "reports_to")


@admin.register(User)
class UserAdmin(_RolePermissions, _ActionErrors, DjangoUserAdmin):
    # The system administrator keeps accounts; the security administrator changes only a person's
    # groups, permissions and assignments (get_readonly_fields).
    edit_roles = (AdminRole.SYSTEM, AdminRole.SECURITY)

    list_display = ("username", "display_name", "is_active", "is_staff", "is_demo", "is_system", "last_login")
    list_filter = ("is_active", "is_staff", "is_superuser", "is_demo", "is_system", "assignments__role")
    search_fields = ("username", "display_name", "email")
    readonly_fields = ("is_system", "last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("display_name", "first_name", "last_name", "email")}),
        (
            _("权限"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "is_demo",
                    "is_system",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        (_("时间"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "display_name", "usable_password", "password1", "password2"),
            },
        ),
    )
    inlines = (AssignmentInline,)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # People who acted are referenced by the audit trail: deactivate them instead.
        return False

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return _may(request, AdminRole.SYSTEM)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        base = tuple(super().get_readonly_fields(request, obj))
        if obj is None or request.user.is_superuser:
            return base
        grants = ("groups", "user_permissions", "is_superuser", "is_staff")
        if not _may(request, AdminRole.SYSTEM):  # the security administrator
            account = [str(f) for _n, fs in self.fieldsets for f in fs["fields"] if f not in grants[:2]]
            return tuple(dict.fromkeys((*base, *account)))
        if not _may(request, AdminRole.SECURITY):
            return (*base, *grants)
        return base

    def save_model(self, request: HttpRequest, obj: User, form: ModelForm, change: bool) -> None:
        now = timezone.now()
        if not change:
            data = form.cleaned_data
            usable = str(data.get("usable_password", "true")).lower() not in {"false", "0", ""}
            created = actions.do_create_user(
                username=obj.username,
                display_name=obj.display_name,
                password=data.get("password1") if usable and data.get("password1") else None,
                actor=_actor(request),
                now=now,
            )
            obj.pk = created.pk
            obj.password = created.password
            obj._state.adding = False
            obj._state.db = created._state.db
        else:
            fields = [f for f in form.changed_data if f in USER_FIELDS]
            if fields:
                current = User.objects.get(pk=obj.pk)
                actions.do_update_user(
                    current, changes={f: getattr(obj, f) for f in fields}, actor=_actor(request), now=now
                )

    def save_related(self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool) -> None:
        data = form.cleaned_data
        if "groups" in data or "user_permissions" in data:
            actions.do_set_user_permissions(
                form.instance,
                groups=data.get("groups") or [],
                permissions=data.get("user_permissions") or [],
                actor=_actor(request),
                now=timezone.now(),
            )
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: BaseInlineFormSet, change: bool
    ) -> None:
        now, actor = timezone.now(), _actor(request)
        user = form.instance
        # The admin's change message reads these (normally set by formset.save()).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.forms:
            if not inline_form.has_changed() or not inline_form.is_valid():
                continue
            data = inline_form.cleaned_data
            if not data:
                continue
            instance = inline_form.instance
            if instance.pk is None:
                created = actions.do_assign_role(
                    user=user,
                    org_unit=data["org_unit"],
                    role=data["role"],
                    territory_code=data.get("territory_code") or None,
                    reports_to=data.get("reports_to"),
                    actor=actor,
                    now=now,
                )
                formset.new_objects.append(created)
                continue
            current = Assignment.objects.get(pk=instance.pk)
            formset.changed_objects.append((current, inline_form.changed_data))
            changes = {f: data[f] for f in ASSIGNMENT_FIELDS if f in inline_form.changed_data and f in data}
            if changes:
                actions.do_update_assignment(current, changes=changes, actor=actor, now=now)
            if "active" in inline_form.changed_data:
                if data["active"]:
                    actions.do_assign_role(
                        user=user,
                        org_unit=current.org_unit,
                        role=current.role,
                        territory_code=current.territory_code,
                        reports_to=current.reports_to,
                        actor=actor,
                        now=now,
                    )
                else:
                    actions.do_end_assignment(current, actor=actor, now=now)

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        if not _may(request, AdminRole.SYSTEM):
            raise PermissionDenied
        # Django's view saves the form itself; we let it, then record the change in the same transaction.
        try:
            return self._change_password(request, id, form_url)
        except DomainError as exc:
            return _refused(request, exc)

    def _change_password(self, request: HttpRequest, id: str, form_url: str) -> HttpResponse:
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and isinstance(response, HttpResponseRedirect):
                user = User.objects.get(pk=id)
                actions.do_set_password(
                    user,
                    password=None if not user.has_usable_password() else request.POST.get("password1"),
                    actor=_actor(request),
                    now=timezone.now(),
                )
        return response


class OrgUnitForm(ModelForm):
    class Meta:
        model = OrgUnit
        fields = (
            "code",
            "name",
            "kind",
            "territory_code",
            "parent",
            "management_mode",
            "guiding_department",
            "service_level",
            "work_hours",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        parent = data.get("parent")
        code = data.get("territory_code") or ""
        if parent is not None and code and not code.startswith(parent.territory_code):
            self.add_error("territory_code", _("机构所属区划须在上级机构的区划之内。"))
        if parent is not None and self.instance.pk is not None and parent.pk == self.instance.pk:
            self.add_error("parent", _("上级机构不能是本机构。"))
        return data


@admin.register(OrgUnit)
class OrgUnitAdmin(_RolePermissions, _ActionErrors, admin.ModelAdmin):
    edit_roles = (AdminRole.SYSTEM,)

    form = OrgUnitForm
    list_display = (
        "code",
        "name",
        "kind",
        "territory_code",
        "management_mode",
        "guiding_department",
        "parent",
    )
    list_filter = ("kind", "management_mode", "service_level", "guiding_department")
    search_fields = ("code", "name", "^territory_code", "guiding_department")
    autocomplete_fields = ("parent",)
    list_select_related = ("parent",)
    ordering = ("territory_code", "code")

    def save_model(self, request: HttpRequest, obj: OrgUnit, form: ModelForm, change: bool) -> None:
        now, actor = timezone.now(), _actor(request)
        if not change:
            created = actions.do_create_org_unit(
                code=obj.code,
                name=obj.name,
                kind=obj.kind,
                territory_code=obj.territory_code,
                parent=obj.parent,
                management_mode=obj.management_mode,
                guiding_department=obj.guiding_department,
                service_level=obj.service_level,
                work_hours=obj.work_hours,
                actor=actor,
                now=now,
            )
            obj.pk = created.pk
            obj._state.adding = False
            obj._state.db = created._state.db
        else:
            fields = [f for f in form.changed_data if f in ORG_UNIT_FIELDS]
            if fields:
                current = OrgUnit.objects.get(pk=obj.pk)
                actions.do_update_org_unit(
                    current, changes={f: getattr(obj, f) for f in fields}, actor=actor, now=now
                )
            if "code" in form.changed_data:
                # The code is the unit's identity in every other table's audit rows: not editable.
                raise DomainError("code_immutable", str(_("机构编码不可修改。")), "code")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("code",) if obj is not None else ()

    def delete_model(self, request: HttpRequest, obj: OrgUnit) -> None:
        actions.do_delete_org_unit(obj, actor=_actor(request), now=timezone.now())

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[OrgUnit]) -> None:
        for unit in queryset:
            try:
                self.delete_model(request, unit)
            except DomainError as exc:
                messages.error(request, f"{unit.code}: {exc.message}")


@admin.register(Assignment)
class AssignmentAdmin(_RolePermissions, _ActionErrors, admin.ModelAdmin):
    edit_roles = (AdminRole.SECURITY,)

    list_display = (
        "user",
        "org_unit",
        "role",
        "territory_code",
        "reports_to",
        "active",
        "started_at",
        "ended_at",
    )
    list_filter = ("role", "active", "org_unit__kind")
    search_fields = ("user__username", "user__display_name", "org_unit__name", "^territory_code")
    autocomplete_fields = ("user", "org_unit", "reports_to")
    list_select_related = ("user", "org_unit", "reports_to")
    readonly_fields = ("started_at", "ended_at")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # untick "active" to end an assignment; the row stays for history

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is not None:
            return ("user", "org_unit", "role", "started_at", "ended_at")
        return ("started_at", "ended_at")

    def save_model(self, request: HttpRequest, obj: Assignment, form: ModelForm, change: bool) -> None:
        now, actor = timezone.now(), _actor(request)
        if not change:
            created = actions.do_assign_role(
                user=obj.user,
                org_unit=obj.org_unit,
                role=obj.role,
                territory_code=obj.territory_code or None,
                reports_to=obj.reports_to,
                actor=actor,
                now=now,
            )
            obj.pk = created.pk
            obj._state.adding = False
            obj._state.db = created._state.db
            return
        current = Assignment.objects.get(pk=obj.pk)
        changes = {f: getattr(obj, f) for f in ASSIGNMENT_FIELDS if f in form.changed_data}
        if changes:
            current = actions.do_update_assignment(current, changes=changes, actor=actor, now=now)
        if "active" in form.changed_data:
            if obj.active:
                actions.do_assign_role(
                    user=current.user,
                    org_unit=current.org_unit,
                    role=current.role,
                    territory_code=current.territory_code,
                    reports_to=current.reports_to,
                    actor=actor,
                    now=now,
                )
            else:
                actions.do_end_assignment(current, actor=actor, now=now)


class TownFilter(admin.SimpleListFilter):
    title = _("镇/街道")
    parameter_name = "town"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        towns = Division.objects.filter(level__in=[Division.Level.DISTRICT, Division.Level.TOWN]).order_by(
            "code"
        )
        return [(d.code, f"{d.name} {d.code}") for d in towns]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(territory_code__startswith=value)
        return queryset


class ScopedAuditEventAdmin(AuditEventAdmin):
    """The audit trail for the audit administrator, superusers and auditors (who need is_staff to enter
    the admin). The security administrator sees the audit administrators' own rows only."""

    list_filter = ("action", "subject_type", ("actor", admin.RelatedOnlyFieldListFilter), TownFilter)

    def may_view(self, request: HttpRequest) -> bool:
        user = request.user
        if not (user.is_active and user.is_staff):
            return False
        if user.is_superuser or Role.AUDITOR in user_roles(user):
            return True
        return bool(admin_roles_of(user) & {AdminRole.AUDIT, AdminRole.SECURITY})

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEvent]:
        rows = super().get_queryset(request)
        user = request.user
        if user.is_superuser or Role.AUDITOR in user_roles(user) or has_admin_role(user, AdminRole.AUDIT):
            return rows
        watched = User.objects.filter(groups__name=AdminRole.AUDIT).values("pk")
        return rows.filter(actor_id__in=watched)


@admin.register(LogEntry)
class LogEntryAdmin(_RolePermissions, admin.ModelAdmin):
    """The admin's own history (who changed what in /admin/), read-only, for the audit administrator."""

    view_roles = (AdminRole.AUDIT,)
    list_display = ("action_time", "user", "content_type", "object_repr", "action_flag")
    list_filter = ("action_flag", "content_type")
    search_fields = ("object_repr", "change_message", "user__username")
    date_hierarchy = "action_time"


admin.site.register(AuditEvent, ScopedAuditEventAdmin)
admin.site.site_header = _("治理 · 管理后台")
admin.site.site_title = _("治理管理后台")
