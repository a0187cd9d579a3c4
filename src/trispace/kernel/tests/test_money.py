"""Money: property tests for splitting, rates and the yuan text round trip."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from trispace.kernel.money import (
    BPS_WHOLE,
    Rounding,
    allocate,
    apply_rate,
    format_fen,
    parse_yuan,
    split_even,
    yuan_str,
)

amounts = st.integers(min_value=0, max_value=10**12)
weights_lists = st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=30)
rates = st.integers(min_value=0, max_value=BPS_WHOLE)


# --- allocate --------------------------------------------------------------------------------


@given(total=amounts, weights=weights_lists)
@example(total=1, weights=[1, 1, 1])
@example(total=100, weights=[0, 0, 0])
@example(total=0, weights=[5, 0])
def test_allocate_parts_sum_to_the_total(total: int, weights: list[int]) -> None:
    parts = allocate(total, weights)
    assert len(parts) == len(weights)
    assert sum(parts) == total
    assert all(part >= 0 for part in parts)


@given(total=amounts, weights=weights_lists)
def test_each_part_is_within_one_fen_of_its_exact_share(total: int, weights: list[int]) -> None:
    parts = allocate(total, weights)
    weight_sum = sum(weights)
    effective = weights if weight_sum else [1] * len(weights)
    effective_sum = sum(effective)
    for part, weight in zip(parts, effective, strict=True):
        exact = Fraction(total * weight, effective_sum)
        assert abs(part - exact) < 1


@given(total=amounts, weights=weights_lists)
def test_allocate_is_deterministic(total: int, weights: list[int]) -> None:
    assert allocate(total, weights) == allocate(total, list(weights))


@given(total=amounts, weights=weights_lists)
def test_zero_weights_get_nothing_unless_all_are_zero(total: int, weights: list[int]) -> None:
    parts = allocate(total, weights)
    if sum(weights):
        assert all(part == 0 for part, weight in zip(parts, weights, strict=True) if weight == 0)
    else:
        assert max(parts) - min(parts) <= 1


def test_ties_go_to_the_earlier_part() -> None:
    assert allocate(2, [1, 1, 1]) == [1, 1, 0]
    assert allocate(100, [1, 1, 1]) == [34, 33, 33]
    assert split_even(10, 3) == [4, 3, 3]


def test_allocate_refusals() -> None:
    assert allocate(0, []) == []
    with pytest.raises(ValueError):
        allocate(1, [])
    with pytest.raises(ValueError):
        allocate(-1, [1])
    with pytest.raises(ValueError):
        allocate(10, [1, -1])
    with pytest.raises(TypeError):
        allocate(10, [1.5])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        allocate(10.0, [1])  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        allocate(True, [1])
    with pytest.raises(ValueError):
        split_even(10, 0)


# --- apply_rate ------------------------------------------------------------------------------


@given(amount=amounts, rate=rates)
def test_a_share_never_exceeds_the_amount(amount: int, rate: int) -> None:
    for rounding in Rounding:
        assert 0 <= apply_rate(amount, rate, rounding) <= amount


@given(amount=amounts, rate=st.integers(min_value=0, max_value=10 * BPS_WHOLE))
def test_rounding_modes_are_ordered_and_within_a_fen(amount: int, rate: int) -> None:
    down = apply_rate(amount, rate, Rounding.DOWN)
    half = apply_rate(amount, rate, Rounding.HALF_UP)
    up = apply_rate(amount, rate, Rounding.UP)
    exact = Fraction(amount * rate, BPS_WHOLE)
    assert down <= half <= up
    assert down <= exact <= up
    assert up - down <= 1
    assert abs(half - exact) <= Fraction(1, 2)
    assert apply_rate(amount, rate) == down  # toward zero is the default


@given(amount=amounts, a=rates, b=rates)
def test_apply_rate_is_monotonic_in_the_rate(amount: int, a: int, b: int) -> None:
    low, high = sorted((a, b))
    for rounding in Rounding:
        assert apply_rate(amount, low, rounding) <= apply_rate(amount, high, rounding)


def test_apply_rate_examples() -> None:
    assert apply_rate(999, 1000) == 99  # 99.9 → 99: the fraction stays with the base
    assert apply_rate(999, 1000, Rounding.HALF_UP) == 100
    assert apply_rate(995, 5000, Rounding.HALF_UP) == 498  # 497.5 → 498
    assert apply_rate(101, 1, Rounding.UP) == 1
    assert apply_rate(12345, BPS_WHOLE) == 12345


def test_apply_rate_refusals() -> None:
    with pytest.raises(ValueError):
        apply_rate(-1, 100)
    with pytest.raises(ValueError):
        apply_rate(100, -1)
    with pytest.raises(TypeError):
        apply_rate(100.0, 100)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        apply_rate(100, False)


# --- text ------------------------------------------------------------------------------------


@given(fen=amounts)
def test_format_then_parse_round_trips(fen: int) -> None:
    assert parse_yuan(format_fen(fen)) == fen
    assert parse_yuan(yuan_str(fen)) == fen


def test_format_fen_examples() -> None:
    assert format_fen(1230) == "¥12.30"
    assert format_fen(-5) == "-¥0.05"
    assert format_fen(123450) == "¥1,234.50"
    assert yuan_str(7) == "0.07"


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("12.3", 1230),
        ("12", 1200),
        ("0.05", 5),
        (".5", 50),
        ("12.", 1200),
        ("1.230", 123),
        ("¥1,234.50", 123450),
        ("￥12", 1200),
        (" ¥ 3 ", 300),
        ("１２．５", 1250),  # typed with a Chinese input method
        (7, 700),
    ],
)
def test_parse_yuan_accepts(text: str | int, fen: int) -> None:
    assert parse_yuan(text) == fen


@pytest.mark.parametrize(
    "text",
    [
        "1.234",
        "-1",
        "+1",
        "abc",
        "NaN",
        "nan",
        "Infinity",
        "1e3",
        "1E3",
        "1_000",
        "1,23",
        "12,3456",
        "",
        " ",
        ".",
        "¥",
        "1¥2",
        "12 3",
        "٣",  # an Arabic-Indic digit: not what a price field takes
        "9" * 100,
        -1,
        True,
        None,
        12.5,
    ],
)
def test_parse_yuan_refuses(text: object) -> None:
    with pytest.raises(ValueError):
        parse_yuan(text)  # type: ignore[arg-type]
