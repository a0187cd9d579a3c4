"""Reads of catalog, scoped: the back office sees its brand's products and the price lists of its
part of the network; the shop sees a store's on-sale products at that store's prices.

Every list here runs a fixed number of queries whatever the number of rows (prices come from
``pricing.load_candidates``, one query for all variants).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from trispace.catalog import calculations
from trispace.catalog.calculations import RETAIL, PriceQuote
from trispace.catalog.models import (
    Category,
    Channel,
    Price,
    PriceList,
    Product,
    ProductImage,
    Variant,
)
from trispace.catalog.permissions import (
    brand_id_of_path,
    brand_ids,
    can_price,
    can_view_org,
    managed_brand_ids,
    products_q,
)
from trispace.catalog.pricing import chain_of, load_candidates
from trispace.catalog.states import ProductStatus
from trispace.kernel import errors
from trispace.network.models import Organization, OrgKind, Role
from trispace.network.scoping import Scope, scope_for
from trispace.network.states import OrgStatus

# --- categories ---------------------------------------------------------------------------------


def categories() -> QuerySet[Category]:
    return Category.objects.all()


def category_get(*, category_id: int) -> Category:
    found = Category.objects.filter(pk=category_id).first()
    if found is None:
        raise errors.NOT_FOUND(field="category")
    return found


def category_with_descendants(category_id: int) -> list[int]:
    """``category_id`` and every category below it (one query; categories are few)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Category.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found: list[int] = []
    stack = [category_id]
    while stack:
        current = stack.pop()
        if current in found:
            continue
        found.append(current)
        stack.extend(children.get(current, []))
    return found


# --- back office: products ----------------------------------------------------------------------


def products_for(scope: Scope) -> QuerySet[Product]:
    """The products the scope may see in the back office (its brand's)."""
    return Product.objects.filter(products_q(scope))


def product_list(
    *,
    scope: Scope,
    status: str | None = None,
    category_id: int | None = None,
    search: str | None = None,
) -> QuerySet[Product]:
    """Products for the back office, newest changes last, with variants and images prefetched.

    ``search`` matches the name, a SKU (part of it) or a barcode (exactly).
    """
    qs = products_for(scope)
    if status:
        qs = qs.filter(status=status)
    if category_id:
        qs = qs.filter(category_id__in=category_with_descendants(category_id))
    term = (search or "").strip()
    if term:
        variant_match = Variant.objects.filter(product=OuterRef("pk")).filter(
            Q(sku__icontains=term) | Q(barcode=term)
        )
        qs = qs.filter(Q(name__icontains=term) | Exists(variant_match))
    return (
        qs.select_related("category")
        .prefetch_related("variants", "images")
        .annotate(variant_count=Count("variants", distinct=True))
        .order_by("position", "-id")
    )


def product_get(*, scope: Scope | None, product_id: int) -> Product:
    """One product the scope may see (``None`` = the system), else not found."""
    qs = Product.objects.all() if scope is None else products_for(scope)
    found = (
        qs.select_related("category", "brand")
        .prefetch_related("variants", "images")
        .filter(pk=product_id)
        .first()
    )
    if found is None:
        raise errors.NOT_FOUND()
    return found


@dataclass(frozen=True)
class ProductDetail:
    product: Product
    variants: list[Variant]
    images: list[ProductImage]
    organization: Organization  # where the quotes below apply
    quotes: dict[str, dict[int, PriceQuote]]  # channel → variant id → quote

    def price_table(self) -> list[tuple[Variant, list[PriceQuote | None]]]:
        return [
            (v, [self.quotes[c].get(v.pk) for c in calculations.CHANNELS]) for v in self.variants
        ]


def product_detail(
    *, scope: Scope, product_id: int, organization: Organization | None = None
) -> ProductDetail:
    """A product with its variants, images and each channel's price at ``organization``.

    ``organization`` defaults to the scope's home organization when it is in the product's
    brand, else the brand. Member quotes are what a member pays (member price, else retail).
    """
    product = product_get(scope=scope, product_id=product_id)
    if organization is None:
        home = scope.home_organization_id
        home_org = Organization.objects.filter(pk=home).first() if home else None
        if home_org is not None and brand_id_of_path(home_org.path) == product.brand_id:
            organization = home_org
        else:
            organization = product.brand
    elif not can_view_org(scope, organization):
        raise errors.NOT_FOUND()
    variants = list(product.variants.all())
    ids = [v.pk for v in variants]
    chain = chain_of(organization)
    candidates = load_candidates(variant_ids=ids, chain=chain, channels=calculations.CHANNELS)
    quotes = {
        channel: calculations.pick_prices(
            candidates,
            variant_ids=ids,
            chain=chain,
            channel=channel,
            buyer_is_member=channel == calculations.MEMBER,
        )
        for channel in calculations.CHANNELS
    }
    return ProductDetail(
        product=product,
        variants=variants,
        images=list(product.images.all()),
        organization=organization,
        quotes=quotes,
    )


def image_get(*, scope: Scope, product: Product, image_id: int) -> ProductImage:
    found = ProductImage.objects.filter(product=product, pk=image_id).first()
    if found is None or product.brand_id not in brand_ids(scope):
        raise errors.NOT_FOUND(field="image")
    return found


def variant_get(*, scope: Scope | None, variant_id: int) -> Variant:
    qs = Variant.objects.select_related("product")
    if scope is not None:
        qs = qs.filter(products_q(scope, prefix="product__"))
    found = qs.filter(pk=variant_id).first()
    if found is None:
        raise errors.NOT_FOUND(field="variant")
    return found


def brand_of_scope(scope: Scope) -> Organization:
    """The brand whose catalog the scope manages (where a new product goes)."""
    managed = sorted(managed_brand_ids(scope))
    brand = Organization.objects.filter(pk__in=managed[:1], kind=OrgKind.BRAND).first()
    if brand is None:
        raise errors.PERMISSION_DENIED()
    return brand


# --- back office: price lists -------------------------------------------------------------------


def price_lists_for(scope: Scope) -> QuerySet[PriceList]:
    """The price lists held at organizations the scope sees, with how many prices each has."""
    qs = PriceList.objects.filter(_brand_trees_q(scope, "organization__")).filter(
        scope.visible_q("organization__")
    )
    return (
        qs.select_related("organization")
        .annotate(price_count=Count("prices"))
        .order_by("organization__path", "channel")
    )


def _brand_trees_q(scope: Scope, prefix: str = "") -> Q:
    """A Q on an organization: in the tree of one of the scope's brands."""
    q = Q(pk__in=[])
    paths = Organization.objects.filter(pk__in=sorted(brand_ids(scope))).values_list(
        "path", flat=True
    )
    for brand_path in paths:
        q |= Q(**{f"{prefix}path__startswith": brand_path})
    return q


def pricing_organizations(
    *, scope: Scope, search: str | None = None, kind: str | None = None
) -> QuerySet[Organization]:
    """Organizations whose price lists the scope sees (its part of its brands' trees)."""
    qs = Organization.objects.filter(_brand_trees_q(scope)).filter(scope.visible_q())
    if kind:
        qs = qs.filter(kind=kind)
    term = (search or "").strip()
    if term:
        qs = qs.filter(Q(name__icontains=term) | Q(code__icontains=term))
    return qs.order_by("path")


@dataclass(frozen=True)
class ListSummary:
    channel: str
    label: str
    price_list: PriceList | None
    price_count: int
    can_edit: bool
    applicable: bool  # the channel may hold a list at this kind of organization


def price_list_summaries(
    *, scope: Scope, organizations: Sequence[Organization]
) -> dict[int, list[ListSummary]]:
    """For each organization, its five channels: the list if any, its size, editable or not."""
    lists = {
        (pl.organization_id, pl.channel): pl
        for pl in PriceList.objects.filter(
            organization_id__in=[o.pk for o in organizations]
        ).annotate(price_count=Count("prices"))
    }
    result: dict[int, list[ListSummary]] = {}
    for org in organizations:
        rows = []
        for channel, label in Channel.choices:
            found = lists.get((org.pk, channel))
            applicable = org.kind in calculations.CHANNEL_ORG_KINDS[channel]
            rows.append(
                ListSummary(
                    channel=channel,
                    label=str(label),
                    price_list=found,
                    price_count=getattr(found, "price_count", 0) if found else 0,
                    can_edit=applicable and can_price(scope, org, channel),
                    applicable=applicable,
                )
            )
        result[org.pk] = rows
    return result


def pricing_organization_get(*, scope: Scope, organization_id: int) -> Organization:
    org = Organization.objects.filter(pk=organization_id).first()
    if org is None or not can_view_org(scope, org):
        raise errors.NOT_FOUND(field="organization")
    return org


def price_list_at(*, organization: Organization, channel: str) -> PriceList | None:
    return PriceList.objects.filter(organization=organization, channel=channel).first()


def can_edit_prices(*, scope: Scope, organization: Organization, channel: str) -> bool:
    kinds = calculations.CHANNEL_ORG_KINDS.get(channel, frozenset())
    return organization.kind in kinds and can_price(scope, organization, channel)


@dataclass(frozen=True)
class PriceRow:
    """One variant on a price list: its own price there and what it inherits from above."""

    variant: Variant
    own_price_fen: int | None
    inherited: PriceQuote | None

    @property
    def effective_fen(self) -> int | None:
        if self.own_price_fen is not None:
            return self.own_price_fen
        return self.inherited.price_fen if self.inherited else None


def price_list_variants(
    *, organization: Organization, search: str | None = None, priced_only: bool = False
) -> QuerySet[Variant]:
    """The variants a list at ``organization`` may price: its brand's, products in order."""
    qs = Variant.objects.filter(product__brand_id=brand_id_of_path(organization.path))
    term = (search or "").strip()
    if term:
        qs = qs.filter(Q(sku__icontains=term) | Q(barcode=term) | Q(product__name__icontains=term))
    if priced_only:
        qs = qs.filter(prices__price_list__organization=organization)
    return qs.select_related("product").order_by("product__position", "product_id", "position")


def price_rows(
    *, organization: Organization, channel: str, variants: Iterable[Variant]
) -> list[PriceRow]:
    """The rows of a page of ``variants`` on the (organization, channel) list: one query."""
    variants = list(variants)
    ids = [v.pk for v in variants]
    chain = chain_of(organization)
    candidates = _all_candidates(ids, chain, channel)
    own = {c.variant_id: c.price_fen for c in candidates if c.organization_id == organization.pk}
    inherited = calculations.pick_nearest(
        candidates, variant_ids=ids, chain=chain[1:], channel=channel
    )
    return [PriceRow(v, own.get(v.pk), inherited.get(v.pk)) for v in variants]


def _all_candidates(ids: list[int], chain: Sequence[int], channel: str) -> list[Any]:
    """Candidates along ``chain``; the list at ``chain[0]`` counts even when inactive (editing)."""
    if not ids:
        return []
    rows = Price.objects.filter(
        variant_id__in=ids,
        price_list__channel=channel,
        price_list__organization_id__in=list(chain),
    ).filter(Q(price_list__is_active=True) | Q(price_list__organization_id=chain[0]))
    return [
        calculations.PriceCandidate(*row)
        for row in rows.values_list(
            "variant_id",
            "price_list__channel",
            "price_list__organization_id",
            "price_list_id",
            "price_fen",
        )
    ]


# --- the shop -----------------------------------------------------------------------------------


def shop_store(*, store_id: int) -> Organization:
    """A store that shows a shop: a store that is not closed."""
    store = (
        Organization.objects.filter(pk=store_id, kind=OrgKind.STORE)
        .exclude(status=OrgStatus.CLOSED)
        .first()
    )
    if store is None:
        raise errors.NOT_FOUND(field="store")
    return store


def buyer_is_member(*, user: Any, store: Organization) -> bool:
    """A consumer of ``store`` (consumer membership there) is a member for now.

    Member tiers (``members`` context) will refine this.
    """
    scope = scope_for(user)
    return any(g.organization_id == store.pk for g in scope.grants_for(Role.CONSUMER))


@dataclass(frozen=True)
class ShopVariant:
    id: int
    sku: str
    name: str
    unit: str
    price: PriceQuote | None  # what this buyer pays here; None: not sold at this store
    retail: PriceQuote | None  # the retail price here (shown struck through under a member price)


@dataclass(frozen=True)
class ShopProduct:
    id: int
    name: str
    subtitle: str
    category_id: int | None
    image_url: str
    price: PriceQuote  # the lowest price of its variants for this buyer
    retail: PriceQuote | None  # the lowest retail price, when it differs from ``price``
    variant_count: int

    @property
    def is_member_price(self) -> bool:
        return self.price.channel_used == calculations.MEMBER


@dataclass(frozen=True)
class ShopProductDetail:
    id: int
    name: str
    subtitle: str
    description: str
    category_id: int | None
    image_urls: list[str]
    price: PriceQuote
    retail: PriceQuote | None
    variants: list[ShopVariant] = field(default_factory=list)

    @property
    def is_member_price(self) -> bool:
        return self.price.channel_used == calculations.MEMBER


def _retail_priced_here(chain: Sequence[int]) -> Exists:
    return Exists(
        Price.objects.filter(
            variant__product=OuterRef("pk"),
            variant__is_active=True,
            price_list__channel=RETAIL,
            price_list__is_active=True,
            price_list__organization_id__in=list(chain),
        )
    )


def shop_products_queryset(
    *, store: Organization, category_id: int | None = None, search: str | None = None
) -> QuerySet[Product]:
    """On-sale products of the store's brand with a retail price at the store, in shop order."""
    chain = chain_of(store)
    qs = Product.objects.filter(
        brand_id=brand_id_of_path(store.path), status=ProductStatus.ON_SALE
    ).filter(_retail_priced_here(chain))
    if category_id:
        qs = qs.filter(category_id__in=category_with_descendants(category_id))
    term = (search or "").strip()
    if term:
        qs = qs.filter(name__icontains=term)
    return qs.order_by("position", "-id")


def _quote_variants(
    store: Organization, variant_ids: list[int], member: bool
) -> tuple[dict[int, PriceQuote], dict[int, PriceQuote]]:
    """(price for this buyer, retail price) per variant, from one query."""
    chain = chain_of(store)
    channels = calculations.channels_needed(calculations.MEMBER, member)
    candidates = load_candidates(variant_ids=variant_ids, chain=chain, channels=channels)
    paid = calculations.pick_prices(
        candidates,
        variant_ids=variant_ids,
        chain=chain,
        channel=calculations.MEMBER,
        buyer_is_member=member,
    )
    retail = calculations.pick_nearest(
        candidates, variant_ids=variant_ids, chain=chain, channel=RETAIL
    )
    return paid, retail


def _if_dearer(retail: PriceQuote | None, paid: PriceQuote) -> PriceQuote | None:
    return retail if retail is not None and retail.price_fen > paid.price_fen else None


def _first_image_url(images: Sequence[ProductImage]) -> str:
    return images[0].image.url if images else ""


def shop_products(
    *,
    store: Organization,
    buyer_is_member: bool = False,
    category_id: int | None = None,
    search: str | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> list[ShopProduct]:
    """The store's shop list with this buyer's prices: four queries for any number of products."""
    qs = shop_products_queryset(store=store, category_id=category_id, search=search)
    qs = qs.prefetch_related(
        Prefetch("variants", queryset=Variant.objects.filter(is_active=True), to_attr="live"),
        Prefetch("images", to_attr="image_list"),
    )
    page = list(qs[offset : offset + limit] if limit is not None else qs[offset:])
    ids = [v.pk for p in page for v in p.live]
    paid, retail = _quote_variants(store, ids, buyer_is_member)
    items = []
    for product in page:
        quotes = [paid[v.pk] for v in product.live if v.pk in paid]
        best = calculations.lowest(quotes)
        if best is None:
            continue
        best_retail = calculations.lowest(retail[v.pk] for v in product.live if v.pk in retail)
        items.append(
            ShopProduct(
                id=product.pk,
                name=product.name,
                subtitle=product.subtitle,
                category_id=product.category_id,
                image_url=_first_image_url(product.image_list),
                price=best,
                retail=_if_dearer(best_retail, best),
                variant_count=len(product.live),
            )
        )
    return items


def shop_product(
    *, store: Organization, product_id: int, buyer_is_member: bool = False
) -> ShopProductDetail:
    """One product as the store's shop shows it, or not found (not on sale, not priced here)."""
    product = (
        shop_products_queryset(store=store)
        .prefetch_related(
            Prefetch("variants", queryset=Variant.objects.filter(is_active=True), to_attr="live"),
            Prefetch("images", to_attr="image_list"),
        )
        .filter(pk=product_id)
        .first()
    )
    if product is None:
        raise errors.NOT_FOUND()
    ids = [v.pk for v in product.live]
    paid, retail = _quote_variants(store, ids, buyer_is_member)
    variants = [
        ShopVariant(
            id=v.pk,
            sku=v.sku,
            name=v.name,
            unit=v.unit,
            price=paid.get(v.pk),
            retail=retail.get(v.pk),
        )
        for v in product.live
    ]
    best = calculations.lowest(paid.values())
    if best is None:
        raise errors.NOT_FOUND()
    best_retail = calculations.lowest(retail.values())
    return ShopProductDetail(
        id=product.pk,
        name=product.name,
        subtitle=product.subtitle,
        description=product.description,
        category_id=product.category_id,
        image_urls=[i.image.url for i in product.image_list],
        price=best,
        retail=_if_dearer(best_retail, best),
        variants=variants,
    )


def shop_categories(*, store: Organization) -> list[Category]:
    """Categories that have at least one product in the store's shop (top level and below)."""
    used = set(
        shop_products_queryset(store=store)
        .exclude(category__isnull=True)
        .values_list("category_id", flat=True)
    )
    return [c for c in Category.objects.all() if c.pk in used]
