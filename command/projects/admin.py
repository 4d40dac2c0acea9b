from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone

from command.projects.actions import do_record_project_links, do_save_project
from command.projects.models import KeyProject, Milestone


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 1


@admin.register(KeyProject)
class KeyProjectAdmin(admin.ModelAdmin):
    list_display = ("name", "owner_unit", "territory_code", "progress", "updated_at")
    list_filter = ("territory_code",)
    search_fields = ("name", "territory_code")
    raw_id_fields = ("owner_unit", "work_items")
    inlines = [MilestoneInline]

    def save_model(self, request: HttpRequest, obj: KeyProject, form: Any, change: bool) -> None:
        do_save_project(obj, actor=request.user, now=timezone.now())

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        do_record_project_links(form.instance, actor=request.user, now=timezone.now())
