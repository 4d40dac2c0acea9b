"""The signed-in user of a page or API request, typed: the one piece of glue every view needs."""

from __future__ import annotations

from django.http import HttpRequest
from rest_framework.request import Request

from accounts.models import User


def acting_user(request: HttpRequest | Request) -> User:
    """The request's user; the view's log-in guard (pages) or DRF's default permission (API) has already
    turned an anonymous caller away, so anything else is a wiring mistake, not a refusal."""
    user = request.user
    assert isinstance(user, User)
    return user
