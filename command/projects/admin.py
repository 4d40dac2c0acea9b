from django.contrib import admin

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
