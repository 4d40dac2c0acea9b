"""Who may read the wall screen's data: a leader, dispatcher or supervisor by their jurisdiction, or the
holder of a screen token by the token's territory. Only the views that list `SCREEN_AUTH` and call
`screen_scope` accept a token; every other page and endpoint ignores it, so it opens nothing else."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.settings import api_settings

from command.selectors import LEVELS, require_command_role, unit_scope
from command.tokens import ScreenToken, valid_token
from core.errors import DomainError, NotFound
from grid.figures.ledger import Scope
from territory.models import Division, Grid

HEADER_KEYWORD = "Screen"
CODE_LENGTHS = {"district": 6, "town": 9, "village": 12, "grid": 15}


class ScreenTokenAuthentication(BaseAuthentication):
    """`Authorization: Screen <key>`. A live token becomes `request.auth`; the user stays anonymous."""

    def authenticate(self, request: Request) -> tuple[Any, ScreenToken] | None:
        words = request.META.get("HTTP_AUTHORIZATION", "").split()
        if len(words) != 2 or words[0] != HEADER_KEYWORD:
            return None
        token = valid_token(words[1], now=timezone.now())
        if token is None:
            # An unknown, expired or revoked key is a failed authentication: 401, `not_authenticated`.
            raise exceptions.AuthenticationFailed("大屏令牌无效、已过期或已吊销。", code="not_authenticated")
        return AnonymousUser(), token

    def authenticate_header(self, request: Request) -> str:
        return HEADER_KEYWORD


class ScreenTokenScheme(OpenApiAuthenticationExtension):
    """The token in the OpenAPI document."""

    target_class = "command.screen_access.ScreenTokenAuthentication"
    name = "screenToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Screen <key>`: a read-only wall-screen token (大屏令牌) of one territory.",
        }


class StaffOrScreenToken(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, ScreenToken) or bool(request.user and request.user.is_authenticated)


SCREEN_AUTH: dict[str, Any] = {
    "authentication_classes": [ScreenTokenAuthentication, *api_settings.DEFAULT_AUTHENTICATION_CLASSES],
    "permission_classes": [StaffOrScreenToken],
}


def token_scope(token: ScreenToken, level: str | None, code: str | None) -> Scope:
    """The unit a token asks for: its own territory by default, or one inside it; anything outside is
    not found, exactly as for staff."""
    if not level and not code:
        level, code = token.level, token.territory_code
    if level not in LEVELS:
        raise DomainError("invalid", f"层级应为 {' / '.join(LEVELS)} 之一。", field="level")
    code = (code or "").strip()
    if not code.isdigit() or len(code) != CODE_LENGTHS[level]:
        raise DomainError("invalid", f"{level} 代码应为 {CODE_LENGTHS[level]} 位数字。", field="code")
    if level == "grid":
        name = Grid.objects.filter(code=code).values_list("name", flat=True).first()
    else:
        name = Division.objects.filter(code=code, level=level).values_list("name", flat=True).first()
    if name is None or not code.startswith(token.territory_code):
        raise NotFound(f"未找到区划或网格：{code}", field="code")
    return Scope(level, code, name, code)


def screen_scope(request: Request) -> Scope:
    """The unit of a screen read: by token or by the staff member's role and jurisdiction."""
    level, code = request.query_params.get("level"), request.query_params.get("code")
    if isinstance(request.auth, ScreenToken):
        return token_scope(request.auth, level, code)
    require_command_role(request.user)
    return unit_scope(request.user, level, code)
