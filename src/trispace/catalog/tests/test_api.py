"""The catalog JSON API: shapes, money in fen, 4xx for bad input, the shop's prices."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from trispace.catalog.models import Category, Channel, Price, Product, ProductImage
from trispace.catalog.services import MAX_IMAGE_BYTES
from trispace.catalog.tests.factories import (
    CategoryFactory,
    ProductFactory,
    VariantFactory,
    image_bytes,
    on_sale_product,
    set_price,
)
from trispace.network.states import OrgStatus

pytestmark = pytest.mark.django_db

BASE = "/api/catalog"


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def assert_error(response, status, code, field=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    assert set(body) >= {"code", "message", "field"}
    assert body["message"]
    if field is not None:
        assert body["field"] == field
    return body


# --- categories --------------------------------------------------------------------------------


def test_categories_are_public_and_managed_by_the_brand(client, as_user, net):
    CategoryFactory(name="饮料")
    assert [c["name"] for c in client.get(f"{BASE}/categories").json()] == ["饮料"]
    api = as_user(net.brand_admin)
    created = api.post(f"{BASE}/categories", {"name": "零食"}, content_type="application/json")
    assert created.status_code == 201
    cid = created.json()["id"]
    moved = api.patch(
        f"{BASE}/categories/{cid}", {"name": "小吃", "position": 5}, content_type="application/json"
    )
    assert moved.json() == {"id": cid, "name": "小吃", "parent_id": None, "position": 5}


def test_category_errors(as_user, net):
    api = as_user(net.brand_admin)
    assert_error(
        api.post(f"{BASE}/categories", {"name": ""}, content_type="application/json"),
        400,
        "name_invalid",
        "name",
    )
    assert_error(
        api.post(
            f"{BASE}/categories", {"name": "x", "parent_id": 999}, content_type="application/json"
        ),
        404,
        "not_found",
    )
    assert_error(
        api.post(
            f"{BASE}/categories", {"name": "x", "position": "a"}, content_type="application/json"
        ),
        400,
        "invalid",
        "position",
    )
    assert_error(
        api.patch(f"{BASE}/categories/999", {"name": "x"}, content_type="application/json"),
        404,
        "not_found",
    )


# --- products ----------------------------------------------------------------------------------


def test_product_lifecycle(as_user, net):
    api = as_user(net.brand_admin)
    created = api.post(
        f"{BASE}/products",
        {
            "name": "矿泉水",
            "variants": [{"sku": "W-1", "name": "500ml", "barcode": "6901234567892", "unit": "瓶"}],
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "draft"
    assert body["brand_id"] == net.brand.pk
    assert body["variants"][0]["sku"] == "W-1"
    pid, vid = body["id"], body["variants"][0]["id"]

    not_ready = api.post(
        f"{BASE}/products/{pid}/status", {"status": "on_sale"}, content_type="application/json"
    )
    assert_error(not_ready, 409, "product_not_ready")

    priced = api.put(
        f"{BASE}/price-lists/{net.brand.pk}/retail/prices/{vid}",
        {"price_fen": 350},
        content_type="application/json",
    )
    assert priced.json() == {
        "variant_id": vid,
        "price_list_id": priced.json()["price_list_id"],
        "price_fen": 350,
        "price_display": "¥3.50",
    }
    on_sale = api.post(
        f"{BASE}/products/{pid}/status", {"status": "on_sale"}, content_type="application/json"
    )
    assert on_sale.json()["status"] == "on_sale"

    patched = api.patch(
        f"{BASE}/products/{pid}",
        {"name": "天然矿泉水", "variants": [{"id": vid, "sku": "W-1", "name": "550ml"}]},
        content_type="application/json",
    )
    assert patched.json()["name"] == "天然矿泉水"
    assert patched.json()["variants"][0]["name"] == "550ml"

    detail = api.get(f"{BASE}/products/{pid}").json()
    retail = [p for p in detail["prices"] if p["channel"] == "retail"]
    assert retail[0]["price_fen"] == 350
    assert detail["prices_at_organization_id"] == net.brand.pk

    listed = api.get(f"{BASE}/products", {"search": "W-1"}).json()
    assert listed["count"] == 1
    assert api.get(f"{BASE}/products", {"status": "draft"}).json()["count"] == 0


def test_product_bad_input_is_4xx(as_user, net):
    api = as_user(net.brand_admin)
    VariantFactory(sku="TAKEN", product__brand=net.brand)
    before = Product.objects.count()
    post = lambda body: api.post(f"{BASE}/products", body, content_type="application/json")  # noqa: E731
    assert_error(
        post({"name": "x", "variants": [{"sku": "TAKEN"}]}), 409, "sku_taken", "variants.0.sku"
    )
    assert_error(
        post({"name": "x", "variants": [{"sku": "A", "barcode": "123"}]}), 400, "barcode_invalid"
    )
    assert_error(post({"variants": []}), 400, "invalid", "name")
    assert_error(post({"name": 5}), 400, "invalid")
    assert_error(post({"name": "x", "variants": "no"}), 400, "invalid")
    assert_error(post({"name": "x", "category_id": 12345}), 404, "not_found")
    bad_json = api.post(f"{BASE}/products", "{not json", content_type="application/json")
    assert 400 <= bad_json.status_code < 500
    assert Product.objects.count() == before


def test_unknown_product_is_404(as_user, net):
    api = as_user(net.brand_admin)
    assert_error(api.get(f"{BASE}/products/999999"), 404, "not_found")
    assert_error(
        api.patch(f"{BASE}/products/999999", {"name": "x"}, content_type="application/json"),
        404,
        "not_found",
    )


def test_status_value_is_checked(as_user, net):
    product = ProductFactory(brand=net.brand)
    api = as_user(net.brand_admin)
    response = api.post(
        f"{BASE}/products/{product.pk}/status", {"status": "gone"}, content_type="application/json"
    )
    assert_error(response, 400, "invalid", "status")


# --- images ------------------------------------------------------------------------------------


def test_image_upload_remove_and_order(as_user, net):
    product = ProductFactory(brand=net.brand)
    api = as_user(net.brand_admin)
    ids = []
    for fmt in ("PNG", "JPEG"):
        response = api.post(
            f"{BASE}/products/{product.pk}/images",
            {"image": SimpleUploadedFile("p.img", image_bytes(fmt))},
        )
        assert response.status_code == 201, response.content
        assert response.json()["url"].startswith("/media/products/")
        ids.append(response.json()["id"])
    ordered = api.put(
        f"{BASE}/products/{product.pk}/images/order",
        {"image_ids": ids[::-1]},
        content_type="application/json",
    )
    assert [i["id"] for i in ordered.json()] == ids[::-1]
    assert api.delete(f"{BASE}/products/{product.pk}/images/{ids[0]}").status_code == 204
    assert list(ProductImage.objects.values_list("pk", flat=True)) == [ids[1]]


def test_bad_images_are_400(as_user, net):
    product = ProductFactory(brand=net.brand)
    api = as_user(net.brand_admin)
    url = f"{BASE}/products/{product.pk}/images"
    big = SimpleUploadedFile("big.png", image_bytes() + b"\0" * MAX_IMAGE_BYTES)
    assert_error(api.post(url, {"image": big}), 400, "image_invalid", "image")
    fake = SimpleUploadedFile("x.png", b"GIF89a not really")
    assert_error(api.post(url, {"image": fake}), 400, "image_invalid")
    assert_error(api.post(url, {}), 400, "invalid")
    assert not ProductImage.objects.exists()


# --- prices ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"price_fen": -1}, 400, "price_negative"),
        ({}, 400, "price_missing"),
        ({"price_fen": None}, 400, "price_missing"),
        ({"price_fen": "12"}, 400, "invalid"),
        ({"price_fen": 12.5}, 400, "invalid"),
        ({"price_fen": True}, 400, "invalid"),
        ({"price_fen": [1]}, 400, "invalid"),
    ],
)
def test_price_set_bad_input(as_user, net, body, status, code):
    variant = VariantFactory(product__brand=net.brand)
    api = as_user(net.brand_admin)
    response = api.put(
        f"{BASE}/price-lists/{net.store.pk}/retail/prices/{variant.pk}",
        body,
        content_type="application/json",
    )
    assert_error(response, status, code, "price_fen")
    assert not Price.objects.exists()


def test_price_set_unknown_things(as_user, net):
    variant = VariantFactory(product__brand=net.brand)
    api = as_user(net.brand_admin)
    put = lambda url: api.put(url, {"price_fen": 1}, content_type="application/json")  # noqa: E731
    assert_error(put(f"{BASE}/price-lists/{net.store.pk}/retail/prices/999999"), 404, "not_found")
    assert_error(put(f"{BASE}/price-lists/999999/retail/prices/{variant.pk}"), 404, "not_found")
    assert_error(
        put(f"{BASE}/price-lists/{net.store.pk}/vip/prices/{variant.pk}"), 400, "channel_invalid"
    )
    assert_error(
        put(f"{BASE}/price-lists/{net.store.pk}/dealer/prices/{variant.pk}"),
        400,
        "channel_not_for_org",
    )
    assert not Price.objects.exists()


def test_price_list_views(as_user, net):
    variant = VariantFactory(product__brand=net.brand, sku="S-1")
    set_price(variant, net.brand, 1000)
    set_price(variant, net.store, 900)
    api = as_user(net.dealer_admin)
    lists = api.get(f"{BASE}/price-lists").json()
    assert [(i["organization_id"], i["channel"]) for i in lists["items"]] == [
        (net.store.pk, "retail")
    ]
    rows = api.get(f"{BASE}/price-lists/{net.store2.pk}/retail").json()
    assert rows["can_edit"] is True
    row = rows["items"][0]
    assert (row["sku"], row["price_fen"], row["inherited_price_fen"]) == ("S-1", None, 1000)
    assert row["inherited_from_organization_id"] == net.brand.pk
    own = api.get(f"{BASE}/price-lists/{net.store.pk}/retail").json()["items"][0]
    assert (own["price_fen"], own["price_display"]) == (900, "¥9.00")
    assert (
        api.delete(f"{BASE}/price-lists/{net.store.pk}/retail/prices/{variant.pk}").status_code
        == 204
    )
    assert Price.objects.count() == 1
    off = api.patch(
        f"{BASE}/price-lists/{net.store.pk}/retail",
        {"is_active": False},
        content_type="application/json",
    )
    assert off.json()["is_active"] is False
    assert_error(
        api.patch(
            f"{BASE}/price-lists/{net.store.pk}/retail",
            {"is_active": "no"},
            content_type="application/json",
        ),
        400,
        "invalid",
    )


def _xlsx(rows) -> SimpleUploadedFile:
    book = Workbook()
    book.active.append(["sku", "price"])
    for row in rows:
        book.active.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("p.xlsx", buffer.getvalue())


def test_price_import(as_user, net):
    VariantFactory(product__brand=net.brand, sku="S-1")
    api = as_user(net.dealer_admin)
    url = f"{BASE}/price-lists/{net.store.pk}/retail/import"
    bad = api.post(url, {"file": _xlsx([("S-1", "1"), ("NOPE", "2")])})
    body = assert_error(bad, 400, "import_rows_invalid", "file")
    assert body["rows"] == [{"row": 3, "column": "sku", "message": body["rows"][0]["message"]}]
    assert not Price.objects.exists()
    assert_error(
        api.post(url, {"file": SimpleUploadedFile("x.xlsx", b"junk")}), 400, "import_file_invalid"
    )
    good = api.post(url, {"file": _xlsx([("S-1", "12.30")])})
    assert good.json() == {"created": 1, "updated": 0, "unchanged": 0}
    assert Price.objects.get().price_fen == 1230


# --- the shop ----------------------------------------------------------------------------------


def test_shop_list_and_detail_for_anonymous(client, net):
    product, variant = on_sale_product(net.brand, retail_fen=1000)
    set_price(variant, net.store, 880)
    set_price(variant, net.brand, 800, Channel.MEMBER)
    ProductFactory(brand=net.brand)  # a draft: not shown
    on_sale_product(net.brand, retail_fen=None)  # no retail price: not shown
    listed = client.get(f"{BASE}/shop/stores/{net.store.pk}/products").json()
    assert listed["store"]["id"] == net.store.pk
    assert listed["is_member"] is False
    assert listed["count"] == 1
    item = listed["items"][0]
    assert (item["id"], item["price_fen"], item["price_display"]) == (product.pk, 880, "¥8.80")
    assert (item["channel_used"], item["is_member_price"], item["retail_price_fen"]) == (
        "retail",
        False,
        None,
    )
    other = client.get(f"{BASE}/shop/stores/{net.store2.pk}/products").json()
    assert other["items"][0]["price_fen"] == 1000
    detail = client.get(f"{BASE}/shop/stores/{net.store.pk}/products/{product.pk}").json()
    assert detail["product"]["variants"][0]["price_fen"] == 880
    assert detail["product"]["variants"][0]["available"] is True


def test_shop_member_price_for_a_consumer_of_the_store(as_user, net):
    product, variant = on_sale_product(net.brand, retail_fen=1000)
    set_price(variant, net.brand, 800, Channel.MEMBER)
    api = as_user(net.consumer)
    item = api.get(f"{BASE}/shop/stores/{net.store.pk}/products").json()["items"][0]
    assert (item["price_fen"], item["channel_used"], item["is_member_price"]) == (
        800,
        "member",
        True,
    )
    assert (item["retail_price_fen"], item["retail_price_display"]) == (1000, "¥10.00")
    # at another store the consumer is not a member
    elsewhere = api.get(f"{BASE}/shop/stores/{net.store2.pk}/products").json()
    assert elsewhere["is_member"] is False
    assert elsewhere["items"][0]["price_fen"] == 1000
    detail = api.get(f"{BASE}/shop/stores/{net.store.pk}/products/{product.pk}").json()
    assert detail["is_member"] is True
    assert detail["product"]["variants"][0]["channel_used"] == "member"


def test_shop_not_found_cases(client, net):
    draft = ProductFactory(brand=net.brand)
    on_sale, _ = on_sale_product(net.brand)
    assert_error(
        client.get(f"{BASE}/shop/stores/{net.store.pk}/products/{draft.pk}"), 404, "not_found"
    )
    assert_error(client.get(f"{BASE}/shop/stores/{net.dealer.pk}/products"), 404, "not_found")
    assert_error(client.get(f"{BASE}/shop/stores/999999/products"), 404, "not_found")
    net.store.status = OrgStatus.CLOSED
    net.store.save()
    assert_error(
        client.get(f"{BASE}/shop/stores/{net.store.pk}/products/{on_sale.pk}"), 404, "not_found"
    )


def test_shop_paging_and_category(client, net):
    drinks = CategoryFactory()
    tea = CategoryFactory(parent=drinks)
    for i in range(5):
        on_sale_product(net.brand, category=tea if i % 2 else None)
    page = client.get(
        f"{BASE}/shop/stores/{net.store.pk}/products", {"limit": 2, "offset": 2}
    ).json()
    assert (page["count"], len(page["items"])) == (5, 2)
    by_category = client.get(
        f"{BASE}/shop/stores/{net.store.pk}/products", {"category_id": drinks.pk}
    ).json()
    assert by_category["count"] == 2
    assert_error(
        client.get(f"{BASE}/shop/stores/{net.store.pk}/products", {"limit": 1000}), 400, "invalid"
    )


@pytest.mark.parametrize("count", [2, 20])
def test_shop_list_query_count_is_fixed(client, net, django_assert_num_queries, count):
    for i in range(count):
        product, variant = on_sale_product(net.brand, retail_fen=1000 + i)
        VariantFactory(product=product)  # a second variant, priced at the store
        set_price(product.variants.last(), net.store, 900 + i)
        set_price(variant, net.dealer, 950 + i, Channel.MEMBER)
    # store lookup, count, products, variants, images, prices (anonymous: no session query)
    with django_assert_num_queries(6):
        response = client.get(f"{BASE}/shop/stores/{net.store.pk}/products", {"limit": 50})
    assert len(response.json()["items"]) == count


@pytest.mark.parametrize("count", [2, 20])
def test_shop_list_query_count_for_a_member(as_user, net, django_assert_num_queries, count):
    for i in range(count):
        _, variant = on_sale_product(net.brand, retail_fen=1000 + i)
        set_price(variant, net.brand, 900 + i, Channel.MEMBER)
    api = as_user(net.consumer)
    api.get(f"{BASE}/categories")  # warm the session
    # + session, user, memberships
    with django_assert_num_queries(9):
        response = api.get(f"{BASE}/shop/stores/{net.store.pk}/products", {"limit": 50})
    assert [i["channel_used"] for i in response.json()["items"]] == ["member"] * count


def test_category_model_untouched_by_reads(client, net):
    client.get(f"{BASE}/categories")
    assert Category.objects.count() == 0


def test_shop_recognizes_a_caller_through_the_configured_authenticators(client, net):
    """The composition root hands the API's bearer authentication to ``shop_caller.use``."""
    from trispace.catalog.api import shop_caller

    _, variant = on_sale_product(net.brand, retail_fen=1000)
    set_price(variant, net.brand, 800, Channel.MEMBER)

    def bearer(request):
        if request.headers.get("Authorization") == "Bearer good":
            return net.consumer
        if request.headers.get("Authorization") == "Bearer broken":
            raise ValueError("bad token")
        return None

    previous = shop_caller.authenticators
    shop_caller.use(bearer)
    try:
        url = f"{BASE}/shop/stores/{net.store.pk}/products"
        assert client.get(url, HTTP_AUTHORIZATION="Bearer good").json()["is_member"] is True
        assert client.get(url, HTTP_AUTHORIZATION="Bearer broken").json()["is_member"] is False
        assert client.get(url).json()["items"][0]["price_fen"] == 1000
    finally:
        shop_caller.authenticators = previous
