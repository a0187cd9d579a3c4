"""Pure checks and normalizations of network input: codes, coordinates, phones, pickup hours.

No ORM here: every function takes plain values and returns the cleaned value or raises a
``DomainError`` naming the field at fault, so services, forms and tests share one rule.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from collections.abc import Iterable
from typing import Any

import phonenumbers

from trispace.network import errors

PHONE_REGION = "CN"
CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,20}$")
TIME_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
MAX_HOUR_RANGES = 21  # at most three ranges a day

# GCJ-02 is only defined over China (Hong Kong, Macao and Taiwan included): a generous box.
CHINA_LNG = (73.0, 136.0)
CHINA_LAT = (3.0, 54.0)


def clean_name(raw: Any, *, field: str = "name", max_length: int = 100) -> str:
    name = " ".join(str(raw or "").split())
    if not name or len(name) > max_length:
        raise errors.NAME_INVALID(field=field)
    return name


def clean_code(raw: Any) -> str:
    code = str(raw or "").strip()
    if not CODE_RE.match(code):
        raise errors.CODE_INVALID(field="code")
    return code


def clean_coordinates(lng: Any, lat: Any) -> tuple[float | None, float | None]:
    """Both or neither; finite numbers inside China's GCJ-02 box."""
    if lng is None and lat is None:
        return None, None
    if lng is None or lat is None:
        raise errors.COORDINATES_INVALID(field="lng" if lng is None else "lat")
    values = []
    for name, value in (("lng", lng), ("lat", lat)):
        if isinstance(value, bool):
            raise errors.COORDINATES_INVALID(field=name)
        try:
            number = float(value)
        except (TypeError, ValueError) as exc:
            raise errors.COORDINATES_INVALID(field=name) from exc
        if not math.isfinite(number):
            raise errors.COORDINATES_INVALID(field=name)
        values.append(number)
    lng_f, lat_f = values
    if not CHINA_LNG[0] <= lng_f <= CHINA_LNG[1]:
        raise errors.COORDINATES_INVALID(field="lng")
    if not CHINA_LAT[0] <= lat_f <= CHINA_LAT[1]:
        raise errors.COORDINATES_INVALID(field="lat")
    return round(lng_f, 6), round(lat_f, 6)


def normalize_phone(raw: Any, *, field: str = "phone", mobile_only: bool = False) -> str:
    """E.164 form of a phone number ("13812345678" → "+8613812345678"), China by default."""
    text = str(raw or "").strip()
    if not text or len(text) > 32:
        raise errors.PHONE_INVALID(field=field)
    try:
        parsed = phonenumbers.parse(text, PHONE_REGION)
    except phonenumbers.NumberParseException as exc:
        raise errors.PHONE_INVALID(field=field) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise errors.PHONE_INVALID(field=field)
    if mobile_only and phonenumbers.number_type(parsed) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise errors.PHONE_INVALID(field=field)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def mask_phone(e164: str) -> str:
    """ "+8613812345678" → "138****5678": phones shown to other people are always masked."""
    digits = (e164 or "")[3:] if (e164 or "").startswith("+86") else (e164 or "").lstrip("+")
    if len(digits) < 8:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"


# --- pickup hours ---------------------------------------------------------------------------
def _minutes(text: Any) -> int:
    if not isinstance(text, str):
        raise ValueError("time")
    match = TIME_RE.match(text.strip())
    if match is None:
        raise ValueError("time")
    return int(match.group(1)) * 60 + int(match.group(2))


def clean_pickup_hours(raw: Any) -> list[list[Any]]:
    """Validate ``[[weekday, "HH:MM", "HH:MM"], ...]`` (0 = Monday); sorted, no overlaps.

    Also accepts dicts ``{"weekday": 0, "open": "09:00", "close": "21:00"}``. Ranges are
    half-open ``[open, close)`` within one day; an empty list means "no pickup".
    """
    if raw is None:
        return []
    if not isinstance(raw, (list, tuple)) or len(raw) > MAX_HOUR_RANGES:
        raise errors.HOURS_INVALID(field="pickup_hours")
    ranges: list[tuple[int, int, int]] = []
    for item in raw:
        if isinstance(item, dict):
            item = [item.get("weekday"), item.get("open"), item.get("close")]
        if not isinstance(item, (list, tuple)) or len(item) != 3:
            raise errors.HOURS_INVALID(field="pickup_hours")
        weekday, opens, closes = item
        if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
            raise errors.HOURS_INVALID(field="pickup_hours")
        try:
            start, end = _minutes(opens), _minutes(closes)
        except ValueError as exc:
            raise errors.HOURS_INVALID(field="pickup_hours") from exc
        if start >= end:
            raise errors.HOURS_INVALID(field="pickup_hours")
        ranges.append((weekday, start, end))
    ranges.sort()
    for (day_a, _, end_a), (day_b, start_b, _) in itertools.pairwise(ranges):
        if day_a == day_b and start_b < end_a:
            raise errors.HOURS_INVALID(field="pickup_hours")
    return [[day, _hhmm(start), _hhmm(end)] for day, start, end in ranges]


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def open_at(hours: Iterable[Any], local: dt.datetime) -> bool:
    """Whether ``hours`` (already clean) cover the business-local moment ``local``."""
    weekday = local.weekday()
    now = local.hour * 60 + local.minute
    for item in hours or ():
        try:
            day, opens, closes = item
            if day == weekday and _minutes(opens) <= now < _minutes(closes):
                return True
        except (TypeError, ValueError):
            continue  # a malformed row stored before validation existed: treat as closed
    return False
