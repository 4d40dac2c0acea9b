"""Idle session timeout: each request of a signed-in user pushes the session's end SESSION_COOKIE_AGE on,
but the session row is rewritten at most once a minute (a page's parallel requests would otherwise all
write it at once)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

REFRESH_AFTER_SECONDS = 60
LAST_SEEN = "_zhili_last_seen"


class IdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and getattr(user, "is_authenticated", False) and session.session_key:
            now = int(timezone.now().timestamp())
            if now - int(session.get(LAST_SEEN, 0)) >= REFRESH_AFTER_SECONDS:
                session[LAST_SEEN] = now  # modified: SessionMiddleware saves it with a fresh expiry
        return response


def mark_seen_at_login(request: HttpRequest | None) -> None:
    """Logging in saves the session anyway: stamp it then, so the first page after it does not write it
    again (user_logged_in receiver in accounts.signals)."""
    session = getattr(request, "session", None)
    if session is not None:
        session[LAST_SEEN] = int(timezone.now().timestamp())
