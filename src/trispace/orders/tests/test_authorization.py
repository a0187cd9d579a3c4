"""The authorization matrix of the orders API: every operation, every kind of caller.

The targets are orders at store a (under dealer a): the consumer's own (unpaid, paid, a paid
delivery order, one with a refund request) and another consumer's. A refused write must change
nothing at all; an allowed one must change something (so the case exercises the write).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import models

from trispace.inventory.models import Stock
from trispace.kernel.models import AuditLog, OutboxEvent, StateChange
from trispace.network.models import Role
from trispace.network.tests.conftest import PERSONAS
from trispace.network.tests.factories import MembershipFactory, UserFactory
from trispace.orders import services
from trispace.orders.models import AfterSale, Cart, CartLine, Order, OrderLine
from trispace.orders.tests.factories import paid_order, place
from trispace.payments.models import Payment, Refund

pytestmark = pytest.mark.django_db

API = "/api/orders"
ADDRESS = {"name": "王五", "phone": "13912345678", "region_code": "330106", "detail": "文三路1号"}


@dataclass
class World:
    unpaid: Order  # the consumer's
    paid: Order  # the consumer's
    delivery: Order  # the consumer's, paid
    disputed: AfterSale  # a refund request on another paid order of the consumer
    theirs: Order  # another consumer's, unpaid
    store_id: int
    variant_id: int


@pytest.fixture
def world(shop, net, zhejiang) -> World:
    other = UserFactory(name="别人")
    MembershipFactory(user=other, organization=net.store_a, role=Role.CONSUMER)
    disputed_order = paid_order(shop)
    return World(
        unpaid=place(shop),
        paid=paid_order(shop),
        delivery=paid_order(shop, fulfilment="delivery", address=ADDRESS),
        disputed=services.aftersale_request(
            actor=shop.buyer, order=disputed_order, reason="broken"
        ),
        theirs=place(shop, buyer=other),
        store_id=net.store_a.pk,
        variant_id=shop.tea.pk,
    )


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    url: Callable[[World], str]
    statuses: tuple[int, ...]  # in PERSONAS order
    body: Callable[[World], dict[str, Any]] | None = None

    @property
    def writes(self) -> bool:
        return self.method != "get"


#  anonymous consumer owner other_owner dealer other_dealer brand
BUYER_ONLY = (401, 200, 404, 404, 404, 404, 404)
NOBODY = (401, 404, 404, 404, 404, 404, 404)
SELLER = (401, 403, 200, 404, 200, 404, 200)
STAFF = (401, 403, 200, 200, 200, 200, 200)

CASES = [
    Case("cart", "get", lambda w: f"/cart?store_id={w.store_id}", (401, *(200,) * 6)),
    Case(
        "cart add",
        "post",
        lambda w: "/cart/lines",
        (401, *(201,) * 6),
        lambda w: {"store_id": w.store_id, "variant_id": w.variant_id},
    ),
    Case(
        "place",
        "post",
        lambda w: "/orders",
        (401, *(201,) * 6),
        lambda w: {"store_id": w.store_id, "lines": [{"variant_id": w.variant_id, "quantity": 1}]},
    ),
    Case("my orders", "get", lambda w: "/orders", (401, *(200,) * 6)),
    Case("my order", "get", lambda w: f"/orders/{w.paid.pk}", BUYER_ONLY),
    Case("their order", "get", lambda w: f"/orders/{w.theirs.pk}", NOBODY),
    Case("cancel", "post", lambda w: f"/orders/{w.unpaid.pk}/cancel", BUYER_ONLY),
    Case("cancel theirs", "post", lambda w: f"/orders/{w.theirs.pk}/cancel", NOBODY),
    Case(
        "pay",
        "post",
        lambda w: f"/orders/{w.unpaid.pk}/pay",
        BUYER_ONLY,
        lambda w: {"provider": "offline"},
    ),
    Case(
        "pay theirs",
        "post",
        lambda w: f"/orders/{w.theirs.pk}/pay",
        NOBODY,
        lambda w: {"provider": "offline"},
    ),
    Case(
        "refund request",
        "post",
        lambda w: f"/orders/{w.paid.pk}/aftersales",
        (401, 201, 404, 404, 404, 404, 404),
        lambda w: {"reason": "broken"},
    ),
    Case("staff list", "get", lambda w: "/staff/orders", STAFF),
    Case("staff detail", "get", lambda w: f"/staff/orders/{w.paid.pk}", SELLER),
    Case("mark ready", "post", lambda w: f"/staff/orders/{w.paid.pk}/ready", SELLER),
    Case(
        "ship",
        "post",
        lambda w: f"/staff/orders/{w.delivery.pk}/ship",
        SELLER,
        lambda w: {"tracking_no": "SF123456"},
    ),
    Case(
        "verify",
        "post",
        lambda w: f"/staff/stores/{w.store_id}/pickups/verify",
        SELLER,
        lambda w: {"order_id": w.paid.pk},
    ),
    Case(
        "candidates",
        "get",
        lambda w: f"/staff/stores/{w.store_id}/pickups/candidates?phone_tail=0000",
        SELLER,
    ),
    Case("today", "get", lambda w: f"/staff/stores/{w.store_id}/pickups/today", SELLER),
    Case("after-sales", "get", lambda w: "/staff/aftersales", STAFF),
    Case("approve", "post", lambda w: f"/staff/aftersales/{w.disputed.pk}/approve", SELLER),
    Case(
        "reject",
        "post",
        lambda w: f"/staff/aftersales/{w.disputed.pk}/reject",
        SELLER,
        lambda w: {"reason": "used"},
    ),
]


def snapshot() -> dict[str, Any]:
    def rows(model: type[models.Model], *fields: str) -> list[tuple[Any, ...]]:
        return list(model.objects.order_by("pk").values_list("pk", *fields))

    return {
        "orders": rows(Order, "status", "refunded_fen", "tracking_no"),
        "lines": rows(OrderLine, "pending_quantity", "refunded_quantity"),
        "aftersales": rows(AfterSale, "status"),
        "carts": rows(CartLine, "quantity") + rows(Cart, "user_id"),
        "payments": rows(Payment, "status"),
        "refunds": rows(Refund, "status"),
        "stock": rows(Stock, "on_hand", "reserved"),
        "audit": AuditLog.objects.count(),
        "events": OutboxEvent.objects.count(),
        "state_changes": StateChange.objects.count(),
    }


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_matrix(world, client_for, case, persona):
    expected = case.statuses[PERSONAS.index(persona)]
    client = client_for(persona)
    before = snapshot()
    body = case.body(world) if case.body else {}
    url = f"{API}{case.url(world)}"
    if case.method == "get":
        response = client.get(url)
    else:
        response = getattr(client, case.method)(
            url, data=json.dumps(body), content_type="application/json"
        )
    assert response.status_code == expected, (persona, response.content[:300])
    assert "code" in response.json() or response.status_code < 300
    after = snapshot()
    if case.writes and expected >= 400:
        assert after == before, f"{case.name} refused for {persona} but changed something"
    if case.writes and expected < 300:
        assert after != before, f"{case.name} allowed for {persona} but changed nothing"
