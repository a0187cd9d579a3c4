"""Phone numbers: E.164 storage, mainland China by default, masked on anything shown to others."""

from __future__ import annotations

import phonenumbers

from trispace.accounts import errors

DEFAULT_REGION = "CN"


def normalize(raw: str, region: str = DEFAULT_REGION) -> str:
    """Return the E.164 form of ``raw`` ("13812345678" → "+8613812345678"); PHONE_INVALID otherwise."""
    text = (raw or "").strip()
    if not text or len(text) > 32:
        raise errors.PHONE_INVALID(field="phone")
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise errors.PHONE_INVALID(field="phone") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise errors.PHONE_INVALID(field="phone")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def national(e164: str) -> str:
    """The number as dialled at home: "+8613812345678" → "13812345678"."""
    if e164.startswith("+86"):
        return e164[3:]
    return e164


def mask(e164: str) -> str:
    """Mask the middle of a number: "+8613812345678" → "138****5678" (others keep 3 + 4 digits)."""
    digits = national(e164 or "")
    if len(digits) < 8:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"


def tail(e164: str, count: int = 4) -> str:
    return national(e164)[-count:]
