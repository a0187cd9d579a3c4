"""Identifiers: time-ordered order numbers and unguessable tokens.

Order numbers are what a customer reads out at a counter: digits and capital letters only,
at most 32 characters, sortable by creation time, unique without a database round trip.
"""

from __future__ import annotations

import secrets
import threading

from trispace.kernel import time as ktime

# Crockford base32: no I, L, O, U, so a number read aloud or typed is not misread.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_lock = threading.Lock()
_last_stamp = ""
_last_seq = 0


def order_number(prefix: str = "") -> str:
    """``[prefix]YYMMDDHHMMSSffffff`` in business time, a per-process sequence, then randomness.

    Example: ``2611231630451234560007K3``: 18 time digits, 2 sequence characters and 4 random
    characters (32⁴ ≈ one million per microsecond per process). Lexicographic order follows time.
    """
    if len(prefix) > 4 or not (prefix.isascii() and (prefix.isalnum() or not prefix)):
        raise ValueError("prefix: up to 4 ASCII letters or digits")
    global _last_stamp, _last_seq
    with _lock:  # the stamp too, so threads take stamps and sequence numbers in one order
        stamp = ktime.local().strftime("%y%m%d%H%M%S%f")
        if stamp == _last_stamp:
            _last_seq = (_last_seq + 1) % (32 * 32)
        else:
            _last_stamp, _last_seq = stamp, 0
        seq = _last_seq
    seq_text = _ALPHABET[seq // 32] + _ALPHABET[seq % 32]
    tail = "".join(secrets.choice(_ALPHABET) for _ in range(4))
    return f"{prefix.upper()}{stamp}{seq_text}{tail}"


def token(nbytes: int = 18) -> str:
    """An unguessable URL-safe token (``nbytes`` of randomness, 24 characters by default)."""
    return secrets.token_urlsafe(nbytes)


def short_code(length: int = 8) -> str:
    """A short unguessable code of Crockford base32 characters (share links, invitations)."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def numeric_code(digits: int = 6) -> str:
    """A random numeric code (SMS codes, pickup codes): leading zeros kept."""
    return f"{secrets.randbelow(10**digits):0{digits}d}"
