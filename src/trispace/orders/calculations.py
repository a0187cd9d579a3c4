"""Pure order arithmetic over dataclasses: no ORM (Saleor's checkout/fetch.py idea).

The services load what a calculation needs once, call these, and write the result.

* ``order_amounts`` — line subtotals, the order discount apportioned to the lines by the largest
  remainder (``kernel.money.allocate``, weights = line subtotals), each line's ``paid_fen``;
  shipping stays apart from the lines. The lines' ``paid_fen`` sum to subtotal − discount and
  the order total is that plus shipping, always.
* ``refund_amount`` — what refunding ``q`` units of a line returns: ``paid_fen × q // quantity``,
  except that a request reaching the line's last unit takes whatever of ``paid_fen`` is left.
  Whatever the sequence of partial refunds, refunding every unit returns exactly ``paid_fen``
  and never more.
* ``refund_plan`` — a whole after-sale request checked against what each line may still refund.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from trispace.kernel.money import allocate


@dataclass(frozen=True)
class LineIn:
    """A line as priced at checkout: ``key`` is whatever identifies it to the caller."""

    key: int
    unit_price_fen: int
    quantity: int


@dataclass(frozen=True)
class LineAmounts:
    key: int
    unit_price_fen: int
    quantity: int
    subtotal_fen: int
    discount_fen: int
    paid_fen: int


@dataclass(frozen=True)
class OrderAmounts:
    lines: tuple[LineAmounts, ...]
    subtotal_fen: int
    discount_fen: int
    shipping_fen: int
    total_fen: int

    @property
    def goods_fen(self) -> int:
        """What the buyer pays for the goods (the lines), shipping excluded."""
        return self.subtotal_fen - self.discount_fen


def order_amounts(
    lines: Sequence[LineIn], *, discount_fen: int = 0, shipping_fen: int = 0
) -> OrderAmounts:
    """The amounts of an order. A discount larger than the subtotal is capped at the subtotal."""
    for line in lines:
        if line.quantity <= 0 or line.unit_price_fen < 0:
            raise ValueError("lines need a positive quantity and a non-negative price")
    if discount_fen < 0 or shipping_fen < 0:
        raise ValueError("discount and shipping are non-negative")
    subtotals = [line.unit_price_fen * line.quantity for line in lines]
    subtotal = sum(subtotals)
    discount = min(discount_fen, subtotal)
    shares = allocate(discount, subtotals) if lines else []
    amounts = tuple(
        LineAmounts(
            key=line.key,
            unit_price_fen=line.unit_price_fen,
            quantity=line.quantity,
            subtotal_fen=sub,
            discount_fen=share,
            paid_fen=sub - share,
        )
        for line, sub, share in zip(lines, subtotals, shares, strict=True)
    )
    return OrderAmounts(
        lines=amounts,
        subtotal_fen=subtotal,
        discount_fen=discount,
        shipping_fen=shipping_fen,
        total_fen=subtotal - discount + shipping_fen,
    )


def with_shipping(amounts: OrderAmounts, shipping_fen: int) -> OrderAmounts:
    """The same order with ``shipping_fen`` of shipping (kept apart from the lines)."""
    if shipping_fen < 0:
        raise ValueError("shipping is non-negative")
    return replace(
        amounts,
        shipping_fen=shipping_fen,
        total_fen=amounts.subtotal_fen - amounts.discount_fen + shipping_fen,
    )


def delivery_fee(goods_fen: int, *, fee_fen: int, free_from_fen: int | None) -> int:
    """The shipping fee of a delivery: free from ``free_from_fen`` of goods, when set."""
    if free_from_fen is not None and goods_fen >= free_from_fen:
        return 0
    return fee_fen


# --- refunds --------------------------------------------------------------------------------
@dataclass(frozen=True)
class RefundableLine:
    """A line as it stands: ``claimed_*`` = pending in open requests + already refunded."""

    line_id: int
    quantity: int
    paid_fen: int
    claimed_quantity: int = 0
    claimed_fen: int = 0

    @property
    def claimable_quantity(self) -> int:
        return self.quantity - self.claimed_quantity

    @property
    def claimable_fen(self) -> int:
        return self.paid_fen - self.claimed_fen


@dataclass(frozen=True)
class RefundPart:
    line_id: int
    quantity: int
    amount_fen: int


class ExceedsRefundable(ValueError):
    """A request for more units of a line than may still be refunded."""

    def __init__(self, line_id: int, available: int) -> None:
        super().__init__(f"line {line_id}: at most {available} refundable")
        self.line_id = line_id
        self.available = available


def refund_amount(
    *, paid_fen: int, quantity: int, claimed_quantity: int, claimed_fen: int, refund_quantity: int
) -> int:
    """Fen returned for ``refund_quantity`` more units of a line (see the module docstring)."""
    if refund_quantity <= 0 or claimed_quantity < 0 or quantity <= 0:
        raise ValueError("refund a positive quantity of a line")
    if claimed_quantity + refund_quantity > quantity:
        raise ExceedsRefundable(0, quantity - claimed_quantity)
    if claimed_quantity + refund_quantity == quantity:
        return paid_fen - claimed_fen  # the last unit takes the remainder
    return paid_fen * refund_quantity // quantity


def refund_plan(
    lines: Sequence[RefundableLine], requested: Mapping[int, int] | None = None
) -> list[RefundPart]:
    """The parts of a refund request: ``requested`` maps line id → units; None asks for every
    unit still claimable. Raises ``ExceedsRefundable`` (or ValueError for a bad quantity or an
    unknown line)."""
    by_id = {line.line_id: line for line in lines}
    if requested is None:
        wanted = {line.line_id: line.claimable_quantity for line in lines}
        wanted = {k: v for k, v in wanted.items() if v > 0}
    else:
        wanted = dict(requested)
    parts: list[RefundPart] = []
    for line_id, qty in wanted.items():
        line = by_id.get(line_id)
        if line is None:
            raise KeyError(line_id)
        if qty <= 0:
            raise ValueError("refund a positive quantity of a line")
        if qty > line.claimable_quantity:
            raise ExceedsRefundable(line_id, line.claimable_quantity)
        amount = refund_amount(
            paid_fen=line.paid_fen,
            quantity=line.quantity,
            claimed_quantity=line.claimed_quantity,
            claimed_fen=line.claimed_fen,
            refund_quantity=qty,
        )
        parts.append(RefundPart(line_id=line_id, quantity=qty, amount_fen=amount))
    return sorted(parts, key=lambda p: p.line_id)


def fully_claimed_after(lines: Sequence[RefundableLine], parts: Sequence[RefundPart]) -> bool:
    """Whether every unit of every line is claimed once ``parts`` are added."""
    added = {p.line_id: p.quantity for p in parts}
    return all(
        line.claimed_quantity + added.get(line.line_id, 0) == line.quantity for line in lines
    )


# --- purchase limits ------------------------------------------------------------------------
@dataclass(frozen=True)
class LimitBreach:
    variant_id: int
    max_quantity: int
    left: int


def first_limit_breach(
    wanted: Mapping[int, int], limits: Mapping[int, int], bought: Mapping[int, int]
) -> LimitBreach | None:
    """The first variant whose ``wanted`` quantity, added to what was ``bought``, is over its
    limit; None when all fit."""
    for variant_id, qty in wanted.items():
        limit = limits.get(variant_id)
        if limit is None:
            continue
        already = bought.get(variant_id, 0)
        if already + qty > limit:
            return LimitBreach(variant_id, limit, max(0, limit - already))
    return None
