"""Products (商品) with their variants (SKU): create, update, put on and take off sale."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from trispace.catalog import calculations, errors
from trispace.catalog.models import Category, Price, Product, Variant
from trispace.catalog.permissions import require_manage_brand, scope_of_actor
from trispace.catalog.services._common import UNSET, _Unset, clean_position, clean_text
from trispace.catalog.states import PRODUCT_STATES, ProductStatus
from trispace.contracts.catalog import ProductStatusChanged
from trispace.kernel import audit
from trispace.kernel import errors as kerrors
from trispace.kernel import time as ktime
from trispace.kernel.transitions import transition
from trispace.network.models import Organization, OrgKind

NAME_MAX = 100
SUBTITLE_MAX = 200
DESCRIPTION_MAX = 20_000
SPEC_MAX = 50
UNIT_MAX = 10
SKU_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
DEFAULT_UNIT = "件"


@dataclass(frozen=True)
class VariantInput:
    """A variant as entered: ``id`` None creates one, an id updates that variant."""

    sku: str
    name: str = ""
    barcode: str = ""
    unit: str = DEFAULT_UNIT
    is_active: bool = True
    position: int = 0
    id: int | None = None


@dataclass(frozen=True)
class _CleanVariant:
    id: int | None
    sku: str
    name: str
    barcode: str
    unit: str
    is_active: bool
    position: int


def _clean_variant(index: int, data: VariantInput) -> _CleanVariant:
    prefix = f"variants.{index}."
    sku = data.sku.strip() if isinstance(data.sku, str) else ""
    if not SKU_RE.match(sku):
        raise errors.SKU_INVALID(field=prefix + "sku")
    barcode = data.barcode.strip() if isinstance(data.barcode, str) else None
    if barcode is None or (barcode and calculations.barcode_kind(barcode) is None):
        raise errors.BARCODE_INVALID(field=prefix + "barcode")
    unit = clean_text(
        data.unit or DEFAULT_UNIT,
        error=errors.UNIT_INVALID,
        field=prefix + "unit",
        max_length=UNIT_MAX,
    )
    name = clean_text(
        data.name,
        error=errors.NAME_INVALID,
        field=prefix + "name",
        max_length=SPEC_MAX,
        required=False,
    )
    if not isinstance(data.is_active, bool):
        raise kerrors.INVALID(field=prefix + "is_active")
    return _CleanVariant(
        id=data.id,
        sku=sku,
        name=name,
        barcode=barcode,
        unit=unit,
        is_active=data.is_active,
        position=clean_position(data.position, field=prefix + "position"),
    )


def _clean_variants(
    variants: Sequence[VariantInput], product: Product | None
) -> list[_CleanVariant]:
    cleaned = [_clean_variant(i, v) for i, v in enumerate(variants)]
    own_ids: set[int] = set()
    if product is not None:
        own_ids = {int(pk) for pk in product.variants.values_list("pk", flat=True)}
    seen: dict[str, int] = {}
    for index, variant in enumerate(cleaned):
        if variant.id is not None and variant.id not in own_ids:
            raise errors.VARIANT_NOT_FOUND(field=f"variants.{index}.id")
        if variant.sku in seen:
            raise errors.SKU_TAKEN(field=f"variants.{index}.sku", sku=variant.sku)
        seen[variant.sku] = index
    updated_ids = [v.id for v in cleaned if v.id is not None]
    if len(updated_ids) != len(set(updated_ids)):
        raise kerrors.INVALID(field="variants")
    if seen:
        # A SKU may move between this product's own variants, never from another product's.
        taken = (
            Variant.objects.filter(sku__in=list(seen))
            .exclude(pk__in=updated_ids)
            .values_list("sku", flat=True)
            .first()
        )
        if taken is not None:
            raise errors.SKU_TAKEN(field=f"variants.{seen[taken]}.sku", sku=taken)
    return cleaned


def _save_variants(product: Product, cleaned: list[_CleanVariant]) -> list[int]:
    existing = {v.pk: v for v in product.variants.all()} if product.pk else {}
    touched: list[int] = []
    # Free the SKUs that move between this product's variants before writing the new ones.
    moving = [v for v in cleaned if v.id is not None and existing[v.id].sku != v.sku]
    for index, variant in enumerate(moving):
        Variant.objects.filter(pk=int(variant.id or 0)).update(sku=f"~moving-{variant.id}-{index}")
    try:
        with transaction.atomic():
            for variant in cleaned:
                fields = {
                    "sku": variant.sku,
                    "name": variant.name,
                    "barcode": variant.barcode,
                    "unit": variant.unit,
                    "is_active": variant.is_active,
                    "position": variant.position,
                }
                if variant.id is None:
                    row = Variant.objects.create(product=product, **fields)
                else:
                    row = existing[variant.id]
                    for key, value in fields.items():
                        setattr(row, key, value)
                    row.save()
                touched.append(row.pk)
    except IntegrityError as exc:  # a concurrent writer took a SKU between check and insert
        raise errors.SKU_TAKEN(field="variants", sku="") from exc
    return touched


def _clean_category(category: Any) -> Category | None:
    if category is None or isinstance(category, Category):
        return category
    raise kerrors.INVALID(field="category")


def product_create(
    *,
    actor: Any,
    brand: Organization,
    name: str,
    category: Category | None = None,
    subtitle: str = "",
    description: str = "",
    position: int = 0,
    variants: Sequence[VariantInput] = (),
) -> Product:
    """Create a draft product of ``brand`` with its variants."""
    if brand.kind != OrgKind.BRAND:
        raise kerrors.NOT_FOUND(field="brand")
    require_manage_brand(scope_of_actor(actor), brand.pk)
    values = {
        "name": clean_text(name, error=errors.NAME_INVALID, field="name", max_length=NAME_MAX),
        "subtitle": clean_text(
            subtitle,
            error=errors.NAME_INVALID,
            field="subtitle",
            max_length=SUBTITLE_MAX,
            required=False,
        ),
        "description": clean_text(
            description,
            error=errors.NAME_INVALID,
            field="description",
            max_length=DESCRIPTION_MAX,
            required=False,
        ),
        "position": clean_position(position),
        "category": _clean_category(category),
    }
    with transaction.atomic():
        cleaned = _clean_variants(variants, None)
        product = Product.objects.create(brand=brand, status=ProductStatus.DRAFT, **values)
        variant_ids = _save_variants(product, cleaned)
        audit.record(
            actor=actor,
            action="product_create",
            target=product,
            data={"name": product.name, "variant_ids": variant_ids},
        )
    return product


def product_update(
    *,
    actor: Any,
    product: Product,
    name: str | _Unset = UNSET,
    category: Category | _Unset | None = UNSET,
    subtitle: str | _Unset = UNSET,
    description: str | _Unset = UNSET,
    position: int | _Unset = UNSET,
    variants: Sequence[VariantInput] | None = None,
) -> Product:
    """Change the given fields; ``variants`` creates (no id) or updates (id) those listed.

    Variants not listed are left as they are: a variant is retired by ``is_active=False``, never
    deleted, because orders and price history point at it.
    """
    require_manage_brand(scope_of_actor(actor), product.brand_id)
    changes: dict[str, Any] = {}
    if not isinstance(name, _Unset):
        changes["name"] = clean_text(
            name, error=errors.NAME_INVALID, field="name", max_length=NAME_MAX
        )
    if not isinstance(subtitle, _Unset):
        changes["subtitle"] = clean_text(
            subtitle,
            error=errors.NAME_INVALID,
            field="subtitle",
            max_length=SUBTITLE_MAX,
            required=False,
        )
    if not isinstance(description, _Unset):
        changes["description"] = clean_text(
            description,
            error=errors.NAME_INVALID,
            field="description",
            max_length=DESCRIPTION_MAX,
            required=False,
        )
    if not isinstance(position, _Unset):
        changes["position"] = clean_position(position)
    if not isinstance(category, _Unset):
        changes["category"] = _clean_category(category)
    with transaction.atomic():
        locked = Product.objects.select_for_update().get(pk=product.pk)
        cleaned = _clean_variants(variants, locked) if variants is not None else None
        for key, value in changes.items():
            setattr(locked, key, value)
        locked.updated_at = ktime.now()
        locked.save()
        variant_ids = _save_variants(locked, cleaned) if cleaned is not None else []
        audit.record(
            actor=actor,
            action="product_update",
            target=locked,
            data={
                "fields": sorted(changes),
                "variant_ids": variant_ids,
            },
        )
    product.refresh_from_db()
    return product


def is_ready_for_sale(product: Product) -> bool:
    """At least one active variant, priced on an active retail list somewhere in the brand's tree."""
    brand_prefix = product.brand.path
    return Price.objects.filter(
        variant__product=product,
        variant__is_active=True,
        price_list__channel=calculations.RETAIL,
        price_list__is_active=True,
        price_list__organization__path__startswith=brand_prefix,
    ).exists()


def product_set_status(*, actor: Any, product: Product, status: str, reason: str = "") -> Product:
    """Move ``product`` to ``status`` (draft → on sale ⇄ off sale)."""
    require_manage_brand(scope_of_actor(actor), product.brand_id)
    if status not in ProductStatus.values:
        raise kerrors.INVALID(field="status")
    old = product.status
    with transaction.atomic():
        if (
            status == ProductStatus.ON_SALE
            and PRODUCT_STATES.can(old, status)
            and not is_ready_for_sale(product)
        ):
            raise errors.PRODUCT_NOT_READY(field="status")
        transition(
            product,
            machine=PRODUCT_STATES,
            to=status,
            actor=actor,
            reason=reason,
            updates={"updated_at": ktime.now()},
            event=ProductStatusChanged(product_id=product.pk, old_status=old, new_status=status),
        )
        audit.record(
            actor=actor,
            action="product_set_status",
            target=product,
            reason=reason,
            data={"from": old, "to": status},
        )
    return product
