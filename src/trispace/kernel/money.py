"""Money: integer fen (分), CNY only; rates in integer basis points (1 bps = 0.01%).

No floats and no Decimal fields near money. Two operations cover every split in Trispace:

* ``apply_rate(amount_fen, rate_bps)`` — the share a rate gives. **Rounding rule: toward zero**
  (floor for the non-negative amounts we handle). Whoever is paid a share (a promoter, a leader,
  a discount) never gets a fraction of a fen more than the rate says; the fraction stays with the
  base. ``Rounding.HALF_UP`` exists for prices a person sets as a percentage ("95% of retail").
* ``allocate(total_fen, weights)`` — split a whole into parts proportional to weights by the
  **largest-remainder method**: each part gets the floor of its exact share, then the fen left
  over go one each to the parts with the largest remainders (ties: the earlier part). The parts
  always sum exactly to the whole and no part differs from its exact share by a fen or more.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Sequence

BPS_WHOLE = 10_000  # 100% in basis points

# ASCII digits only (``\d`` would take any script's digits); commas only as thousands separators.
_AMOUNT = re.compile(
    r"(?P<whole>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)?(?:\.(?P<decimals>[0-9]*))?", re.ASCII
)
_MAX_AMOUNT_LENGTH = 40


class Rounding(enum.Enum):
    DOWN = "down"  # toward zero: the default for shares
    HALF_UP = "half_up"  # for prices set as a percentage
    UP = "up"  # away from zero: for fees we charge (a minimum fee is applied separately)


def _check_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    return value


def apply_rate(amount_fen: int, rate_bps: int, rounding: Rounding = Rounding.DOWN) -> int:
    """Return ``amount_fen × rate_bps / 10000`` rounded by ``rounding`` (toward zero by default).

    Both arguments must be non-negative ints; the result never exceeds ``amount_fen`` when the
    rate is at most 100%.
    """
    _check_int("amount_fen", amount_fen)
    _check_int("rate_bps", rate_bps)
    if amount_fen < 0 or rate_bps < 0:
        raise ValueError("apply_rate takes non-negative amounts and rates")
    numerator = amount_fen * rate_bps
    if rounding is Rounding.DOWN:
        return numerator // BPS_WHOLE
    if rounding is Rounding.UP:
        return -(-numerator // BPS_WHOLE)
    return (numerator * 2 + BPS_WHOLE) // (2 * BPS_WHOLE)


def allocate(total_fen: int, weights: Sequence[int]) -> list[int]:
    """Split ``total_fen`` into ``len(weights)`` parts proportional to ``weights``.

    Largest remainder; ties go to the earlier index. Zero weights get zero unless every weight is
    zero, in which case the total is split evenly. The parts always sum to ``total_fen``.
    """
    _check_int("total_fen", total_fen)
    if total_fen < 0:
        raise ValueError("allocate takes a non-negative total")
    if not weights:
        if total_fen:
            raise ValueError("cannot allocate a non-zero total over no parts")
        return []
    for w in weights:
        _check_int("weight", w)
        if w < 0:
            raise ValueError("weights must be non-negative")
    weight_sum = sum(weights)
    if weight_sum == 0:
        weights = [1] * len(weights)
        weight_sum = len(weights)
    parts = []
    remainders = []
    for index, weight in enumerate(weights):
        quotient, remainder = divmod(total_fen * weight, weight_sum)
        parts.append(quotient)
        remainders.append((-remainder, index))
    left = total_fen - sum(parts)
    for _, index in sorted(remainders)[:left]:
        parts[index] += 1
    return parts


def split_even(total_fen: int, count: int) -> list[int]:
    """Split ``total_fen`` into ``count`` parts that differ by at most one fen (earlier get more)."""
    if count <= 0:
        raise ValueError("count must be positive")
    return allocate(total_fen, [1] * count)


def format_fen(amount_fen: int, symbol: str = "¥") -> str:
    """``1230`` → ``"¥12.30"``; ``-5`` → ``"-¥0.05"``; thousands are separated: ``"¥1,234.50"``."""
    _check_int("amount_fen", amount_fen)
    sign = "-" if amount_fen < 0 else ""
    yuan, fen = divmod(abs(amount_fen), 100)
    return f"{sign}{symbol}{yuan:,}.{fen:02d}"


def parse_yuan(text: str | int) -> int:
    """Parse what a person types as yuan ("12.3", "12", "¥1,234.50", "１２.５") into fen, exactly.

    Accepts digits with at most two decimals (trailing zeros beyond them are harmless), an
    optional ¥/￥ sign and thousands separators in their places; full-width characters typed with
    a Chinese input method count as their ASCII forms. Refuses signs, exponents ("1e3"),
    "NaN"/"Infinity", underscores, more than two significant decimals and anything else
    (ValueError).
    """
    if isinstance(text, int) and not isinstance(text, bool):
        if text < 0:
            raise ValueError("not an amount")
        return text * 100
    if not isinstance(text, str):
        raise ValueError("not an amount")
    cleaned = unicodedata.normalize("NFKC", text).strip()  # NFKC: "￥１２．５" → "¥12.5"
    if cleaned.startswith("¥"):
        cleaned = cleaned[1:].lstrip()
    if len(cleaned) > _MAX_AMOUNT_LENGTH:
        raise ValueError("not an amount")
    match = _AMOUNT.fullmatch(cleaned)
    if match is None or not (match["whole"] or match["decimals"]):
        raise ValueError("not an amount")
    whole = (match["whole"] or "0").replace(",", "")
    decimals = (match["decimals"] or "").rstrip("0")
    if len(decimals) > 2:
        raise ValueError("at most two decimals")
    return int(whole) * 100 + int(decimals.ljust(2, "0"))


def yuan_str(amount_fen: int) -> str:
    """``1230`` → ``"12.30"`` (no symbol): for form fields and spreadsheets."""
    return format_fen(amount_fen, symbol="")
