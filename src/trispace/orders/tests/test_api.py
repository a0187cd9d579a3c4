"""The orders API: the buyer's flow, staff operations, idempotency, bad input, query counts."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from trispace.orders import tokens
from trispace.orders.models import AfterSale, Order
from trispace.orders.tests.factories import paid_order, place, settle, stocked
from trispace.payments import services as payments
from trispace.payments.models import Payment

pytestmark = pytest.mark.django_db

API = "/api/orders"


def send(client, method, url, body=None, **headers):
    return getattr(client, method)(
        f"{API}{url}",
        data=json.dumps(body if body is not None else {}),
        content_type="application/json",
        headers=headers or None,
    )


@pytest.fixture
def buyer(client_for):
    return client_for("consumer")


@pytest.fixture
def owner(client_for):
    return client_for("store_owner")


def test_the_buyer_flow_through_the_api(shop, buyer, owner, net):
    response = send(
        buyer,
        "post",
        "/cart/lines",
        {"store_id": shop.store.pk, "variant_id": shop.tea.pk, "quantity": 2},
    )
    assert response.status_code == 201, response.json()
    assert response.json()["subtotal_fen"] == 2000
    cart = buyer.get(f"{API}/cart?store_id={shop.store.pk}").json()
    assert [(i["variant_id"], i["quantity"]) for i in cart["items"]] == [(shop.tea.pk, 2)]

    placed = send(
        buyer, "post", "/orders", {"store_id": shop.store.pk}, **{"Idempotency-Key": "p1"}
    )
    assert placed.status_code == 201, placed.json()
    order = placed.json()
    assert order["total_fen"] == 2000
    assert order["status"] == "pending_payment"
    assert len(order["pickup_code"]) == 6
    assert tokens.order_id_from_token(order["qr_token"]) == order["id"]
    assert buyer.get(f"{API}/cart?store_id={shop.store.pk}").json()["items"] == []

    paying = send(buyer, "post", f"/orders/{order['id']}/pay", {"provider": "offline"})
    assert paying.status_code == 200, paying.json()
    assert paying.json()["action"] == "instructions"
    assert paying.json()["amount_fen"] == 2000
    with settle():
        payments.payment_confirm_offline(
            actor=net.user("store_owner"),
            payment=Payment.objects.get(pk=paying.json()["payment_id"]),
            reference="cash",
        )
    mine = buyer.get(f"{API}/orders").json()
    assert mine["count"] == 1
    assert mine["items"][0]["status"] == "paid"

    ready = send(owner, "post", f"/staff/orders/{order['id']}/ready")
    assert ready.json()["status"] == "ready_for_pickup"
    verified = send(
        owner,
        "post",
        f"/staff/stores/{shop.store.pk}/pickups/verify",
        {"code": order["pickup_code"]},
    )
    assert verified.status_code == 200, verified.json()
    assert verified.json()["status"] == "completed"
    detail = buyer.get(f"{API}/orders/{order['id']}").json()
    assert detail["pickup_code"] == detail["qr_token"] == ""  # nothing to pick up any more

    line_id = detail["lines"][0]["id"]
    asked = send(
        buyer,
        "post",
        f"/orders/{order['id']}/aftersales",
        {"lines": [{"line_id": line_id, "quantity": 1}], "reason": "one was broken"},
    )
    assert asked.status_code == 201, asked.json()
    assert asked.json()["amount_fen"] == 1000
    with settle():
        approved = send(owner, "post", f"/staff/aftersales/{asked.json()['id']}/approve")
    assert approved.status_code == 200, approved.json()
    assert approved.json()["status"] in {"refunding", "refunded"}
    detail = buyer.get(f"{API}/orders/{order['id']}").json()
    assert detail["refunded_fen"] == 1000
    assert detail["aftersales"][0]["status"] == "refunded"
    assert detail["lines"][0]["refunded_quantity"] == 1


def test_placing_with_the_same_key_replays_and_another_body_is_409(shop, buyer):
    body = {"store_id": shop.store.pk, "lines": [{"variant_id": shop.tea.pk, "quantity": 1}]}
    first = send(buyer, "post", "/orders", body, **{"Idempotency-Key": "k1"})
    again = send(buyer, "post", "/orders", body, **{"Idempotency-Key": "k1"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again["Idempotency-Replayed"] == "true"
    assert Order.objects.count() == 1
    other = {**body, "lines": [{"variant_id": shop.tea.pk, "quantity": 2}]}
    reused = send(buyer, "post", "/orders", other, **{"Idempotency-Key": "k1"})
    assert reused.status_code == 409
    assert reused.json()["code"] == "idempotency_key_reused"
    assert Order.objects.count() == 1


def test_paying_and_refund_requests_honour_the_key(shop, buyer):
    order = place(shop)
    url = f"/orders/{order.pk}/pay"
    first = send(buyer, "post", url, {"provider": "offline"}, **{"Idempotency-Key": "pay-1"})
    again = send(buyer, "post", url, {"provider": "offline"}, **{"Idempotency-Key": "pay-1"})
    assert first.json() == again.json()
    assert Payment.objects.count() == 1
    paid = paid_order(shop)
    url = f"/orders/{paid.pk}/aftersales"
    for _ in range(2):
        response = send(buyer, "post", url, {"reason": "x"}, **{"Idempotency-Key": "as-1"})
        assert response.status_code == 201
    assert AfterSale.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({}, 400, "invalid"),
        ({"store_id": "x"}, 400, "invalid"),
        ({"store_id": 1, "lines": [{"variant_id": 1}]}, 400, "invalid"),
        ({"store_id": 1, "lines": [{"variant_id": 1, "quantity": "2"}]}, 400, "invalid"),
        ({"store_id": 10**9, "lines": []}, 404, "not_found"),
        ({"store_id": 0, "fulfilment": "drone"}, 400, "invalid"),
    ],
)
def test_bad_input_is_4xx_json(shop, buyer, body, status, code):
    response = send(buyer, "post", "/orders", body)
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert not Order.objects.exists()


def test_domain_refusals_are_4xx_json(shop, buyer, net):
    scarce = stocked(net, stock=1)
    body = {"store_id": shop.store.pk, "lines": [{"variant_id": scarce.pk, "quantity": 2}]}
    response = send(buyer, "post", "/orders", body)
    assert response.status_code == 409
    assert response.json()["code"] == "out_of_stock"
    response = send(buyer, "post", "/orders", {"store_id": shop.store.pk, "lines": []})
    assert (response.status_code, response.json()["code"]) == (400, "cart_empty")
    not_json = buyer.post(f"{API}/orders", data="{", content_type="application/json")
    assert not_json.status_code == 400


def test_other_peoples_orders_are_404(shop, client_for):
    order = place(shop)
    stranger = client_for("other_store_owner")
    assert stranger.get(f"{API}/orders/{order.pk}").status_code == 404
    assert send(stranger, "post", f"/orders/{order.pk}/cancel").status_code == 404
    assert (
        send(stranger, "post", f"/orders/{order.pk}/pay", {"provider": "offline"}).status_code
        == 404
    )
    assert stranger.get(f"{API}/staff/orders/{order.pk}").status_code == 404
    order.refresh_from_db()
    assert order.status == "pending_payment"


def test_staff_filters(shop, client_for, net):
    first = paid_order(shop)
    place(shop, [(shop.cake, 1)])
    dealer = client_for("dealer_admin")
    body = dealer.get(f"{API}/staff/orders?status=paid").json()
    assert [item["id"] for item in body["items"]] == [first.pk]
    assert body["items"][0]["buyer_phone"].count("*") == 4
    assert dealer.get(f"{API}/staff/orders?store_id={shop.store.pk}").json()["count"] == 2
    assert dealer.get(f"{API}/staff/orders?store_id={net.store_b.pk}").status_code == 404
    assert dealer.get(f"{API}/staff/orders?channel=retail").json()["count"] == 0
    assert dealer.get(f"{API}/staff/orders?channel=member").json()["count"] == 2
    assert dealer.get(f"{API}/staff/orders?q={first.number}").json()["count"] == 1
    assert (
        dealer.get(f"{API}/staff/orders?date_from=2000-01-01&date_to=2000-01-02").json()["count"]
        == 0
    )
    assert dealer.get(f"{API}/staff/orders?date_from=nonsense").status_code == 400
    other = client_for("other_dealer_admin")
    assert other.get(f"{API}/staff/orders").json()["count"] == 0


def test_staff_detail_has_the_timeline(shop, owner):
    order = paid_order(shop)
    detail = owner.get(f"{API}/staff/orders/{order.pk}").json()
    assert [e["title"] for e in detail["timeline"] if e["kind"] == "status"] == [
        "pending_payment → paid"
    ]
    assert {"order_place", "order_paid"} <= {e["title"] for e in detail["timeline"]}


def test_verify_by_phone_tail_candidates(shop, owner):
    order = paid_order(shop)
    tail = shop.buyer.phone[-4:]
    found = owner.get(f"{API}/staff/stores/{shop.store.pk}/pickups/candidates?phone_tail={tail}")
    assert [c["order_id"] for c in found.json()] == [order.pk]
    today = owner.get(f"{API}/staff/stores/{shop.store.pk}/pickups/today").json()
    assert [o["id"] for o in today] == [order.pk]
    send(owner, "post", f"/staff/stores/{shop.store.pk}/pickups/verify", {"order_id": order.pk})
    again = send(
        owner, "post", f"/staff/stores/{shop.store.pk}/pickups/verify", {"order_id": order.pk}
    )
    assert (again.status_code, again.json()["code"]) == (409, "already_picked_up")


def _count(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_list_and_detail_query_counts_are_pinned(shop, buyer, owner, net):
    orders = [paid_order(shop, [(shop.tea, 1), (shop.cake, 1)])]
    services_request(shop, orders[0])
    small = {
        "mine": _count(buyer, f"{API}/orders"),
        "staff": _count(owner, f"{API}/staff/orders"),
        "detail": _count(buyer, f"{API}/orders/{orders[0].pk}"),
        "staff_detail": _count(owner, f"{API}/staff/orders/{orders[0].pk}"),
        "aftersales": _count(owner, f"{API}/staff/aftersales"),
    }
    for _ in range(5):
        order = paid_order(shop, [(shop.tea, 1), (shop.cake, 2), (stocked(net), 1)])
        services_request(shop, order)
    big = {
        "mine": _count(buyer, f"{API}/orders"),
        "staff": _count(owner, f"{API}/staff/orders"),
        "detail": _count(buyer, f"{API}/orders/{order.pk}"),
        "staff_detail": _count(owner, f"{API}/staff/orders/{order.pk}"),
        "aftersales": _count(owner, f"{API}/staff/aftersales"),
    }
    assert small == big == PINNED


def services_request(shop, order):
    from trispace.orders import services

    services.aftersale_request(actor=shop.buyer, order=order, reason="x")


# Lists: session, user, (scope,) count, page, lines. Details: session, user, (scope,) order,
# lines, after-sales, their lines (+ the timeline: after-sale ids, state changes, audit rows).
PINNED = {"mine": 5, "staff": 6, "detail": 6, "staff_detail": 10, "aftersales": 6}


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("get", "/orders/99999999999999999999999", None),
        ("get", "/staff/orders/99999999999999999999999", None),
        ("post", "/orders/99999999999999999999999/cancel", {}),
        ("get", "/staff/orders?store_id=abc", None),
        ("get", "/staff/orders?store_id=99999999999999999999999", None),
        ("get", "/cart?store_id=99999999999999999999999", None),
        ("patch", "/cart/lines/1", {"quantity": "x"}),
        ("patch", "/cart/lines/99999999999999999999999", {"quantity": 1}),
        ("post", "/cart/lines", {"store_id": 1, "variant_id": 99999999999999999999999}),
        ("post", "/orders", {"store_id": 99999999999999999999999}),
        ("post", "/orders/1/aftersales", {"lines": [{"line_id": 10**25, "quantity": 1}]}),
        ("get", "/staff/stores/1/pickups/candidates?phone_tail=12345", None),
        ("post", "/staff/stores/1/pickups/verify", {"order_id": 10**25}),
        ("post", "/staff/aftersales/99999999999999999999999/approve", {}),
    ],
)
def test_nonsense_is_a_4xx_never_a_500(shop, client_for, method, url, body):
    for persona in ("consumer", "brand_admin"):
        client = client_for(persona)
        if body is None:
            response = getattr(client, method)(f"{API}{url}")
        else:
            response = send(client, method, url, body)
        assert 400 <= response.status_code < 500, (persona, response.content[:200])
        assert "code" in response.json()
