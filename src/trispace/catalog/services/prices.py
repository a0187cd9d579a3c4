"""Channel prices: set and remove one variant's price on the list of (organization, channel).

A list is created the first time a price is set on it. Who may change which list is
``Scope.can_price``: the brand sets every list, a dealer admin the wholesale, retail, member and
group-buy lists of its subtree; the dealer channel (what the brand charges) is the brand's alone.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from trispace.catalog import calculations, errors
from trispace.catalog.models import Price, PriceList, Variant
from trispace.catalog.permissions import (
    brand_id_of_path,
    require_price,
    require_view_org,
    scope_of_actor,
)
from trispace.contracts.catalog import PriceChanged
from trispace.kernel import audit, outbox
from trispace.kernel import errors as kerrors
from trispace.kernel import time as ktime
from trispace.network.models import Organization

MAX_PRICE_FEN = 100_000_000_00  # ¥100,000,000: anything above is a typing mistake

CHANNEL_ORG_KINDS = calculations.CHANNEL_ORG_KINDS


def clean_channel(channel: Any, organization: Organization | None = None) -> str:
    if not isinstance(channel, str) or channel not in calculations.CHANNELS:
        raise errors.CHANNEL_INVALID(field="channel")
    if organization is not None and organization.kind not in CHANNEL_ORG_KINDS[channel]:
        raise errors.CHANNEL_NOT_FOR_ORG(field="channel")
    return channel


def clean_price_fen(price_fen: Any, field: str = "price_fen") -> int:
    if price_fen is None or price_fen == "":
        raise errors.PRICE_MISSING(field=field)
    if isinstance(price_fen, bool) or not isinstance(price_fen, int):
        raise errors.PRICE_INVALID(field=field)
    if price_fen < 0:
        raise errors.PRICE_NEGATIVE(field=field)
    if price_fen > MAX_PRICE_FEN:
        raise errors.PRICE_TOO_HIGH(field=field)
    return price_fen


def check_variant_of_org_brand(variant: Variant, organization: Organization) -> None:
    """Only the brand's own products are priced in its tree."""
    if variant.product.brand_id != brand_id_of_path(organization.path):
        raise errors.VARIANT_NOT_FOUND(field="variant")


def price_list_of(organization: Organization, channel: str, *, create: bool) -> PriceList | None:
    """The list of (organization, channel), created on first use when ``create``."""
    found = PriceList.objects.filter(organization=organization, channel=channel).first()
    if found is not None or not create:
        return found
    try:
        with transaction.atomic():
            return PriceList.objects.create(organization=organization, channel=channel)
    except IntegrityError:  # created concurrently
        return PriceList.objects.get(organization=organization, channel=channel)


def apply_price(
    *, actor: Any, price_list: PriceList, variant_id: int, price_fen: int, existing: Price | None
) -> tuple[Price, bool]:
    """Write one checked price inside the caller's transaction; returns (price, changed)."""
    now = ktime.now()
    if existing is not None and existing.price_fen == price_fen:
        return existing, False
    old = existing.price_fen if existing is not None else None
    if existing is None:
        price = Price.objects.create(
            price_list=price_list, variant_id=variant_id, price_fen=price_fen, updated_at=now
        )
    else:
        price = existing
        price.price_fen = price_fen
        price.updated_at = now
        price.save(update_fields=["price_fen", "updated_at"])
    outbox.publish(
        PriceChanged(
            price_list_id=price_list.pk,
            variant_id=variant_id,
            old_price_fen=old,
            new_price_fen=price_fen,
        )
    )
    return price, True


def _touch(price_list: PriceList) -> None:
    PriceList.objects.filter(pk=price_list.pk).update(updated_at=ktime.now())


def price_set(
    *,
    actor: Any,
    organization: Organization,
    channel: str,
    variant: Variant,
    price_fen: int,
) -> Price:
    """Set ``variant``'s price on the ``channel`` list held at ``organization``."""
    scope = scope_of_actor(actor)
    require_view_org(scope, organization)
    channel = clean_channel(channel, organization)
    require_price(scope, organization, channel)
    price_fen = clean_price_fen(price_fen)
    check_variant_of_org_brand(variant, organization)
    with transaction.atomic():
        price_list = price_list_of(organization, channel, create=True)
        assert price_list is not None
        existing = (
            Price.objects.select_for_update()
            .filter(price_list=price_list, variant_id=variant.pk)
            .first()
        )
        old = existing.price_fen if existing is not None else None
        price, changed = apply_price(
            actor=actor,
            price_list=price_list,
            variant_id=variant.pk,
            price_fen=price_fen,
            existing=existing,
        )
        if changed:
            _touch(price_list)
            audit.record(
                actor=actor,
                action="price_set",
                target=price_list,
                data={"variant_id": variant.pk, "old_price_fen": old, "new_price_fen": price_fen},
            )
    return price


def price_remove(*, actor: Any, organization: Organization, channel: str, variant: Variant) -> bool:
    """Remove ``variant``'s price from the list; True when there was one to remove.

    The price then comes from the next list up the tree again.
    """
    scope = scope_of_actor(actor)
    require_view_org(scope, organization)
    channel = clean_channel(channel)
    require_price(scope, organization, channel)
    with transaction.atomic():
        price_list = price_list_of(organization, channel, create=False)
        if price_list is None:
            return False
        existing = (
            Price.objects.select_for_update()
            .filter(price_list=price_list, variant_id=variant.pk)
            .first()
        )
        if existing is None:
            return False
        old = existing.price_fen
        existing.delete()
        _touch(price_list)
        outbox.publish(
            PriceChanged(
                price_list_id=price_list.pk,
                variant_id=variant.pk,
                old_price_fen=old,
                new_price_fen=None,
            )
        )
        audit.record(
            actor=actor,
            action="price_remove",
            target=price_list,
            data={"variant_id": variant.pk, "old_price_fen": old},
        )
    return True


def price_list_set_active(
    *, actor: Any, organization: Organization, channel: str, is_active: bool
) -> PriceList:
    """Switch a whole list on or off; an inactive list is skipped by the price policy."""
    scope = scope_of_actor(actor)
    require_view_org(scope, organization)
    channel = clean_channel(channel, organization)
    require_price(scope, organization, channel)
    if not isinstance(is_active, bool):
        raise kerrors.INVALID(field="is_active")
    with transaction.atomic():
        price_list = price_list_of(organization, channel, create=True)
        assert price_list is not None
        if price_list.is_active != is_active:
            PriceList.objects.filter(pk=price_list.pk).update(
                is_active=is_active, updated_at=ktime.now()
            )
            price_list.is_active = is_active
            audit.record(
                actor=actor,
                action="price_list_activate" if is_active else "price_list_deactivate",
                target=price_list,
            )
    return price_list
