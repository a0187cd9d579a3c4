"""The clock: freeze and travel, business days in Asia/Shanghai whatever the process's TZ."""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from collections.abc import Iterator

import pytest

from trispace.kernel import time as ktime

UTC = dt.UTC
SHANGHAI = ktime.BUSINESS_TZ


@pytest.fixture(params=["UTC", "America/Los_Angeles", "Pacific/Kiritimati", "Asia/Shanghai"])
def process_tz(request: pytest.FixtureRequest) -> Iterator[str]:
    """Run the test with the process's local time zone set to something else."""
    previous = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    try:
        yield request.param
    finally:
        if previous is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = previous
        time.tzset()


def test_now_is_aware_utc() -> None:
    moment = ktime.now()
    assert moment.tzinfo is not None
    assert moment.utcoffset() == dt.timedelta(0)


def test_freeze_stops_the_clock_and_restores_it() -> None:
    at = dt.datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    with ktime.freeze(at) as frozen:
        assert frozen == at
        assert ktime.now() == at
        time.sleep(0.01)
        assert ktime.now() == at
        with ktime.freeze(at + dt.timedelta(days=1)):
            assert ktime.now() == at + dt.timedelta(days=1)
        assert ktime.now() == at
    assert abs(ktime.now() - dt.datetime.now(tz=UTC)) < dt.timedelta(seconds=5)


def test_freeze_takes_other_zones_and_refuses_naive() -> None:
    local_noon = dt.datetime(2026, 3, 1, 12, 0, tzinfo=SHANGHAI)
    with ktime.freeze(local_noon):
        assert ktime.now() == dt.datetime(2026, 3, 1, 4, 0, tzinfo=UTC)
        assert ktime.now().tzinfo == UTC
    with pytest.raises(ValueError), ktime.freeze(dt.datetime(2026, 3, 1, 12, 0)):
        pass


def test_travel_moves_a_frozen_clock_and_a_running_one() -> None:
    at = dt.datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    with ktime.freeze(at):
        with ktime.travel(dt.timedelta(hours=3)):
            assert ktime.now() == at + dt.timedelta(hours=3)
            with ktime.travel(dt.timedelta(days=-1)):
                assert ktime.now() == at + dt.timedelta(hours=3) - dt.timedelta(days=1)
        assert ktime.now() == at
    real = dt.datetime.now(tz=UTC)
    with ktime.travel(dt.timedelta(days=10)):
        assert ktime.now() - real >= dt.timedelta(days=10)
        assert ktime.now() - real < dt.timedelta(days=10, seconds=5)
    assert ktime.now() - real < dt.timedelta(seconds=5)


def test_freeze_is_per_thread() -> None:
    at = dt.datetime(2000, 1, 1, tzinfo=UTC)
    seen: list[dt.datetime] = []
    with ktime.freeze(at):
        thread = threading.Thread(target=lambda: seen.append(ktime.now()))
        thread.start()
        thread.join()
        assert ktime.now() == at
    assert seen[0].year > 2000


def test_set_offset_moves_the_whole_process() -> None:
    seen: list[dt.datetime] = []
    ktime.set_offset(dt.timedelta(days=365))
    try:
        thread = threading.Thread(target=lambda: seen.append(ktime.now()))
        thread.start()
        thread.join()
        assert ktime.get_offset() == dt.timedelta(days=365)
    finally:
        ktime.set_offset(dt.timedelta(0))
    assert seen[0] - dt.datetime.now(tz=UTC) > dt.timedelta(days=364)


def test_day_bounds_are_half_open_in_shanghai(process_tz: str) -> None:
    start, end = ktime.day_bounds(dt.date(2026, 3, 1))
    assert start == dt.datetime(2026, 2, 28, 16, 0, tzinfo=UTC)
    assert end == dt.datetime(2026, 3, 1, 16, 0, tzinfo=UTC)
    assert end - start == dt.timedelta(days=1)  # no daylight saving in China
    assert ktime.business_date(start) == dt.date(2026, 3, 1)
    assert ktime.business_date(end - dt.timedelta(microseconds=1)) == dt.date(2026, 3, 1)
    assert ktime.business_date(end) == dt.date(2026, 3, 2)  # end belongs to the next day
    # consecutive days tile the line: no gap, no overlap
    assert ktime.day_bounds(dt.date(2026, 3, 2))[0] == end


def test_business_date_near_midnight_utc_plus_8(process_tz: str) -> None:
    # 15:59:59 UTC is 23:59:59 in Shanghai; 16:00 UTC is already the next business day.
    assert ktime.business_date(dt.datetime(2026, 12, 31, 15, 59, 59, tzinfo=UTC)) == dt.date(
        2026, 12, 31
    )
    assert ktime.business_date(dt.datetime(2026, 12, 31, 16, 0, tzinfo=UTC)) == dt.date(2027, 1, 1)
    with ktime.freeze(dt.datetime(2026, 6, 30, 16, 30, tzinfo=UTC)):
        assert ktime.business_date() == dt.date(2026, 7, 1)
        assert ktime.local().hour == 0
        assert ktime.local().minute == 30
        assert ktime.local().utcoffset() == dt.timedelta(hours=8)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        ktime.business_date(dt.datetime(2026, 1, 1, 12, 0))
    with pytest.raises(ValueError):
        ktime.local(dt.datetime(2026, 1, 1, 12, 0))


def test_at_local_and_days_bounds(process_tz: str) -> None:
    cutoff = ktime.at_local(dt.date(2026, 5, 20), dt.time(22, 0))
    assert cutoff == dt.datetime(2026, 5, 20, 14, 0, tzinfo=UTC)
    start, end = ktime.days_bounds(dt.date(2026, 5, 1), dt.date(2026, 5, 7))
    assert start == ktime.day_bounds(dt.date(2026, 5, 1))[0]
    assert end == ktime.day_bounds(dt.date(2026, 5, 7))[1]
    assert end - start == dt.timedelta(days=7)
    with pytest.raises(ValueError):
        ktime.days_bounds(dt.date(2026, 5, 7), dt.date(2026, 5, 1))
