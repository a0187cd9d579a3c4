"""Template filters of the H5 pages: ``{{ amount_fen|fen }}`` → ``¥12.30``."""

from __future__ import annotations

from typing import Any

from django import template

from trispace.kernel.money import format_fen

register = template.Library()


@register.filter
def fen(value: Any) -> str:
    """Format an int of fen as yuan with the ¥ sign; anything else shows as empty."""
    if isinstance(value, bool) or not isinstance(value, int):
        return ""
    return format_fen(value)
