"""JSON API of catalog, mounted at /api/catalog/.

Back-office operations use the API's default authentication (bearer token or session) and the
caller's ``Scope``; the shop operations are public and quote the caller's price (member price for
a consumer member of the store). Money is an int of fen in ``*_fen`` fields, with a display string
beside it. Refusals are 4xx ``{code, message, field}``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from django.http import HttpRequest
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import StrictBool, StrictInt

from trispace.catalog import selectors, services
from trispace.catalog.calculations import PriceQuote
from trispace.catalog.errors import ImportRefused
from trispace.catalog.models import Category, Product, ProductImage, Variant
from trispace.catalog.services.prices import clean_channel
from trispace.kernel.money import format_fen
from trispace.network.scoping import scope_for

router = Router(tags=["catalog"])


# --- schemas --------------------------------------------------------------------------------------


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None


class RowErrorOut(Schema):
    row: int
    column: str
    message: str


class ImportErrorOut(ErrorOut):
    rows: list[RowErrorOut] = []


class CategoryOut(Schema):
    id: int
    name: str
    parent_id: int | None
    position: int


class CategoryIn(Schema):
    name: str = Field(max_length=200)
    parent_id: StrictInt | None = None
    position: StrictInt = 0


class CategoryPatch(Schema):
    name: str | None = Field(default=None, max_length=200)
    parent_id: StrictInt | None = None
    position: StrictInt | None = None


class VariantIn(Schema):
    id: StrictInt | None = None
    sku: str = Field(max_length=200)
    name: str = Field(default="", max_length=200)
    barcode: str = Field(default="", max_length=50)
    unit: str = Field(default="件", max_length=50)
    is_active: StrictBool = True
    position: StrictInt = 0


class VariantOut(Schema):
    id: int
    sku: str
    name: str
    barcode: str
    unit: str
    is_active: bool
    position: int


class ImageOut(Schema):
    id: int
    url: str
    position: int


class ProductIn(Schema):
    name: str = Field(max_length=500)
    category_id: StrictInt | None = None
    subtitle: str = Field(default="", max_length=1000)
    description: str = Field(default="", max_length=50_000)
    position: StrictInt = 0
    variants: list[VariantIn] = Field(default_factory=list, max_length=200)


class ProductPatch(Schema):
    name: str | None = Field(default=None, max_length=500)
    category_id: StrictInt | None = None
    subtitle: str | None = Field(default=None, max_length=1000)
    description: str | None = Field(default=None, max_length=50_000)
    position: StrictInt | None = None
    variants: list[VariantIn] | None = Field(default=None, max_length=200)


class ProductOut(Schema):
    id: int
    brand_id: int
    category_id: int | None
    name: str
    subtitle: str
    description: str
    status: str
    position: int
    updated_at: dt.datetime
    variants: list[VariantOut]
    images: list[ImageOut]


class QuoteOut(Schema):
    variant_id: int
    channel: str
    price_fen: int
    price_display: str
    channel_used: str
    price_list_id: int
    organization_id: int


class ProductDetailOut(ProductOut):
    prices_at_organization_id: int
    prices: list[QuoteOut]


class ProductPage(Schema):
    count: int
    items: list[ProductOut]


class StatusIn(Schema):
    status: str = Field(max_length=20)
    reason: str = Field(default="", max_length=255)


class ImageOrderIn(Schema):
    image_ids: list[StrictInt] = Field(max_length=100)


class PriceListOut(Schema):
    id: int
    organization_id: int
    organization_name: str
    channel: str
    is_active: bool
    price_count: int
    updated_at: dt.datetime


class PriceListPage(Schema):
    count: int
    items: list[PriceListOut]


class PriceRowOut(Schema):
    variant_id: int
    sku: str
    product_id: int
    product_name: str
    variant_name: str
    price_fen: int | None
    price_display: str
    inherited_price_fen: int | None
    inherited_price_display: str
    inherited_from_organization_id: int | None


class PriceRowPage(Schema):
    organization_id: int
    channel: str
    is_active: bool
    can_edit: bool
    count: int
    items: list[PriceRowOut]


class PriceIn(Schema):
    price_fen: StrictInt | None = None


class PriceOut(Schema):
    variant_id: int
    price_list_id: int
    price_fen: int
    price_display: str


class PriceListActiveIn(Schema):
    is_active: StrictBool


class ImportOut(Schema):
    created: int
    updated: int
    unchanged: int


class StoreOut(Schema):
    id: int
    name: str
    address: str
    status: str


class ShopVariantOut(Schema):
    id: int
    sku: str
    name: str
    unit: str
    available: bool
    price_fen: int | None
    price_display: str
    channel_used: str | None
    retail_price_fen: int | None
    retail_price_display: str


class ShopProductOut(Schema):
    id: int
    name: str
    subtitle: str
    category_id: int | None
    image_url: str
    price_fen: int
    price_display: str
    channel_used: str
    is_member_price: bool
    retail_price_fen: int | None
    retail_price_display: str
    variant_count: int


class ShopProductDetailOut(Schema):
    id: int
    name: str
    subtitle: str
    description: str
    category_id: int | None
    image_urls: list[str]
    price_fen: int
    price_display: str
    channel_used: str
    is_member_price: bool
    retail_price_fen: int | None
    retail_price_display: str
    variants: list[ShopVariantOut]


class ShopPage(Schema):
    store: StoreOut
    is_member: bool
    count: int
    items: list[ShopProductOut]


class ShopDetailOut(Schema):
    store: StoreOut
    is_member: bool
    product: ShopProductDetailOut


class Paging(Schema):
    limit: int = Field(default=20, ge=1, le=100)
    offset: int = Field(default=0, ge=0, le=1_000_000)


class ProductFilters(Paging):
    status: str | None = Field(default=None, max_length=20)
    category_id: int | None = None
    search: str | None = Field(default=None, max_length=100)


class PriceRowFilters(Paging):
    search: str | None = Field(default=None, max_length=100)


class ShopFilters(Paging):
    category_id: int | None = None
    search: str | None = Field(default=None, max_length=100)


ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


# --- converters -----------------------------------------------------------------------------------


def _product_out(product: Product) -> dict[str, Any]:
    return {
        "id": product.pk,
        "brand_id": product.brand_id,
        "category_id": product.category_id,
        "name": product.name,
        "subtitle": product.subtitle,
        "description": product.description,
        "status": product.status,
        "position": product.position,
        "updated_at": product.updated_at,
        "variants": [_variant_out(v) for v in product.variants.all()],
        "images": [_image_out(i) for i in product.images.all()],
    }


def _variant_out(v: Variant) -> dict[str, Any]:
    return {
        "id": v.pk,
        "sku": v.sku,
        "name": v.name,
        "barcode": v.barcode,
        "unit": v.unit,
        "is_active": v.is_active,
        "position": v.position,
    }


def _image_out(image: ProductImage) -> dict[str, Any]:
    return {"id": image.pk, "url": image.image.url, "position": image.position}


def _category_out(c: Category) -> dict[str, Any]:
    return {"id": c.pk, "name": c.name, "parent_id": c.parent_id, "position": c.position}


def _fen(amount: int | None) -> str:
    return format_fen(amount) if amount is not None else ""


def _quote_fields(quote: PriceQuote | None, prefix: str = "") -> dict[str, Any]:
    return {
        f"{prefix}price_fen": quote.price_fen if quote else None,
        f"{prefix}price_display": quote.display if quote else "",
    }


def _category(category_id: int | None) -> Category | None:
    return None if category_id is None else selectors.category_get(category_id=category_id)


def _variants(items: Sequence[VariantIn]) -> list[services.VariantInput]:
    return [services.VariantInput(**item.dict()) for item in items]


def _store_out(store: Any) -> dict[str, Any]:
    return {
        "id": store.pk,
        "name": store.name,
        "address": store.address,
        "status": store.status,
    }


# --- categories -----------------------------------------------------------------------------------


@router.get("/categories", response=list[CategoryOut], auth=None)
def category_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [_category_out(c) for c in selectors.categories()]


@router.post("/categories", response={201: CategoryOut, **ERRORS})
def category_create(request: HttpRequest, payload: CategoryIn) -> Status[dict[str, Any]]:
    category = services.category_create(
        actor=request.user,
        name=payload.name,
        parent=_category(payload.parent_id),
        position=payload.position,
    )
    return Status(201, _category_out(category))


@router.patch("/categories/{category_id}", response={200: CategoryOut, **ERRORS})
def category_update(
    request: HttpRequest, category_id: int, payload: CategoryPatch
) -> dict[str, Any]:
    category = selectors.category_get(category_id=category_id)
    given = payload.model_fields_set
    changes: dict[str, Any] = {}
    if "name" in given:
        changes["name"] = payload.name
    if "parent_id" in given:
        changes["parent"] = _category(payload.parent_id)
    if "position" in given:
        changes["position"] = payload.position
    services.category_update(actor=request.user, category=category, **changes)
    return _category_out(category)


# --- products -------------------------------------------------------------------------------------


@router.get("/products", response={200: ProductPage, **ERRORS})
def product_list(request: HttpRequest, filters: Query[ProductFilters]) -> dict[str, Any]:
    qs = selectors.product_list(
        scope=scope_for(request.user),
        status=filters.status,
        category_id=filters.category_id,
        search=filters.search,
    )
    page = list(qs[filters.offset : filters.offset + filters.limit])
    return {"count": qs.count(), "items": [_product_out(p) for p in page]}


@router.post("/products", response={201: ProductOut, **ERRORS})
def product_create(request: HttpRequest, payload: ProductIn) -> Status[dict[str, Any]]:
    scope = scope_for(request.user)
    brand = selectors.brand_of_scope(scope)
    product = services.product_create(
        actor=request.user,
        brand=brand,
        name=payload.name,
        category=_category(payload.category_id),
        subtitle=payload.subtitle,
        description=payload.description,
        position=payload.position,
        variants=_variants(payload.variants),
    )
    return Status(201, _product_out(selectors.product_get(scope=scope, product_id=product.pk)))


@router.get("/products/{product_id}", response={200: ProductDetailOut, **ERRORS})
def product_detail(request: HttpRequest, product_id: int) -> dict[str, Any]:
    detail = selectors.product_detail(scope=scope_for(request.user), product_id=product_id)
    data = _product_out(detail.product)
    data["prices_at_organization_id"] = detail.organization.pk
    data["prices"] = [
        {
            "variant_id": quote.variant_id,
            "channel": channel,
            "price_fen": quote.price_fen,
            "price_display": quote.display,
            "channel_used": quote.channel_used,
            "price_list_id": quote.price_list_id,
            "organization_id": quote.organization_id,
        }
        for channel, quotes in detail.quotes.items()
        for quote in quotes.values()
    ]
    return data


@router.patch("/products/{product_id}", response={200: ProductOut, **ERRORS})
def product_update(request: HttpRequest, product_id: int, payload: ProductPatch) -> dict[str, Any]:
    scope = scope_for(request.user)
    product = selectors.product_get(scope=scope, product_id=product_id)
    given = payload.model_fields_set
    changes: dict[str, Any] = {
        key: getattr(payload, key)
        for key in ("name", "subtitle", "description", "position")
        if key in given
    }
    for key in ("name", "subtitle", "description", "position"):
        if key in changes and changes[key] is None:
            changes.pop(key)  # null means "leave it", like a missing field
    if "category_id" in given:
        changes["category"] = _category(payload.category_id)
    if payload.variants is not None:
        changes["variants"] = _variants(payload.variants)
    services.product_update(actor=request.user, product=product, **changes)
    return _product_out(selectors.product_get(scope=scope, product_id=product_id))


@router.post("/products/{product_id}/status", response={200: ProductOut, **ERRORS})
def product_status(request: HttpRequest, product_id: int, payload: StatusIn) -> dict[str, Any]:
    scope = scope_for(request.user)
    product = selectors.product_get(scope=scope, product_id=product_id)
    services.product_set_status(
        actor=request.user, product=product, status=payload.status, reason=payload.reason
    )
    return _product_out(selectors.product_get(scope=scope, product_id=product_id))


@router.post("/products/{product_id}/images", response={201: ImageOut, **ERRORS})
def product_image_add(
    request: HttpRequest, product_id: int, image: File[UploadedFile]
) -> Status[dict[str, Any]]:
    product = selectors.product_get(scope=scope_for(request.user), product_id=product_id)
    created = services.product_image_add(actor=request.user, product=product, upload=image)
    return Status(201, _image_out(created))


@router.delete("/products/{product_id}/images/{int:image_id}", response={204: None, **ERRORS})
def product_image_remove(request: HttpRequest, product_id: int, image_id: int) -> Status[None]:
    scope = scope_for(request.user)
    product = selectors.product_get(scope=scope, product_id=product_id)
    image = selectors.image_get(scope=scope, product=product, image_id=image_id)
    services.product_image_remove(actor=request.user, image=image)
    return Status(204, None)


@router.put("/products/{product_id}/images/order", response={200: list[ImageOut], **ERRORS})
def product_images_reorder(
    request: HttpRequest, product_id: int, payload: ImageOrderIn
) -> list[dict[str, Any]]:
    scope = scope_for(request.user)
    product = selectors.product_get(scope=scope, product_id=product_id)
    services.product_images_reorder(
        actor=request.user, product=product, image_ids=payload.image_ids
    )
    return [_image_out(i) for i in product.images.order_by("position", "id")]


# --- price lists ----------------------------------------------------------------------------------


@router.get("/price-lists", response={200: PriceListPage, **ERRORS})
def price_list_list(request: HttpRequest, paging: Query[Paging]) -> dict[str, Any]:
    qs = selectors.price_lists_for(scope_for(request.user))
    page = qs[paging.offset : paging.offset + paging.limit]
    return {
        "count": qs.count(),
        "items": [
            {
                "id": pl.pk,
                "organization_id": pl.organization_id,
                "organization_name": pl.organization.name,
                "channel": pl.channel,
                "is_active": pl.is_active,
                "price_count": pl.price_count,  # type: ignore[attr-defined]  # annotated
                "updated_at": pl.updated_at,
            }
            for pl in page
        ],
    }


@router.get("/price-lists/{org_id}/{channel}", response={200: PriceRowPage, **ERRORS})
def price_list_detail(
    request: HttpRequest, org_id: int, channel: str, filters: Query[PriceRowFilters]
) -> dict[str, Any]:
    scope = scope_for(request.user)
    org = selectors.pricing_organization_get(scope=scope, organization_id=org_id)
    channel = clean_channel(channel)
    qs = selectors.price_list_variants(organization=org, search=filters.search)
    variants = list(qs[filters.offset : filters.offset + filters.limit])
    rows = selectors.price_rows(organization=org, channel=channel, variants=variants)
    price_list = selectors.price_list_at(organization=org, channel=channel)
    return {
        "organization_id": org.pk,
        "channel": channel,
        "is_active": price_list.is_active if price_list else True,
        "can_edit": selectors.can_edit_prices(scope=scope, organization=org, channel=channel),
        "count": qs.count(),
        "items": [
            {
                "variant_id": row.variant.pk,
                "sku": row.variant.sku,
                "product_id": row.variant.product_id,
                "product_name": row.variant.product.name,
                "variant_name": row.variant.name,
                "price_fen": row.own_price_fen,
                "price_display": _fen(row.own_price_fen),
                "inherited_price_fen": row.inherited.price_fen if row.inherited else None,
                "inherited_price_display": row.inherited.display if row.inherited else "",
                "inherited_from_organization_id": (
                    row.inherited.organization_id if row.inherited else None
                ),
            }
            for row in rows
        ],
    }


@router.patch("/price-lists/{org_id}/{channel}", response={200: PriceListOut, **ERRORS})
def price_list_activate(
    request: HttpRequest, org_id: int, channel: str, payload: PriceListActiveIn
) -> dict[str, Any]:
    scope = scope_for(request.user)
    org = selectors.pricing_organization_get(scope=scope, organization_id=org_id)
    price_list = services.price_list_set_active(
        actor=request.user, organization=org, channel=channel, is_active=payload.is_active
    )
    return {
        "id": price_list.pk,
        "organization_id": org.pk,
        "organization_name": org.name,
        "channel": price_list.channel,
        "is_active": price_list.is_active,
        "price_count": price_list.prices.count(),
        "updated_at": price_list.updated_at,
    }


@router.put(
    "/price-lists/{org_id}/{channel}/prices/{variant_id}", response={200: PriceOut, **ERRORS}
)
def price_set(
    request: HttpRequest, org_id: int, channel: str, variant_id: int, payload: PriceIn
) -> dict[str, Any]:
    scope = scope_for(request.user)
    org = selectors.pricing_organization_get(scope=scope, organization_id=org_id)
    variant = selectors.variant_get(scope=scope, variant_id=variant_id)
    price = services.price_set(
        actor=request.user,
        organization=org,
        channel=channel,
        variant=variant,
        price_fen=payload.price_fen,  # type: ignore[arg-type]  # None → price_missing
    )
    return {
        "variant_id": variant.pk,
        "price_list_id": price.price_list_id,
        "price_fen": price.price_fen,
        "price_display": format_fen(price.price_fen),
    }


@router.delete(
    "/price-lists/{org_id}/{channel}/prices/{variant_id}", response={204: None, **ERRORS}
)
def price_remove(request: HttpRequest, org_id: int, channel: str, variant_id: int) -> Status[None]:
    scope = scope_for(request.user)
    org = selectors.pricing_organization_get(scope=scope, organization_id=org_id)
    variant = selectors.variant_get(scope=scope, variant_id=variant_id)
    services.price_remove(actor=request.user, organization=org, channel=channel, variant=variant)
    return Status(204, None)


@router.post(
    "/price-lists/{org_id}/{channel}/import",
    response={200: ImportOut, 400: ImportErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
)
def price_import(request: HttpRequest, org_id: int, channel: str, file: File[UploadedFile]) -> Any:
    scope = scope_for(request.user)
    org = selectors.pricing_organization_get(scope=scope, organization_id=org_id)
    try:
        result = services.price_import_xlsx(
            actor=request.user, organization=org, channel=channel, upload=file
        )
    except ImportRefused as refused:
        return Status(400, refused.as_dict())
    return {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}


# --- the shop (public) ----------------------------------------------------------------------------


class ShopCaller:
    """Authentication of the public shop operations: everyone passes; a caller who proves who
    they are (the session, or whatever ``use()`` was given, e.g. the API's bearer token) is
    recognized, so a member sees the member price. The composition root may call
    ``shop_caller.use(*API_AUTH)``; without it only the browser session is recognized.
    """

    def __init__(self) -> None:
        self.authenticators: list[Callable[[HttpRequest], Any]] = []

    def use(self, *authenticators: Callable[[HttpRequest], Any]) -> None:
        self.authenticators = list(authenticators)

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            for authenticate in self.authenticators:
                try:
                    found = authenticate(request)
                except Exception:  # a bad or foreign credential: stay anonymous
                    found = None
                if found:
                    request.user = found
                    break
        return "shop"


shop_caller = ShopCaller()


def _shop_variant(v: selectors.ShopVariant) -> dict[str, Any]:
    return {
        "id": v.id,
        "sku": v.sku,
        "name": v.name,
        "unit": v.unit,
        "available": v.price is not None,
        **_quote_fields(v.price),
        "channel_used": v.price.channel_used if v.price else None,
        **_quote_fields(v.retail, "retail_"),
    }


@router.get(
    "/shop/stores/{store_id}/products", response={200: ShopPage, 404: ErrorOut}, auth=shop_caller
)
def shop_product_list(
    request: HttpRequest, store_id: int, filters: Query[ShopFilters]
) -> dict[str, Any]:
    store = selectors.shop_store(store_id=store_id)
    member = selectors.buyer_is_member(user=request.user, store=store)
    count = selectors.shop_products_queryset(
        store=store, category_id=filters.category_id, search=filters.search
    ).count()
    items = selectors.shop_products(
        store=store,
        buyer_is_member=member,
        category_id=filters.category_id,
        search=filters.search,
        offset=filters.offset,
        limit=filters.limit,
    )
    return {
        "store": _store_out(store),
        "is_member": member,
        "count": count,
        "items": [
            {
                "id": p.id,
                "name": p.name,
                "subtitle": p.subtitle,
                "category_id": p.category_id,
                "image_url": p.image_url,
                **_quote_fields(p.price),
                "channel_used": p.price.channel_used,
                "is_member_price": p.is_member_price,
                **_quote_fields(p.retail, "retail_"),
                "variant_count": p.variant_count,
            }
            for p in items
        ],
    }


@router.get(
    "/shop/stores/{store_id}/products/{product_id}",
    response={200: ShopDetailOut, 404: ErrorOut},
    auth=shop_caller,
)
def shop_product_detail(request: HttpRequest, store_id: int, product_id: int) -> dict[str, Any]:
    store = selectors.shop_store(store_id=store_id)
    member = selectors.buyer_is_member(user=request.user, store=store)
    p = selectors.shop_product(store=store, product_id=product_id, buyer_is_member=member)
    return {
        "store": _store_out(store),
        "is_member": member,
        "product": {
            "id": p.id,
            "name": p.name,
            "subtitle": p.subtitle,
            "description": p.description,
            "category_id": p.category_id,
            "image_urls": p.image_urls,
            **_quote_fields(p.price),
            "channel_used": p.price.channel_used,
            "is_member_price": p.is_member_price,
            **_quote_fields(p.retail, "retail_"),
            "variants": [_shop_variant(v) for v in p.variants],
        },
    }
