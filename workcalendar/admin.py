"""Admin for the calendar table: one page per year with its days inline. Saving and deleting go through
workcalendar.actions (validation, audit row, cache invalidation); the admin never saves the models itself."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils import timezone

from core.spreadsheets import SpreadsheetImportError
from workcalendar.actions import (
    DayEntry,
    do_delete_calendar_year,
    do_save_calendar_year,
    validate_rows,
)
from workcalendar.models import CalendarDay, CalendarYear


def _entries(formset: Any) -> list[tuple[forms.BaseForm, DayEntry]]:
    """The day rows that remain after this submission (extra blank rows and deleted rows left out)."""
    entries = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None)
        if not data or not data.get("date") or (formset.can_delete and formset._should_delete_form(form)):
            continue
        entries.append((form, DayEntry(date=data["date"], kind=data["kind"], name=data.get("name") or "")))
    return entries


class CalendarDayFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        year = getattr(self.instance, "year", None)
        entries = _entries(self)
        messages = []
        for form, entry in entries:
            if year is not None and entry.date.year != year:
                form.add_error("date", f"日期不属于 {year} 年")
        rows = [{"date": e.date.isoformat(), "kind": e.kind, "name": e.name} for _form, e in entries]
        if rows:
            try:
                validate_rows(rows, first_row=1)
            except SpreadsheetImportError as exc:
                messages = [str(error) for error in exc.problems]
        if messages:
            raise ValidationError(messages)


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    formset = CalendarDayFormSet
    fields = ("date", "kind", "name")
    extra = 3
    ordering = ("date",)


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ("year", "source_note", "published_at", "revision", "day_count")
    readonly_fields = ("published_at", "revision")
    inlines = (CalendarDayInline,)
    ordering = ("-year",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[CalendarYear]:
        from django.db.models import Count

        return super().get_queryset(request).annotate(day_count=Count("days"))

    @admin.display(description="日数")
    def day_count(self, obj: CalendarYear) -> int:
        return int(getattr(obj, "day_count", 0))

    def get_readonly_fields(self, request: HttpRequest, obj: CalendarYear | None = None) -> tuple[str, ...]:
        return ("year", *self.readonly_fields) if obj is not None else tuple(self.readonly_fields)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Adding a year is a change to the calendar: the same right as editing one.
        return super().has_add_permission(request) and self.has_change_permission(request)

    def save_model(self, request: HttpRequest, obj: CalendarYear, form: Any, change: bool) -> None:
        # Deferred to save_related, which has the day rows too and saves everything through one action.
        return None

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        days: list[DayEntry] = []
        for formset in formsets:
            days.extend(entry for _form, entry in _entries(formset))
            # What construct_change_message reads; the action, not formset.save(), writes the rows.
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        saved = do_save_calendar_year(
            form.instance.year,
            days,
            source_note=form.cleaned_data.get("source_note", ""),
            actor=request.user,
            now=timezone.now(),
        )
        form.instance.published_at = saved.published_at
        form.instance.revision = saved.revision
        form.instance._state.adding = False

    def delete_model(self, request: HttpRequest, obj: CalendarYear) -> None:
        do_delete_calendar_year(obj.year, actor=request.user, now=timezone.now())

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarYear]) -> None:
        now = timezone.now()
        for year in queryset.values_list("year", flat=True):
            do_delete_calendar_year(year, actor=request.user, now=now)
