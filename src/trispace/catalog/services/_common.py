"""Helpers the catalog services share: the "not given" marker and text checks."""

from __future__ import annotations

import enum
from typing import Any

from trispace.kernel import errors
from trispace.kernel.errors import ErrorCode


class _Unset(enum.Enum):
    UNSET = "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET = _Unset.UNSET  # "leave this field as it is" in update services


def clean_text(
    value: Any, *, error: ErrorCode, field: str, max_length: int, required: bool = True
) -> str:
    """Stripped text of 1 (or 0 when not required) to ``max_length`` characters, else ``error``."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise error(field=field, max=max_length)
    text = value.strip()
    if (required and not text) or len(text) > max_length:
        raise error(field=field, max=max_length)
    return text


def clean_position(value: Any, field: str = "position") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > 1_000_000:
        raise errors.INVALID(field=field)
    return value
