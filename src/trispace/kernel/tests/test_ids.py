"""Identifiers: order numbers people read out, tokens nobody can guess."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest

from trispace.kernel import ids
from trispace.kernel import time as ktime

ORDER_NUMBER = re.compile(r"[0-9A-Z]{1,32}")
CROCKFORD = set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")


def test_order_number_shape() -> None:
    number = ids.order_number()
    assert ORDER_NUMBER.fullmatch(number)
    assert len(number) == 24
    assert len(ids.order_number("GB01")) == 28
    assert ids.order_number("gb").startswith("GB")
    assert set(ids.order_number("ZZZZ")) <= set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def test_order_number_starts_with_business_time() -> None:
    with ktime.freeze(dt.datetime(2026, 12, 31, 16, 30, 45, 123456, tzinfo=dt.UTC)):
        number = ids.order_number("P")
    assert number.startswith("P270101003045123456")  # 00:30 on 1 January in Shanghai


@pytest.mark.parametrize("prefix", ["TOOLONG", "A-1", "A B", "订单"])
def test_order_number_refuses_bad_prefixes(prefix: str) -> None:
    with pytest.raises(ValueError):
        ids.order_number(prefix)


def test_order_numbers_are_unique_and_increase_over_10000_quick_calls() -> None:
    numbers = [ids.order_number() for _ in range(10_000)]
    assert len(set(numbers)) == len(numbers)
    assert numbers == sorted(numbers)
    assert all(len(n) <= 32 and ORDER_NUMBER.fullmatch(n) for n in numbers)


def test_order_numbers_increase_across_time() -> None:
    base = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    numbers = []
    for step in (0, 1, 999, 1_000_000, 86_400_000_000):
        with ktime.freeze(base + dt.timedelta(microseconds=step)):
            numbers.append(ids.order_number())
    assert numbers == sorted(numbers)


def test_order_numbers_are_unique_across_threads() -> None:
    results: list[list[str]] = [[] for _ in range(4)]

    def make(bucket: list[str]) -> None:
        bucket.extend(ids.order_number() for _ in range(2_500))

    threads = [threading.Thread(target=make, args=(bucket,)) for bucket in results]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    everything = [n for bucket in results for n in bucket]
    assert len(set(everything)) == 10_000
    for bucket in results:
        assert bucket == sorted(bucket)


def test_a_frozen_clock_still_gives_unique_numbers() -> None:
    with ktime.freeze(dt.datetime(2026, 1, 1, tzinfo=dt.UTC)):
        numbers = [ids.order_number() for _ in range(1_000)]
    assert len(set(numbers)) == 1_000
    assert numbers == sorted(numbers)  # the sequence orders what the clock cannot


def test_tokens_are_long_random_and_url_safe() -> None:
    tokens = {ids.token() for _ in range(1_000)}
    assert len(tokens) == 1_000
    for value in tokens:
        assert len(value) == 24  # 18 bytes = 144 bits
        assert re.fullmatch(r"[A-Za-z0-9_-]+", value)
    assert len(ids.token(32)) == 43  # 256 bits


def test_short_and_numeric_codes() -> None:
    codes = {ids.short_code() for _ in range(1_000)}
    assert len(codes) == 1_000  # 40 bits each: a collision here would be a broken generator
    assert all(len(c) == 8 and set(c) <= CROCKFORD for c in codes)
    assert len(ids.short_code(12)) == 12
    numeric = [ids.numeric_code() for _ in range(2_000)]
    assert all(len(c) == 6 and c.isdigit() for c in numeric)
    assert any(c.startswith("0") for c in numeric)  # leading zeros kept
    assert len(set(numeric)) > 1_900
    assert len(ids.numeric_code(4)) == 4
