"""The price policy: the one place that decides what a buyer pays for a variant.

``prices_for`` loads every candidate price on the way from ``organization`` up to the brand in
one query, then ``calculations.pick_prices`` chooses (see its module docstring for the rules).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from trispace.catalog import calculations
from trispace.catalog.calculations import PriceCandidate, PriceQuote
from trispace.catalog.models import Price
from trispace.network.models import Organization

__all__ = ["PriceQuote", "chain_of", "load_candidates", "price_for", "prices_for"]


def chain_of(organization: Organization) -> tuple[int, ...]:
    """Organization ids from ``organization`` up to the brand, nearest first."""
    return calculations.nearest_first(organization.ancestor_ids())


def load_candidates(
    *, variant_ids: Iterable[int], chain: Sequence[int], channels: Iterable[str]
) -> list[PriceCandidate]:
    """Every price of ``variant_ids`` on an active list of ``channels`` held along ``chain``.

    One query, whatever the number of variants.
    """
    ids = list(dict.fromkeys(variant_ids))
    channels = list(channels)
    if not ids or not chain or not channels:
        return []
    rows = Price.objects.filter(
        variant_id__in=ids,
        price_list__organization_id__in=list(chain),
        price_list__channel__in=channels,
        price_list__is_active=True,
    ).values_list(
        "variant_id",
        "price_list__channel",
        "price_list__organization_id",
        "price_list_id",
        "price_fen",
    )
    return [PriceCandidate(*row) for row in rows]


def prices_for(
    *,
    variant_ids: Iterable[int],
    channel: str,
    organization: Organization,
    buyer_is_member: bool = False,
) -> dict[int, PriceQuote]:
    """Quote each variant for ``channel`` at ``organization``; unpriced variants are left out."""
    ids = list(dict.fromkeys(variant_ids))
    chain = chain_of(organization)
    candidates = load_candidates(
        variant_ids=ids,
        chain=chain,
        channels=calculations.channels_needed(channel, buyer_is_member),
    )
    return calculations.pick_prices(
        candidates,
        variant_ids=ids,
        chain=chain,
        channel=channel,
        buyer_is_member=buyer_is_member,
    )


def price_for(
    *,
    variant_id: int,
    channel: str,
    organization: Organization,
    buyer_is_member: bool = False,
) -> PriceQuote | None:
    """The quote for one variant, or None when no list on the way up prices it."""
    return prices_for(
        variant_ids=[variant_id],
        channel=channel,
        organization=organization,
        buyer_is_member=buyer_is_member,
    ).get(variant_id)
