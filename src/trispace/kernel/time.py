"""Time: one clock for the whole system, UTC in the database, business dates in Asia/Shanghai.

``now()`` is the only way code asks for the current time, so tests (and the demo's "move time"
switch) can move it: ``freeze(at)`` stops it, ``travel(by)`` shifts it. Windows are half-open:
``start <= t < end``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Iterator
from zoneinfo import ZoneInfo

BUSINESS_TZ = ZoneInfo("Asia/Shanghai")
UTC = dt.UTC

_state = threading.local()
_global_offset = dt.timedelta(0)


def _real_now() -> dt.datetime:
    return dt.datetime.now(tz=UTC)


def now() -> dt.datetime:
    """The current time, timezone-aware (UTC), as moved by ``freeze``/``travel``/``set_offset``."""
    frozen: dt.datetime | None = getattr(_state, "frozen", None)
    if frozen is not None:
        return frozen
    offset: dt.timedelta = getattr(_state, "offset", dt.timedelta(0))
    return _real_now() + _global_offset + offset


def set_offset(offset: dt.timedelta) -> None:
    """Shift the clock for the whole process (the demo's time machine); 0 puts it back."""
    global _global_offset
    _global_offset = offset


def get_offset() -> dt.timedelta:
    return _global_offset


@contextlib.contextmanager
def freeze(at: dt.datetime) -> Iterator[dt.datetime]:
    """Stop the clock at ``at`` (aware) for this thread."""
    if at.tzinfo is None:
        raise ValueError("freeze() needs an aware datetime")
    previous = getattr(_state, "frozen", None)
    _state.frozen = at.astimezone(UTC)
    try:
        yield _state.frozen
    finally:
        _state.frozen = previous


@contextlib.contextmanager
def travel(by: dt.timedelta) -> Iterator[None]:
    """Move the clock by ``by`` for this thread (works inside ``freeze`` too)."""
    frozen = getattr(_state, "frozen", None)
    previous_offset = getattr(_state, "offset", dt.timedelta(0))
    if frozen is not None:
        _state.frozen = frozen + by
    else:
        _state.offset = previous_offset + by
    try:
        yield
    finally:
        if frozen is not None:
            _state.frozen = frozen
        else:
            _state.offset = previous_offset


def local(moment: dt.datetime | None = None) -> dt.datetime:
    """``moment`` (default now) in business time (Asia/Shanghai)."""
    moment = now() if moment is None else moment
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are not accepted")
    return moment.astimezone(BUSINESS_TZ)


def business_date(moment: dt.datetime | None = None) -> dt.date:
    """The business day (Asia/Shanghai) that ``moment`` (default now) falls on."""
    return local(moment).date()


def at_local(day: dt.date, clock: dt.time) -> dt.datetime:
    """The instant of ``clock`` on business day ``day`` in Asia/Shanghai, as aware UTC."""
    return dt.datetime.combine(day, clock, tzinfo=BUSINESS_TZ).astimezone(UTC)


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Half-open UTC bounds ``[start, end)`` of business day ``day``."""
    start = at_local(day, dt.time(0, 0))
    return start, at_local(day + dt.timedelta(days=1), dt.time(0, 0))


def days_bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Half-open UTC bounds covering business days ``first`` to ``last`` inclusive."""
    if last < first:
        raise ValueError("last day is before the first")
    return day_bounds(first)[0], day_bounds(last)[1]
