import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from trispace.catalog.tests.factories import on_sale_product
from trispace.inventory import selectors
from trispace.inventory.models import Location
from trispace.inventory.services import reserve
from trispace.inventory.tests.conftest import (
    assert_books_balance,
    shard_rows,
    stock_snapshot,
    stock_up,
    totals,
)
from trispace.network.tests.factories import BrandFactory

pytestmark = pytest.mark.django_db

API = "/api/inventory"


def post(client, url, body):
    return client.post(f"{API}{url}", data=json.dumps(body), content_type="application/json")


@pytest.fixture
def owner(client_for):
    return client_for("store_owner")


@pytest.fixture
def brand(client_for):
    return client_for("brand_admin")


def test_stock_list_is_scoped_paginated_and_filtered(net, shelf, variant, variant2, owner, brand):
    stock_up(shelf, variant, 20, shards=2)
    stock_up(shelf, variant2, 3)
    stock_up(selectors.location_for_store(net.store_b), variant, 7)
    reserve(actor=None, location=shelf, lines=[(variant.pk, 4)], reference="order:1")
    body = owner.get(f"{API}/stock").json()
    assert body["count"] == 2
    item = next(i for i in body["items"] if i["variant_id"] == variant.pk)
    assert item == {
        "location_id": shelf.pk,
        "location_name": shelf.name,
        "organization_name": net.store_a.name,
        "variant_id": variant.pk,
        "sku": variant.sku,
        "variant_name": variant.name,
        "product_name": variant.product.name,
        "on_hand": 20,
        "reserved": 4,
        "available": 16,
        "shards": 2,
    }
    assert brand.get(f"{API}/stock").json()["count"] == 3
    assert brand.get(f"{API}/stock?page_size=1&page=2").json()["count"] == 3
    assert len(brand.get(f"{API}/stock?page_size=1&page=2").json()["items"]) == 1
    assert brand.get(f"{API}/stock?location_id={shelf.pk}").json()["count"] == 2
    low = owner.get(f"{API}/stock?low=true").json()
    assert [i["variant_id"] for i in low["items"]] == [variant2.pk]
    assert owner.get(f"{API}/stock?low=true&threshold=16").json()["count"] == 2
    assert owner.get(f"{API}/stock?q={variant2.sku}").json()["count"] == 1


def test_stock_list_query_count_is_pinned(net, shelf, brand):
    stock_up(shelf, on_sale_product(net.brand)[1], 5)
    brand.get(f"{API}/stock")  # warm the session
    with CaptureQueriesContext(connection) as small:
        assert brand.get(f"{API}/stock").status_code == 200
    for _ in range(12):
        stock_up(shelf, on_sale_product(net.brand)[1], 5, shards=3)
    with CaptureQueriesContext(connection) as large:
        assert brand.get(f"{API}/stock").json()["count"] == 13
    assert len(large) == len(small) == 5  # session, user, scope, count, page


def test_moves_list(net, shelf, variant, owner):
    stock_up(shelf, variant, 10)
    reserve(actor=None, location=shelf, lines=[(variant.pk, 2)], reference="order:5")
    body = owner.get(f"{API}/moves?location_id={shelf.pk}").json()
    assert body["count"] == 2
    first = body["items"][0]
    assert first["reason"] == "reserve"
    assert (first["delta_on_hand"], first["delta_reserved"]) == (0, 2)
    assert first["reference"] == "order:5"
    assert first["sku"] == variant.sku
    assert owner.get(f"{API}/moves?reason=receive").json()["count"] == 1
    assert owner.get(f"{API}/moves?reference=order:5").json()["count"] == 1
    assert owner.get(f"{API}/moves?variant_id={variant.pk}").json()["count"] == 2
    assert owner.get(f"{API}/moves?reason=bogus").status_code == 400


def test_locations_list(net, shelf, owner, brand):
    selectors.location_for_store(net.store_b)
    assert [i["id"] for i in owner.get(f"{API}/locations").json()["items"]] == [shelf.pk]
    assert brand.get(f"{API}/locations").json()["count"] == 2


def test_receive_by_organization_makes_the_default_shelf(net, variant, owner):
    response = post(
        owner,
        "/receive",
        {"organization_id": net.store_a.pk, "variant_id": variant.pk, "quantity": 8},
    )
    assert response.status_code == 200, response.content
    shelf = Location.objects.get(organization=net.store_a)
    assert response.json() == {
        "location_id": shelf.pk,
        "variant_id": variant.pk,
        "on_hand": 8,
        "reserved": 0,
        "available": 8,
        "shards": 1,
    }
    again = post(
        owner,
        "/receive",
        {
            "location_id": shelf.pk,
            "variant_id": variant.pk,
            "quantity": 2,
            "reason": "return",
            "reference": "order:3",
        },
    )
    assert again.json()["on_hand"] == 10
    assert_books_balance()


def test_adjust_and_split(net, shelf, variant, client_for):
    stock_up(shelf, variant, 10)
    reserve(actor=None, location=shelf, lines=[(variant.pk, 4)], reference="order:1")
    dealer = client_for("dealer_admin")
    counted = post(
        dealer,
        "/adjust",
        {"location_id": shelf.pk, "variant_id": variant.pk, "counted": 9, "reason": "盘点"},
    )
    assert counted.status_code == 200
    assert (counted.json()["on_hand"], counted.json()["available"]) == (9, 5)
    below = post(
        dealer, "/adjust", {"location_id": shelf.pk, "variant_id": variant.pk, "counted": 3}
    )
    assert below.status_code == 409
    assert below.json()["code"] == "stock_below_reserved"
    assert below.json()["field"] == "counted"
    split = post(dealer, "/split", {"location_id": shelf.pk, "variant_id": variant.pk, "shards": 4})
    assert split.status_code == 200
    assert split.json()["shards"] == 4
    assert totals(shelf, variant) == (9, 4)
    assert len(shard_rows(shelf, variant)) == 4
    assert_books_balance()


@pytest.mark.parametrize(
    ("url", "body", "status", "field"),
    [
        ("/receive", {"quantity": 1, "variant_id": ...}, 400, "variant_id"),
        ("/receive", {"variant_id": "V", "quantity": 1}, 400, "variant_id"),
        ("/receive", {"quantity": 0}, 400, "quantity"),
        ("/receive", {"quantity": 10**7}, 400, "quantity"),
        ("/receive", {"quantity": "many"}, 400, "quantity"),
        ("/receive", {"quantity": 1, "reason": "gift"}, 400, "reason"),
        ("/receive", {"quantity": 1, "reference": "x" * 101}, 400, "reference"),
        ("/receive", {"quantity": 1, "location_id": ...}, 400, "location_id"),
        ("/receive", {"quantity": 1, "variant_id": 999_999}, 404, "variant_id"),
        ("/receive", {"quantity": 1, "location_id": 999_999}, 404, "location"),
        (
            "/receive",
            {"quantity": 1, "location_id": ..., "organization_id": 999_999},
            404,
            "organization_id",
        ),
        ("/adjust", {"counted": -1}, 400, "counted"),
        ("/adjust", {"counted": 1, "reason": "x" * 256}, 400, "reason"),
        ("/split", {"shards": 0}, 400, "shards"),
        ("/split", {"shards": 65}, 400, "shards"),
    ],
)
def test_bad_input_is_a_4xx_json_and_changes_nothing(
    net, shelf, variant, owner, url, body, status, field
):
    payload = {"location_id": shelf.pk, "variant_id": variant.pk, **body}
    payload = {k: v for k, v in payload.items() if v is not ...}  # ... = left out
    before = stock_snapshot()
    response = post(owner, url, payload)
    assert response.status_code == status, response.content
    assert response.json()["field"] == field
    assert set(response.json()) >= {"code", "message", "field"}
    assert stock_snapshot() == before


def test_broken_json_is_400(shelf, owner):
    response = owner.post(f"{API}/receive", data="{nope", content_type="application/json")
    assert response.status_code == 400


def test_another_brands_variant_is_404_and_makes_no_shelf(net, owner):
    _, foreign = on_sale_product(BrandFactory())
    before = stock_snapshot()
    response = post(
        owner,
        "/receive",
        {"organization_id": net.store_a.pk, "variant_id": foreign.pk, "quantity": 1},
    )
    assert response.status_code == 404
    assert response.json()["code"] == "variant_not_found"
    assert stock_snapshot() == before  # the shelf made for it was rolled back


def test_moves_cannot_be_changed_through_the_api(shelf, variant, brand):
    stock_up(shelf, variant, 1)
    for method in ("put", "patch", "delete"):
        response = getattr(brand, method)(f"{API}/moves", content_type="application/json")
        assert response.status_code == 405
