"""Pure catalog rules: which price applies, barcode check digits. No ORM here.

The price policy (django-oscar's ``strategy``, in our words): a channel's prices are lists set at
nodes of the organization tree. For a buyer at ``organization``, walk from that node up to the
brand and take the nearest active list of the channel that prices the variant. Channels:

* ``dealer``    brand → dealer; the organization is the buying dealer;
* ``wholesale`` dealer → store; the organization is the buying store;
* ``retail``    the organization is the selling store;
* ``member``    a member buying at the store: the member price up the chain, else retail. A member
  never pays more than anyone else: a member price above the retail price that applies at the
  same store is ignored;
* ``groupbuy``  a group-buy price, with no fallback.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from trispace.kernel.money import format_fen

DEALER = "dealer"
WHOLESALE = "wholesale"
RETAIL = "retail"
MEMBER = "member"
GROUPBUY = "groupbuy"
CHANNELS = (DEALER, WHOLESALE, RETAIL, MEMBER, GROUPBUY)

# Which kinds of organization may hold a list of each channel: what the brand charges a dealer
# is set at the brand or a dealer, never at a store.
_ANY = frozenset({"brand", "dealer", "store"})
CHANNEL_ORG_KINDS: dict[str, frozenset[str]] = {
    DEALER: frozenset({"brand", "dealer"}),
    WHOLESALE: _ANY,
    RETAIL: _ANY,
    MEMBER: _ANY,
    GROUPBUY: _ANY,
}


@dataclass(frozen=True)
class PriceCandidate:
    """One price row that might apply: a variant's price on one list at one organization."""

    variant_id: int
    channel: str
    organization_id: int
    price_list_id: int
    price_fen: int


@dataclass(frozen=True)
class PriceQuote:
    """The price a buyer pays for a variant, and where it comes from."""

    variant_id: int
    price_fen: int
    channel_used: str
    price_list_id: int
    organization_id: int  # the node where the price was set

    @property
    def display(self) -> str:
        return format_fen(self.price_fen)


def channels_needed(channel: str, buyer_is_member: bool) -> tuple[str, ...]:
    """The channels whose lists must be loaded to quote ``channel``."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    if channel == MEMBER:
        return (MEMBER, RETAIL) if buyer_is_member else (RETAIL,)
    return (channel,)


def nearest_first(ancestor_ids: Sequence[int]) -> tuple[int, ...]:
    """Root-first ancestor ids (``Organization.ancestor_ids()``) → the walk order, self first."""
    return tuple(reversed(ancestor_ids))


def _index(
    candidates: Iterable[PriceCandidate],
) -> dict[tuple[int, str, int], PriceCandidate]:
    return {(c.variant_id, c.channel, c.organization_id): c for c in candidates}


def _nearest(
    index: dict[tuple[int, str, int], PriceCandidate],
    variant_id: int,
    channel: str,
    chain: Sequence[int],
) -> PriceQuote | None:
    for organization_id in chain:
        found = index.get((variant_id, channel, organization_id))
        if found is not None:
            return PriceQuote(
                variant_id=variant_id,
                price_fen=found.price_fen,
                channel_used=channel,
                price_list_id=found.price_list_id,
                organization_id=organization_id,
            )
    return None


def pick_nearest(
    candidates: Iterable[PriceCandidate],
    *,
    variant_ids: Iterable[int],
    chain: Sequence[int],
    channel: str,
) -> dict[int, PriceQuote]:
    """The nearest price of exactly ``channel`` (no fallback), e.g. what a list inherits."""
    index = _index(candidates)
    quotes: dict[int, PriceQuote] = {}
    for variant_id in variant_ids:
        quote = _nearest(index, variant_id, channel, chain)
        if quote is not None:
            quotes[variant_id] = quote
    return quotes


def pick_prices(
    candidates: Iterable[PriceCandidate],
    *,
    variant_ids: Iterable[int],
    chain: Sequence[int],
    channel: str,
    buyer_is_member: bool = False,
) -> dict[int, PriceQuote]:
    """Quote each of ``variant_ids`` from ``candidates`` (active lists only) along ``chain``.

    ``chain`` lists organization ids nearest first. Variants without a price are left out.
    """
    index = _index(candidates)
    wanted = channels_needed(channel, buyer_is_member)
    quotes: dict[int, PriceQuote] = {}
    for variant_id in variant_ids:
        if channel == MEMBER:
            retail = _nearest(index, variant_id, RETAIL, chain)
            member = _nearest(index, variant_id, MEMBER, chain) if MEMBER in wanted else None
            if member is not None and (retail is None or member.price_fen <= retail.price_fen):
                quote: PriceQuote | None = member
            else:
                quote = retail
        else:
            quote = _nearest(index, variant_id, channel, chain)
        if quote is not None:
            quotes[variant_id] = quote
    return quotes


def lowest(quotes: Iterable[PriceQuote]) -> PriceQuote | None:
    """The cheapest quote ("from ¥x" on a product with several variants)."""
    return min(quotes, key=lambda q: (q.price_fen, q.variant_id), default=None)


# --- barcodes -----------------------------------------------------------------------------------

BARCODE_LENGTHS = {8: "EAN-8", 12: "UPC-A", 13: "EAN-13"}


def gtin_check_digit(body: str) -> int:
    """The GS1 check digit of ``body`` (the code without its last digit)."""
    total = 0
    for position, char in enumerate(reversed(body)):
        total += int(char) * (3 if position % 2 == 0 else 1)
    return (10 - total % 10) % 10


def barcode_kind(code: str) -> str | None:
    """``"EAN-13"``, ``"EAN-8"`` or ``"UPC-A"`` when ``code`` is valid, else None."""
    if not code.isascii() or not code.isdigit() or len(code) not in BARCODE_LENGTHS:
        return None
    if gtin_check_digit(code[:-1]) != int(code[-1]):
        return None
    return BARCODE_LENGTHS[len(code)]
