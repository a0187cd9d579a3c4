"""Authorization matrix of the catalog API and pages: who may do what, and a refusal changes
nothing (no rows, no audit, no events).

Actors: anonymous, a consumer of the store, the store's owner, another store's owner, the store's
dealer admin, another dealer's admin, the brand admin.
"""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from trispace.catalog.models import Category, Price, PriceList, Product, ProductImage, Variant
from trispace.catalog.tests.factories import ProductFactory, VariantFactory, image_bytes, set_price
from trispace.kernel.models import AuditLog, OutboxEvent, StateChange

pytestmark = pytest.mark.django_db

ACTORS = [
    "anonymous",
    "consumer",
    "owner",
    "other_owner",
    "dealer_admin",
    "other_dealer_admin",
    "brand_admin",
]
API = "/api/catalog"


def snapshot():
    return (
        Product.objects.count(),
        list(Product.objects.order_by("pk").values_list("name", "status")),
        Variant.objects.count(),
        list(Price.objects.order_by("pk").values_list("price_fen", flat=True)),
        PriceList.objects.count(),
        ProductImage.objects.count(),
        Category.objects.count(),
        AuditLog.objects.count(),
        OutboxEvent.objects.count(),
        StateChange.objects.count(),
    )


@pytest.fixture
def world(net):
    product = ProductFactory(brand=net.brand, name="原名")
    variant = VariantFactory(product=product, sku="V-1")
    set_price(variant, net.brand, 1000)
    return net, product, variant


def _xlsx():
    book = Workbook()
    book.active.append(["sku", "price"])
    book.active.append(["V-1", "9.9"])
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("p.xlsx", buffer.getvalue())


def api_call(client, action, net, product, variant):
    json = "application/json"
    store_prices = f"{API}/price-lists/{net.store.pk}/retail"
    calls = {
        "category_create": lambda: client.post(
            f"{API}/categories", {"name": "新分类"}, content_type=json
        ),
        "product_create": lambda: client.post(
            f"{API}/products", {"name": "新品"}, content_type=json
        ),
        "product_update": lambda: client.patch(
            f"{API}/products/{product.pk}", {"name": "改名"}, content_type=json
        ),
        "product_status": lambda: client.post(
            f"{API}/products/{product.pk}/status", {"status": "on_sale"}, content_type=json
        ),
        "image_add": lambda: client.post(
            f"{API}/products/{product.pk}/images",
            {"image": SimpleUploadedFile("a.png", image_bytes())},
        ),
        "price_set": lambda: client.put(
            f"{store_prices}/prices/{variant.pk}", {"price_fen": 990}, content_type=json
        ),
        "brand_price_set": lambda: client.put(
            f"{API}/price-lists/{net.brand.pk}/retail/prices/{variant.pk}",
            {"price_fen": 990},
            content_type=json,
        ),
        "price_import": lambda: client.post(f"{store_prices}/import", {"file": _xlsx()}),
    }
    return calls[action]()


# expected status per actor, in ACTORS order
API_MATRIX = {
    "category_create": [401, 403, 403, 403, 403, 403, 201],
    "product_create": [401, 403, 403, 403, 403, 403, 201],
    "product_update": [401, 404, 403, 403, 403, 403, 200],
    "product_status": [401, 404, 403, 403, 403, 403, 200],
    "image_add": [401, 404, 403, 403, 403, 403, 201],
    "price_set": [401, 404, 403, 404, 200, 404, 200],
    "brand_price_set": [401, 404, 404, 404, 404, 404, 200],  # the brand node is outside their scope
    "price_import": [401, 404, 403, 404, 200, 404, 200],
}


@pytest.mark.parametrize("action", list(API_MATRIX))
@pytest.mark.parametrize("actor", ACTORS)
def test_api_matrix(client, world, actor, action):
    net, product, variant = world
    if actor != "anonymous":
        client.force_login(getattr(net, actor))
    expected = API_MATRIX[action][ACTORS.index(actor)]
    before = snapshot()
    response = api_call(client, action, net, product, variant)
    assert response.status_code == expected, response.content
    if expected >= 400:
        body = response.json()
        assert set(body) >= {"code", "message", "field"}
        assert snapshot() == before
    else:
        assert snapshot() != before


@pytest.mark.parametrize("actor", ACTORS)
def test_api_reads_are_scoped(client, world, actor):
    net, _product, variant = world
    set_price(variant, net.store, 900)
    set_price(variant, net.other_store, 800)
    if actor != "anonymous":
        client.force_login(getattr(net, actor))
    lists = client.get(f"{API}/price-lists")
    products = client.get(f"{API}/products")
    detail = client.get(f"{API}/price-lists/{net.store.pk}/retail")
    if actor == "anonymous":
        assert (lists.status_code, products.status_code, detail.status_code) == (401, 401, 401)
        return
    seen = {item["organization_id"] for item in lists.json()["items"]}
    expected_seen = {
        "consumer": set(),
        "owner": {net.store.pk},
        "other_owner": {net.other_store.pk},
        "dealer_admin": {net.store.pk},
        "other_dealer_admin": {net.other_store.pk},
        "brand_admin": {net.brand.pk, net.store.pk, net.other_store.pk},
    }[actor]
    assert seen == expected_seen
    product_count = products.json()["count"]
    assert product_count == (0 if actor == "consumer" else 1)
    can_see_store = actor in {"owner", "dealer_admin", "brand_admin"}
    assert detail.status_code == (200 if can_see_store else 404)


PAGE_MATRIX = {
    # action: expected status per actor (302 = to the login page for anonymous, or done)
    "product_list": [302, 403, 200, 200, 200, 200, 200],
    "product_create": [302, 403, 403, 403, 403, 403, 302],
    "product_edit": [302, 403, 403, 403, 403, 403, 302],
    "product_status": [302, 403, 403, 403, 403, 403, 302],
    "category_create": [302, 403, 403, 403, 403, 403, 302],
    "pricelist_price": [302, 403, 403, 404, 302, 404, 302],
    "pricelist_detail": [302, 403, 200, 404, 200, 404, 200],
}


def page_call(client, action, net, product, variant):
    formset = {
        "variants-TOTAL_FORMS": "0",
        "variants-INITIAL_FORMS": "0",
        "variants-MIN_NUM_FORMS": "0",
        "variants-MAX_NUM_FORMS": "200",
    }
    fields = {"name": "改名", "subtitle": "", "description": "", "position": "0", "category": ""}
    calls = {
        "product_list": lambda: client.get(reverse("console:product_list")),
        "product_create": lambda: client.post(
            reverse("console:product_create"), {**fields, **formset}
        ),
        "product_edit": lambda: client.post(
            reverse("console:product_edit", args=[product.pk]), {**fields, **formset}
        ),
        "product_status": lambda: client.post(
            reverse("console:product_status", args=[product.pk]), {"status": "on_sale"}
        ),
        "category_create": lambda: client.post(
            reverse("console:category_list"), {"name": "新", "parent": "", "position": "0"}
        ),
        "pricelist_price": lambda: client.post(
            reverse("console:pricelist_price", args=[net.store.pk, "retail", variant.pk]),
            {"price": "9.9"},
        ),
        "pricelist_detail": lambda: client.get(
            reverse("console:pricelist_detail", args=[net.store.pk, "retail"])
        ),
    }
    return calls[action]()


@pytest.mark.parametrize("action", list(PAGE_MATRIX))
@pytest.mark.parametrize("actor", ACTORS)
def test_page_matrix(client, world, actor, action):
    net, product, variant = world
    if actor != "anonymous":
        client.force_login(getattr(net, actor))
    expected = PAGE_MATRIX[action][ACTORS.index(actor)]
    before = snapshot()
    response = page_call(client, action, net, product, variant)
    assert response.status_code == expected
    if actor == "anonymous":
        assert response.url.startswith(reverse("console:login"))
    if (
        expected in (302, 200)
        and actor != "anonymous"
        and action
        not in (
            "product_list",
            "pricelist_detail",
        )
    ):
        assert snapshot() != before
    else:
        assert snapshot() == before


@pytest.mark.parametrize("actor", ACTORS)
def test_shop_is_public_and_read_only(client, world, actor):
    net, _product, _variant = world
    if actor != "anonymous":
        client.force_login(getattr(net, actor))
    before = snapshot()
    response = client.get(f"{API}/shop/stores/{net.store.pk}/products")
    assert response.status_code == 200
    assert client.post(f"{API}/shop/stores/{net.store.pk}/products").status_code == 405
    assert snapshot() == before
