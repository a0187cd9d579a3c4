"""The authorization matrix: every endpoint and page of network, for every kind of caller.

The target is always store a (under dealer a) or its people. A refused write must change
nothing at all; an allowed one must change something (so the case really exercises the write).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse

from trispace.network.tests.conftest import PERSONAS, Net, snapshot

pytestmark = pytest.mark.django_db

API = "/api/network"


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    url: Callable[[Net], str]
    statuses: tuple[int, ...]  # in PERSONAS order
    body: Callable[[Net], dict[str, Any]] | None = None
    writes: frozenset[str] = frozenset()  # personas whose request changes something
    json: bool = True


def ok_for(statuses: tuple[int, ...], success: set[int]) -> frozenset[str]:
    return frozenset(p for p, s in zip(PERSONAS, statuses, strict=True) if s in success)


def api(name, method, url, statuses, body=None):
    writes = ok_for(statuses, {200, 201}) if method != "get" else frozenset()
    return Case(name, method, url, statuses, body, writes)


def page(name, method, url, statuses, body=None):
    writes = frozenset()
    if method == "post":
        writes = ok_for(statuses, {302}) - {"anonymous"}
    return Case(name, method, url, statuses, body, writes, json=False)


#                 anonymous consumer owner other_owner dealer other_dealer brand
API_CASES = [
    api("list", "get", lambda n: "/organizations", (401, 403, 200, 200, 200, 200, 200)),
    api(
        "get",
        "get",
        lambda n: f"/organizations/{n.store_a.pk}",
        (401, 403, 200, 404, 200, 404, 200),
    ),
    api(
        "create",
        "post",
        lambda n: "/organizations",
        (401, 403, 404, 404, 201, 404, 201),
        lambda n: {"kind": "store", "parent_id": n.dealer_a.pk, "name": "新店"},
    ),
    api(
        "update",
        "patch",
        lambda n: f"/organizations/{n.store_a.pk}",
        (401, 403, 403, 404, 200, 404, 200),
        lambda n: {"name": "改名"},
    ),
    api(
        "move",
        "post",
        lambda n: f"/organizations/{n.store_a.pk}/move",
        (401, 403, 404, 404, 200, 404, 200),
        lambda n: {"parent_id": n.sub_a.pk},
    ),
    api("tree", "get", lambda n: "/tree", (401, 403, 200, 200, 200, 200, 200)),
    api(
        "store status",
        "post",
        lambda n: f"/stores/{n.store_a.pk}/status",
        (401, 403, 200, 404, 200, 404, 200),
        lambda n: {"status": "paused"},
    ),
    api(
        "pickup hours",
        "put",
        lambda n: f"/stores/{n.store_a.pk}/pickup-hours",
        (401, 403, 200, 404, 200, 404, 200),
        lambda n: {"hours": [[0, "10:00", "11:00"]]},
    ),
    api("regions", "get", lambda n: "/regions?parent=330100", (200,) * 7),
    api("region", "get", lambda n: "/regions/330106", (200,) * 7),
    api("nearest", "get", lambda n: "/stores/nearest?lng=120.13&lat=30.28", (200,) * 7),
    api("store card", "get", lambda n: f"/stores/{n.store_a.pk}", (200,) * 7),
    api("people", "get", lambda n: "/memberships", (401, 403, 200, 200, 200, 200, 200)),
    api(
        "grant",
        "post",
        lambda n: "/memberships",
        (401, 403, 403, 404, 201, 404, 201),
        lambda n: {"phone": "13600001111", "organization_id": n.store_a.pk, "role": "store_clerk"},
    ),
    api(
        "revoke",
        "post",
        lambda n: f"/memberships/{n.memberships['store_clerk'].pk}/revoke",
        (401, 403, 403, 404, 200, 404, 200),
    ),
    api(
        "chain",
        "get",
        lambda n: f"/memberships/{n.memberships['salesperson'].pk}/chain",
        (401, 403, 404, 404, 200, 404, 200),
    ),
    api(
        "my store",
        "put",
        lambda n: "/me/store",
        (401, 200, 200, 200, 200, 200, 200),
        lambda n: {"store_id": n.store_b.pk},
    ),
]


def u(name: str, *args: Any, query: str = "") -> Callable[[Net], str]:
    def build(n: Net) -> str:
        return reverse(f"console:{name}", args=[a(n) if callable(a) else a for a in args]) + query

    return build


def store_a(n: Net) -> int:
    return n.store_a.pk


#                  anonymous consumer owner other_owner dealer other_dealer brand
PAGE_CASES = [
    page("org_list", "get", u("org_list"), (302, 403, 200, 200, 200, 200, 200)),
    page("org_detail", "get", u("org_detail", store_a), (302, 403, 200, 404, 200, 404, 200)),
    page(
        "org_create",
        "get",
        lambda n: u("org_create", query=f"?parent={n.dealer_a.pk}")(n),
        (302, 403, 403, 403, 200, 404, 200),
    ),
    page(
        "org_create post",
        "post",
        lambda n: u("org_create", query=f"?parent={n.dealer_a.pk}")(n),
        (302, 403, 403, 403, 302, 404, 302),
        lambda n: {"kind": "store", "name": "新店"},
    ),
    page("org_edit", "get", u("org_edit", store_a), (302, 403, 403, 404, 200, 404, 200)),
    page(
        "org_edit post",
        "post",
        u("org_edit", store_a),
        (302, 403, 403, 404, 302, 404, 302),
        lambda n: {"name": "改名", "code": n.store_a.code},
    ),
    page("org_move", "get", u("org_move", store_a), (302, 403, 403, 404, 200, 404, 200)),
    page(
        "org_move post",
        "post",
        u("org_move", store_a),
        (302, 403, 403, 404, 302, 404, 302),
        lambda n: {"parent": n.sub_a.pk},
    ),
    page(
        "store_status post",
        "post",
        u("store_status", store_a),
        (302, 403, 302, 404, 302, 404, 302),
        lambda n: {"status": "paused"},
    ),
    page("store_hours", "get", u("store_hours", store_a), (302, 403, 200, 404, 200, 404, 200)),
    page(
        "store_hours post",
        "post",
        u("store_hours", store_a),
        (302, 403, 302, 404, 302, 404, 302),
        lambda n: {"open_0": "10:00", "close_0": "11:00"},
    ),
    page("store_mine", "get", u("store_mine"), (302, 403, 200, 200, 403, 403, 403)),
    page("people_list", "get", u("people_list"), (302, 403, 200, 200, 200, 200, 200)),
    page("people_grant", "get", u("people_grant"), (302, 403, 403, 403, 200, 200, 200)),
    page(
        "people_grant post",
        "post",
        u("people_grant"),
        (302, 403, 403, 403, 302, 200, 302),  # store a is not among the other dealer's choices
        lambda n: {"phone": "13600001111", "organization": n.store_a.pk, "role": "store_clerk"},
    ),
    page(
        "people_revoke post",
        "post",
        lambda n: reverse("console:people_revoke", args=[n.memberships["store_clerk"].pk]),
        (302, 403, 403, 404, 302, 404, 302),
    ),
    page(
        "region_options",
        "get",
        u("region_options", query="?region_province=330000"),
        (302, 403, 200, 200, 200, 200, 200),
    ),
]


def run(case: Case, persona: str, net: Net, client_for: Callable[[str], Any]) -> None:
    client = client_for(persona)
    expected = case.statuses[PERSONAS.index(persona)]
    before = snapshot()
    body = case.body(net) if case.body else {}
    url = case.url(net)
    if case.json:
        kwargs = (
            {}
            if case.method == "get"
            else {"data": json.dumps(body), "content_type": "application/json"}
        )
        response = getattr(client, case.method)(f"{API}{url}", **kwargs)
    else:
        response = (
            getattr(client, case.method)(url, body) if body else getattr(client, case.method)(url)
        )
    assert response.status_code == expected, (case.name, persona, response.content[:300])
    if case.json and expected >= 400:
        assert set(response.json()) >= {"code", "message", "field"}
    if persona == "anonymous" and not case.json and expected == 302:
        assert response["Location"].startswith(reverse("console:login"))
    after = snapshot()
    if persona in case.writes:
        assert after != before, (case.name, persona, "an allowed write changed nothing")
    else:
        assert after == before, (case.name, persona, "a refused request changed something")


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("case", API_CASES, ids=lambda c: c.name)
def test_api_matrix(net, client_for, zhejiang, case, persona):
    run(case, persona, net, client_for)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("case", PAGE_CASES, ids=lambda c: c.name)
def test_page_matrix(net, client_for, zhejiang, case, persona):
    run(case, persona, net, client_for)
