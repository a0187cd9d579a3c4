"""Domain errors: a stable machine code, a translatable message, the field at fault.

Every context's ``errors.py`` declares its codes as ``ErrorCode`` constants; the API and the pages
map a ``DomainError`` to a 4xx response ``{code, message, field}``. Codes never change once
published (clients switch on them); messages may.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ErrorCode:
    code: str
    message: Any  # str or a lazy translation
    status: int = 400

    def __call__(
        self, message: Any = None, *, field: str | None = None, **params: Any
    ) -> DomainError:
        """Build the error: ``raise errors.PHONE_INVALID(field="phone")``."""
        return DomainError(self, message=message, field=field, params=params)


class DomainError(Exception):
    """A refused use case. Nothing has changed when it is raised inside a service."""

    def __init__(
        self,
        error: ErrorCode,
        *,
        message: Any = None,
        field: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> None:
        self.error = error
        self.params = params or {}
        self.field = field
        self._message = message
        super().__init__(f"{error.code}: {self.message}")

    @property
    def code(self) -> str:
        return self.error.code

    @property
    def status(self) -> int:
        return self.error.status

    @property
    def message(self) -> str:
        text = str(self._message if self._message is not None else self.error.message)
        if self.params:
            try:
                return text.format(**self.params)
            except (KeyError, IndexError, ValueError):
                return text
        return text

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "field": self.field}


# Codes every context shares.
NOT_FOUND = ErrorCode("not_found", _("Not found."), 404)
PERMISSION_DENIED = ErrorCode("permission_denied", _("You are not allowed to do this."), 403)
NOT_AUTHENTICATED = ErrorCode("not_authenticated", _("Please log in first."), 401)
INVALID = ErrorCode("invalid", _("The input is not valid."), 400)
CONFLICT = ErrorCode(
    "conflict", _("The object was changed by someone else; reload and retry."), 409
)
TRANSITION_NOT_ALLOWED = ErrorCode(
    "transition_not_allowed", _("This action is not allowed in the current status."), 409
)
IDEMPOTENCY_KEY_REUSED = ErrorCode(
    "idempotency_key_reused", _("This Idempotency-Key was already used with another request."), 409
)
IDEMPOTENCY_IN_PROGRESS = ErrorCode(
    "idempotency_in_progress",
    _("A request with this Idempotency-Key is still being processed."),
    409,
)
RATE_LIMITED = ErrorCode("rate_limited", _("Too many attempts; try again later."), 429)
