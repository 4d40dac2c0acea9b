"""The one error type of the platform. Views, the API and Open311 render it in their envelope."""

from __future__ import annotations


class DomainError(Exception):
    """A refusal with a machine-readable code, a human message and the field it concerns."""

    status = 400

    def __init__(self, code: str, message: str, field: str | None = None, status: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        if status is not None:
            self.status = status

    def as_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "message": self.message, "field": self.field}


class NotFound(DomainError):
    """Missing, or outside the caller's jurisdiction: the two are indistinguishable on purpose."""

    status = 404

    def __init__(self, message: str = "Not found. 未找到。", field: str | None = None):
        super().__init__("not_found", message, field)


class PermissionRefused(DomainError):
    status = 403


class Conflict(DomainError):
    """The item changed under the caller (a concurrent action won); retrying after a reload may work."""

    status = 409


class Unprocessable(DomainError):
    """Well-formed input that the rules refuse."""

    status = 422
