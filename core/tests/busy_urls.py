"""A page that finds the database locked, for test_database_busy."""

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.urls import path


def locked_page(request: HttpRequest) -> HttpResponse:
    raise OperationalError("database is locked")


def broken_page(request: HttpRequest) -> HttpResponse:
    raise OperationalError("no such table: nowhere")


urlpatterns = [path("locked/", locked_page), path("broken/", broken_page)]
