"""Factories for categories, products, variants, images and prices (other contexts use them too)."""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass
from typing import Any

import factory
from PIL import Image

from trispace.catalog.models import Category, Channel, Price, PriceList, Product, Variant
from trispace.catalog.states import ProductStatus
from trispace.network.models import Organization, Role
from trispace.network.tests.factories import (
    BrandFactory,
    DealerFactory,
    MembershipFactory,
    StoreFactory,
    UserFactory,
)

_skus = itertools.count(1)


def next_sku() -> str:
    return f"SKU-{next(_skus):06d}"


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"分类{n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    brand = factory.SubFactory(BrandFactory)
    name = factory.Sequence(lambda n: f"商品{n}")
    status = ProductStatus.DRAFT


class VariantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Variant

    product = factory.SubFactory(ProductFactory)
    sku = factory.LazyFunction(next_sku)
    name = "500ml"


class PriceListFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriceList
        django_get_or_create = ("channel", "organization")

    channel = Channel.RETAIL
    organization = factory.SubFactory(BrandFactory)


class PriceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Price

    price_list = factory.SubFactory(PriceListFactory)
    variant = factory.SubFactory(VariantFactory)
    price_fen = 1000


def set_price(
    variant: Variant, organization: Organization, price_fen: int, channel: str = Channel.RETAIL
) -> Price:
    """Put ``variant`` at ``price_fen`` on the ``channel`` list of ``organization`` (no service)."""
    price_list, _ = PriceList.objects.get_or_create(channel=channel, organization=organization)
    price, _ = Price.objects.update_or_create(
        price_list=price_list, variant=variant, defaults={"price_fen": price_fen}
    )
    return price


def on_sale_product(
    brand: Organization, *, retail_fen: int | None = 1000, at: Organization | None = None, **kw
) -> tuple[Product, Variant]:
    """An on-sale product of ``brand`` with one variant, retail-priced at ``at`` (default brand)."""
    product = ProductFactory(brand=brand, status=ProductStatus.ON_SALE, **kw)
    variant = VariantFactory(product=product)
    if retail_fen is not None:
        set_price(variant, at or brand, retail_fen)
    return product, variant


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (8, 8), color: str = "red") -> bytes:
    """A small real image made with Pillow in memory."""
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=fmt)
    return buffer.getvalue()


@dataclass
class Net:
    """A small network: brand → two dealers → stores, and one person per role."""

    brand: Organization
    dealer: Organization
    store: Organization
    store2: Organization  # same dealer
    other_dealer: Organization
    other_store: Organization  # under other_dealer
    brand_admin: Any
    operator: Any
    dealer_admin: Any
    other_dealer_admin: Any
    owner: Any
    other_owner: Any
    consumer: Any


def person(org: Organization, role: str) -> Any:
    user = UserFactory()
    MembershipFactory(user=user, organization=org, role=role)
    return user


def build_net() -> Net:
    brand = BrandFactory()
    dealer = DealerFactory(parent=brand)
    other_dealer = DealerFactory(parent=brand)
    store = StoreFactory(parent=dealer)
    store2 = StoreFactory(parent=dealer)
    other_store = StoreFactory(parent=other_dealer)
    return Net(
        brand=brand,
        dealer=dealer,
        store=store,
        store2=store2,
        other_dealer=other_dealer,
        other_store=other_store,
        brand_admin=person(brand, Role.BRAND_ADMIN),
        operator=person(brand, Role.BRAND_OPERATOR),
        dealer_admin=person(dealer, Role.DEALER_ADMIN),
        other_dealer_admin=person(other_dealer, Role.DEALER_ADMIN),
        owner=person(store, Role.STORE_OWNER),
        other_owner=person(other_store, Role.STORE_OWNER),
        consumer=person(store, Role.CONSUMER),
    )
