"""Reads of inventory, with the caller's stock scope applied here (never in the views).

Lists come back as ordered, unevaluated querysets so the API and the pages paginate them; each
runs a fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils.translation import gettext

from trispace.inventory import errors
from trispace.inventory.models import Location, LocationKind, Stock, StockMove
from trispace.inventory.permissions import stock_q
from trispace.network.models import Organization, OrgKind
from trispace.network.scoping import Scope
from trispace.network.states import OrgStatus

LOW_STOCK_THRESHOLD = 5
MAX_THRESHOLD = 1_000_000


@dataclass(frozen=True)
class StockLevel:
    """A variant's stock at a location, all shards together."""

    location_id: int
    variant_id: int
    on_hand: int
    reserved: int
    shards: int

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


# --- what can be sold ---------------------------------------------------------------------------
def available(location: Location, variant_ids: Iterable[int]) -> dict[int, int]:
    """Available quantity (on hand − reserved, all shards) per variant id, in one query.

    Variants without stock at ``location`` are 0.
    """
    ids = sorted({int(v) for v in variant_ids})
    found = dict.fromkeys(ids, 0)
    if not ids:
        return found
    rows = (
        Stock.objects.filter(location=location, variant_id__in=ids)
        .values("variant_id")
        .annotate(free=Sum(F("on_hand") - F("reserved")))
        .values_list("variant_id", "free")
        .order_by()
    )
    found.update({variant_id: int(free or 0) for variant_id, free in rows})
    return found


def level(*, location: Location, variant_id: int) -> StockLevel:
    """The totals of one variant at one location (one query)."""
    totals = Stock.objects.filter(location=location, variant_id=variant_id).aggregate(
        on_hand=Sum("on_hand"), reserved=Sum("reserved"), shards=Count("pk")
    )
    return StockLevel(
        location_id=location.pk,
        variant_id=variant_id,
        on_hand=int(totals["on_hand"] or 0),
        reserved=int(totals["reserved"] or 0),
        shards=int(totals["shards"] or 0),
    )


# --- locations ------------------------------------------------------------------------------
def locations(*, scope: Scope) -> QuerySet[Location]:
    """The locations whose stock the scope may see, by organization."""
    return (
        Location.objects.filter(stock_q(scope, "organization__"))
        .select_related("organization")
        .order_by("organization__path", "pk")
    )


def location_get(*, scope: Scope, pk: Any) -> Location:
    """One location in the scope; NOT_FOUND otherwise (whether it exists or not)."""
    try:
        key = int(pk)
    except (TypeError, ValueError) as exc:
        raise errors.NOT_FOUND(field="location") from exc
    found = locations(scope=scope).filter(pk=key).first()
    if found is None:
        raise errors.NOT_FOUND(field="location")
    return found


def location_for_organization(organization: Organization) -> Location:
    """The organization's default location, created on first use.

    A store's is its shelf (门店货架); a brand's or a dealer's is its warehouse (仓库). Safe
    when two requests create it at once: one default per organization is a unique constraint.
    """
    found = (
        Location.objects.select_related("organization")
        .filter(organization=organization, is_default=True)
        .first()
    )
    if found is not None:
        return found
    if organization.kind == OrgKind.STORE:
        kind, name = LocationKind.SHELF, gettext("%(name)s shelf") % {"name": organization.name}
    else:
        kind = LocationKind.WAREHOUSE
        name = gettext("%(name)s warehouse") % {"name": organization.name}
    try:
        with transaction.atomic():
            return Location.objects.create(
                organization=organization, kind=kind, name=name[:100], is_default=True
            )
    except IntegrityError:
        return Location.objects.select_related("organization").get(
            organization=organization, is_default=True
        )


def location_for_store(store: Organization) -> Location:
    """The store's default shelf (get or create)."""
    if store.kind != OrgKind.STORE:
        raise errors.NOT_FOUND(field="store")
    return location_for_organization(store)


# --- stock levels ---------------------------------------------------------------------------
def stock_levels(
    *,
    scope: Scope,
    location: Location | None = None,
    q: str | None = None,
    low_only: bool = False,
    threshold: int = LOW_STOCK_THRESHOLD,
) -> QuerySet[Any]:
    """One row per (location, variant) in the scope, shards summed: dicts with ``location_id``,
    ``location_name``, ``organization_name``, ``variant_id``, ``sku``, ``variant_name``,
    ``product_name``, ``on_hand``, ``reserved``, ``available`` and ``shards``.

    ``q`` matches SKU, product name or barcode; ``low_only`` keeps rows with at most
    ``threshold`` available.
    """
    qs = Stock.objects.filter(stock_q(scope, "location__organization__"))
    if location is not None:
        qs = qs.filter(location=location)
    if q:
        text = q.strip()[:50]
        qs = qs.filter(
            Q(variant__sku__icontains=text)
            | Q(variant__product__name__icontains=text)
            | Q(variant__barcode=text)
        )
    rows = qs.values(
        "location_id",
        "variant_id",
        location_name=F("location__name"),
        organization_name=F("location__organization__name"),
        organization_path=F("location__organization__path"),
        sku=F("variant__sku"),
        variant_name=F("variant__name"),
        product_name=F("variant__product__name"),
    )
    # ``available`` first: once ``on_hand`` names the sum, F("on_hand") would mean the sum.
    rows = rows.annotate(available=Sum(F("on_hand") - F("reserved"))).annotate(
        on_hand=Sum("on_hand"), reserved=Sum("reserved"), shards=Count("pk")
    )
    if low_only:
        rows = rows.filter(available__lte=max(0, min(int(threshold), MAX_THRESHOLD)))
    return rows.order_by("organization_path", "location_id", "sku")


def low_stock(scope: Scope, threshold: int = LOW_STOCK_THRESHOLD) -> QuerySet[Any]:
    """The (location, variant) rows in the scope with at most ``threshold`` available."""
    return stock_levels(scope=scope, low_only=True, threshold=threshold)


# --- moves ----------------------------------------------------------------------------------
def moves(
    *,
    scope: Scope,
    location: Location | None = None,
    variant_id: int | None = None,
    reason: str | None = None,
    reference: str | None = None,
    q: str | None = None,
) -> QuerySet[StockMove]:
    """Stock moves in the scope, newest first."""
    qs = StockMove.objects.filter(stock_q(scope, "location__organization__")).select_related(
        "variant__product", "location"
    )
    if location is not None:
        qs = qs.filter(location=location)
    if variant_id is not None:
        qs = qs.filter(variant_id=variant_id)
    if reason:
        qs = qs.filter(reason=reason)
    if reference:
        qs = qs.filter(reference=reference.strip()[:100])
    if q:
        text = q.strip()[:50]
        qs = qs.filter(
            Q(variant__sku__icontains=text)
            | Q(variant__product__name__icontains=text)
            | Q(reference__icontains=text)
        )
    return qs.order_by("-at", "-pk")


def stock_organizations(*, scope: Scope) -> QuerySet[Organization]:
    """Organizations whose stock the scope manages, in tree order (for the forms)."""
    return (
        Organization.objects.filter(stock_q(scope))
        .exclude(status=OrgStatus.CLOSED)
        .order_by("path")
    )
