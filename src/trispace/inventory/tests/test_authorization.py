"""The authorization matrix: every endpoint and page of inventory, for every kind of caller.

The target is always store a's shelf (under dealer a), holding some stock. A refused write must
change nothing at all; an allowed one must change something (so the case really writes).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse

from trispace.inventory import selectors
from trispace.inventory.tests.conftest import PERSONAS, stock_snapshot, stock_up

pytestmark = pytest.mark.django_db

API = "/api/inventory"


@dataclass(frozen=True)
class World:
    net: Any
    shelf: Any
    variant: Any


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    url: Callable[[World], str]
    statuses: tuple[int, ...]  # in PERSONAS order
    body: Callable[[World], dict[str, Any]] | None = None
    writes: frozenset[str] = frozenset()
    json: bool = True


def ok_for(statuses: tuple[int, ...], success: set[int]) -> frozenset[str]:
    return frozenset(p for p, s in zip(PERSONAS, statuses, strict=True) if s in success)


def api(name, method, url, statuses, body=None):
    writes = ok_for(statuses, {200, 201}) if method != "get" else frozenset()
    return Case(name, method, url, statuses, body, writes)


def page(name, method, url, statuses, body=None):
    writes = ok_for(statuses, {302}) - {"anonymous"} if method == "post" else frozenset()
    return Case(name, method, url, statuses, body, writes, json=False)


def at_shelf(**extra):
    return lambda w: {"location_id": w.shelf.pk, "variant_id": w.variant.pk, **extra}


def at_store(**extra):
    return lambda w: {"organization_id": w.net.store_a.pk, "variant_id": w.variant.pk, **extra}


def shelf_query(w: World) -> str:
    return f"?location_id={w.shelf.pk}"


IN_STORE_A = (401, 403, 200, 404, 200, 404, 200)
#            anonymous consumer owner other_owner dealer other_dealer brand
API_CASES = [
    api("stock", "get", lambda w: "/stock", (401, 403, 200, 200, 200, 200, 200)),
    api("stock at shelf", "get", lambda w: f"/stock{shelf_query(w)}", IN_STORE_A),
    api("moves", "get", lambda w: "/moves", (401, 403, 200, 200, 200, 200, 200)),
    api("moves at shelf", "get", lambda w: f"/moves{shelf_query(w)}", IN_STORE_A),
    api("locations", "get", lambda w: "/locations", (401, 403, 200, 200, 200, 200, 200)),
    api("receive", "post", lambda w: "/receive", IN_STORE_A, at_shelf(quantity=3)),
    api("receive by store", "post", lambda w: "/receive", IN_STORE_A, at_store(quantity=3)),
    api("adjust", "post", lambda w: "/adjust", IN_STORE_A, at_shelf(counted=4, reason="count")),
    api("adjust by store", "post", lambda w: "/adjust", IN_STORE_A, at_store(counted=4)),
    api("split", "post", lambda w: "/split", IN_STORE_A, at_shelf(shards=3)),
]


def u(name: str, query: Callable[[World], str] | None = None, *args: Any) -> Callable[[World], str]:
    def build(w: World) -> str:
        return reverse(f"console:{name}", args=[a(w) for a in args]) + (query(w) if query else "")

    return build


def location(w: World) -> str:
    return f"?location={w.shelf.pk}"


def shelf_pk(w: World) -> int:
    return w.shelf.pk


PAGE_IN_STORE_A = (302, 403, 200, 404, 200, 404, 200)
POST_IN_STORE_A = (302, 403, 302, 404, 302, 404, 302)
#            anonymous consumer owner other_owner dealer other_dealer brand
PAGE_CASES = [
    page("stock_list", "get", u("stock_list"), (302, 403, 200, 200, 200, 200, 200)),
    page("stock_list at shelf", "get", u("stock_list", location), PAGE_IN_STORE_A),
    page("stock_moves", "get", u("stock_moves", None, shelf_pk), PAGE_IN_STORE_A),
    page("stock_receive", "get", u("stock_receive"), (302, 403, 200, 200, 200, 200, 200)),
    page("stock_receive at shelf", "get", u("stock_receive", location), PAGE_IN_STORE_A),
    page(
        "stock_receive post",
        "post",
        u("stock_receive", location),
        POST_IN_STORE_A,
        lambda w: {"sku": w.variant.sku, "quantity": 2, "reason": "receive"},
    ),
    page(
        "stock_receive post by store",
        "post",
        u("stock_receive"),
        (302, 403, 302, 200, 302, 200, 302),  # store a is not among the others' choices
        lambda w: {
            "organization": w.net.store_a.pk,
            "sku": w.variant.sku,
            "quantity": 2,
            "reason": "receive",
        },
    ),
    page("stock_adjust at shelf", "get", u("stock_adjust", location), PAGE_IN_STORE_A),
    page(
        "stock_adjust post",
        "post",
        u("stock_adjust", location),
        POST_IN_STORE_A,
        lambda w: {"sku": w.variant.sku, "counted": 4},
    ),
    page("stock_split at shelf", "get", u("stock_split", location), PAGE_IN_STORE_A),
    page(
        "stock_split post",
        "post",
        u("stock_split", location),
        POST_IN_STORE_A,
        lambda w: {"sku": w.variant.sku, "shards": 3},
    ),
]


@pytest.fixture
def world(net, variant) -> World:
    shelf = selectors.location_for_store(net.store_a)
    stock_up(shelf, variant, 10)
    return World(net=net, shelf=shelf, variant=variant)


def run(case: Case, persona: str, world: World, client_for: Callable[[str], Any]) -> None:
    client = client_for(persona)
    expected = case.statuses[PERSONAS.index(persona)]
    before = stock_snapshot()
    body = case.body(world) if case.body else {}
    target = case.url(world)
    if case.json:
        kwargs = (
            {}
            if case.method == "get"
            else {"data": json.dumps(body), "content_type": "application/json"}
        )
        response = getattr(client, case.method)(f"{API}{target}", **kwargs)
    else:
        response = (
            getattr(client, case.method)(target, body)
            if body
            else getattr(client, case.method)(target)
        )
    assert response.status_code == expected, (case.name, persona, response.content[:300])
    if case.json and expected >= 400:
        assert set(response.json()) >= {"code", "message", "field"}
    if persona == "anonymous" and not case.json and expected == 302:
        assert response["Location"].startswith(reverse("console:login"))
    after = stock_snapshot()
    if persona in case.writes:
        assert after != before, (case.name, persona, "an allowed write changed nothing")
    else:
        assert after == before, (case.name, persona, "a refused request changed something")


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("case", API_CASES, ids=lambda c: c.name)
def test_api_matrix(world, client_for, case, persona):
    run(case, persona, world, client_for)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("case", PAGE_CASES, ids=lambda c: c.name)
def test_page_matrix(world, client_for, case, persona):
    run(case, persona, world, client_for)


@pytest.mark.parametrize(
    ("persona", "status"),
    [("salesperson", 403), ("store_clerk", 200), ("brand_operator", 200)],
)
def test_other_roles(world, client_for, persona, status):
    client = client_for(persona)
    assert client.get(f"{API}/stock{shelf_query(world)}").status_code == status
    assert client.get(reverse("console:stock_list")).status_code == status
