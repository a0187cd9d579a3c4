import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from trispace.kernel import time as ktime
from trispace.network.models import Membership, Organization
from trispace.network.tests.conftest import snapshot
from trispace.network.tests.factories import SalespersonFactory, StoreFactory

pytestmark = pytest.mark.django_db

API = "/api/network"


def send(client, method, url, body=None):
    return getattr(client, method)(
        f"{API}{url}", data=json.dumps(body or {}), content_type="application/json"
    )


@pytest.fixture
def brand(client_for):
    return client_for("brand_admin")


@pytest.fixture
def dealer(client_for):
    return client_for("dealer_admin")


def test_list_filters_and_paginates(net, dealer):
    response = dealer.get(f"{API}/organizations?kind=store")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert {item["name"] for item in body["items"]} == {"文三路店", "北山街店"}
    item = next(i for i in body["items"] if i["name"] == "文三路店")
    assert item["parent_id"] == net.dealer_a.pk
    assert item["kind"] == "store"
    assert dealer.get(f"{API}/organizations?page_size=1&page=2").json()["count"] == 4
    assert len(dealer.get(f"{API}/organizations?page_size=1&page=2").json()["items"]) == 1
    assert dealer.get(f"{API}/organizations?within={net.sub_a.pk}").json()["count"] == 2
    assert dealer.get(f"{API}/organizations?within={net.dealer_b.pk}").status_code == 404


def test_list_query_count_does_not_grow_with_rows(net, brand, zhejiang):
    brand.get(f"{API}/organizations")  # warm the session
    with CaptureQueriesContext(connection) as small:
        assert brand.get(f"{API}/organizations").status_code == 200
    for _ in range(15):
        StoreFactory(parent=net.dealer_b, region_id="330106")
    with CaptureQueriesContext(connection) as large:
        assert brand.get(f"{API}/organizations").json()["count"] == 22
    assert len(large) == len(small) == 5  # session, user, scope, count, page


def test_memberships_query_count_is_pinned(net, brand):
    brand.get(f"{API}/memberships")
    with CaptureQueriesContext(connection) as small:
        brand.get(f"{API}/memberships")
    boss = SalespersonFactory(organization=net.dealer_a, sales_rank="manager")
    for _ in range(6):
        SalespersonFactory(organization=net.dealer_a, manager=boss)
    with CaptureQueriesContext(connection) as large:
        body = brand.get(f"{API}/memberships").json()
    assert body["count"] == 8 + 7
    assert len(large) == len(small) == 5


def test_create_get_update(net, dealer, zhejiang):
    response = send(
        dealer,
        "post",
        "/organizations",
        {
            "kind": "store",
            "parent_id": net.dealer_a.pk,
            "name": "古荡店",
            "region_code": "330106",
            "lng": 120.11,
            "lat": 30.28,
            "contact_phone": "13912345678",
            "pickup_hours": [[0, "09:00", "18:00"]],
        },
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["region_code"] == "330106"
    assert created["region_name"] == "西湖区"
    assert created["contact_phone"] == "+8613912345678"
    org_id = created["id"]
    assert dealer.get(f"{API}/organizations/{org_id}").json()["name"] == "古荡店"

    response = send(dealer, "patch", f"/organizations/{org_id}", {"address": "古墩路 1 号"})
    assert response.status_code == 200
    assert response.json()["address"] == "古墩路 1 号"
    assert response.json()["name"] == "古荡店"


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"region_code": "999999"}, 400, "region_unknown", "region_code"),
        ({"lng": -120.1, "lat": 30.2}, 400, "coordinates_invalid", "lng"),
        ({"lng": 120.1, "lat": 91}, 400, "coordinates_invalid", "lat"),
        ({"lng": 120.1}, 400, "coordinates_invalid", "lat"),
        ({"lng": "east", "lat": 30}, 400, "invalid", "lng"),
        ({"contact_phone": "123"}, 400, "phone_invalid", "contact_phone"),
        ({"pickup_hours": [[9, "09:00", "10:00"]]}, 400, "hours_invalid", "pickup_hours"),
        ({"pickup_hours": "always"}, 400, "invalid", "pickup_hours"),
        ({"kind": "warehouse"}, 400, "org_kind_invalid", "kind"),
        ({"parent_id": "abc"}, 400, "invalid", "parent_id"),
        ({"parent_id": 999999}, 404, "not_found", "parent_id"),
        ({"name": ""}, 400, "name_invalid", "name"),
        ({"name": None}, 400, "invalid", "name"),
        ({"code": "D00002"}, 409, "code_taken", "code"),
    ],
)
def test_bad_input_is_a_4xx_json_and_changes_nothing(
    net, dealer, zhejiang, body, status, code, field
):
    payload = {"kind": "store", "parent_id": net.dealer_a.pk, "name": "新店", **body}
    if body.get("code") == "D00002":
        payload["code"] = net.dealer_a.code
    before = snapshot()
    response = send(dealer, "post", "/organizations", payload)
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert response.json()["field"] == field
    assert snapshot() == before


def test_not_json_at_all_is_a_400(net, dealer):
    response = dealer.post(f"{API}/organizations", data="{", content_type="application/json")
    assert response.status_code == 400


def test_move_and_refusals(net, brand):
    response = send(
        brand, "post", f"/organizations/{net.sub_a.pk}/move", {"parent_id": net.dealer_b.pk}
    )
    assert response.status_code == 200
    assert response.json()["parent_id"] == net.dealer_b.pk
    store_a2 = Organization.objects.get(pk=net.store_a2.pk)
    assert store_a2.path.startswith(Organization.objects.get(pk=net.dealer_b.pk).path)

    before = snapshot()
    cycle = send(
        brand, "post", f"/organizations/{net.dealer_b.pk}/move", {"parent_id": net.sub_a.pk}
    )
    assert cycle.status_code == 409
    assert cycle.json() == {
        "code": "org_cycle",
        "message": cycle.json()["message"],
        "field": "parent",
    }
    kind = send(
        brand, "post", f"/organizations/{net.dealer_a.pk}/move", {"parent_id": net.store_b.pk}
    )
    assert (kind.status_code, kind.json()["code"]) == (400, "org_kind_invalid")
    assert snapshot() == before


def test_tree(net, dealer):
    body = dealer.get(f"{API}/tree").json()
    [root] = body["roots"]
    assert root["id"] == net.dealer_a.pk
    assert root["store_count"] == 2
    body = dealer.get(f"{API}/tree?root={net.sub_a.pk}&stores=false").json()
    assert body["roots"][0]["children"] == []
    assert dealer.get(f"{API}/tree?root={net.brand.pk}").status_code == 404


def test_store_status_and_hours(net, client_for):
    owner = client_for("store_owner")
    response = send(
        owner, "post", f"/stores/{net.store_a.pk}/status", {"status": "paused", "reason": "装修"}
    )
    assert (response.status_code, response.json()["status"]) == (200, "paused")
    response = send(owner, "post", f"/stores/{net.store_a.pk}/status", {"status": "closed"})
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    response = send(
        owner, "put", f"/stores/{net.store_a.pk}/pickup-hours", {"hours": [[6, "10:00", "16:00"]]}
    )
    assert response.json()["pickup_hours"] == [[6, "10:00", "16:00"]]
    response = send(
        owner, "put", f"/stores/{net.store_a.pk}/pickup-hours", {"hours": [[6, "16:00", "10:00"]]}
    )
    assert (response.status_code, response.json()["code"]) == (400, "hours_invalid")
    response = send(owner, "post", f"/stores/{net.store_b.pk}/status", {"status": "paused"})
    assert response.status_code == 404
    brand = client_for("brand_admin")
    response = send(brand, "post", f"/stores/{net.dealer_a.pk}/status", {"status": "paused"})
    assert response.status_code == 404  # not a store


def test_public_endpoints(net, client_for, zhejiang):
    anonymous = client_for("anonymous")
    provinces = anonymous.get(f"{API}/regions").json()
    assert provinces == [
        {
            "code": "330000",
            "name": "浙江省",
            "level": 1,
            "parent_code": None,
            "lng": 120.152585,
            "lat": 30.266597,
        }
    ]
    districts = anonymous.get(f"{API}/regions?parent=330100").json()
    assert "330106" in [d["code"] for d in districts]
    assert anonymous.get(f"{API}/regions/330106").json()["parent_code"] == "330100"
    assert anonymous.get(f"{API}/regions/999999").status_code == 404

    with ktime.freeze(ktime.at_local(ktime.business_date(), ktime.dt.time(10, 0))):
        nearest = anonymous.get(f"{API}/stores/nearest?lng=120.13&lat=30.28&limit=2").json()
    assert [s["id"] for s in nearest] == [net.store_a.pk, net.store_a2.pk]
    assert nearest[0]["distance_m"] == 0
    assert nearest[0]["open_now"] is True
    assert "contact_phone" not in nearest[0]
    card = anonymous.get(f"{API}/stores/{net.store_a.pk}").json()
    assert card["name"] == "文三路店"
    assert "contact_phone" not in card
    assert anonymous.get(f"{API}/stores/{net.dealer_a.pk}").status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "lng=-120&lat=30",
        "lng=120&lat=100",
        "lng=abc&lat=30",
        "lat=30",
        "lng=120.1&lat=30.2&limit=0",
        "lng=120.1&lat=30.2&limit=1000",
        "lng=120.1&lat=30.2&max_km=-1",
        "lng=nan&lat=30",
        "lng=inf&lat=30",
    ],
)
def test_nearest_bad_input_is_400(net, client_for, query):
    response = client_for("anonymous").get(f"{API}/stores/nearest?{query}")
    assert response.status_code == 400
    assert response.json()["code"] in {"invalid", "coordinates_invalid"}


def test_memberships(net, dealer):
    body = dealer.get(f"{API}/memberships?role=store_owner").json()
    assert [m["user_name"] for m in body["items"]] == ["store_owner"]
    assert "****" in body["items"][0]["phone"]

    response = send(
        dealer,
        "post",
        "/memberships",
        {
            "phone": "13700009999",
            "name": "小李",
            "organization_id": net.store_a.pk,
            "role": "store_clerk",
        },
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["phone"] == "137****9999"
    assert created["user_name"] == "小李"

    response = send(dealer, "post", f"/memberships/{created['id']}/revoke", {"reason": "离职"})
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert (
        dealer.get(f"{API}/memberships?include_inactive=true&role=store_clerk").json()["count"] == 2
    )


def test_grant_refusals(net, dealer):
    lead = SalespersonFactory(organization=net.dealer_b, sales_rank="manager")
    cases = [
        (
            {"phone": "123", "organization_id": net.store_a.pk, "role": "store_clerk"},
            400,
            "phone_invalid",
        ),
        (
            {"phone": "13700009999", "organization_id": net.store_a.pk, "role": "salesperson"},
            400,
            "role_invalid",
        ),
        (
            {"phone": "13700009999", "organization_id": net.store_b.pk, "role": "store_clerk"},
            404,
            "not_found",
        ),
        (
            {
                "phone": "13700009999",
                "organization_id": net.dealer_a.pk,
                "role": "salesperson",
                "manager_id": lead.pk,
            },
            400,
            "manager_invalid",
        ),
        (
            {
                "phone": "13700009999",
                "organization_id": net.dealer_a.pk,
                "role": "salesperson",
                "manager_id": 99999,
            },
            400,
            "manager_invalid",
        ),
    ]
    for body, status, code in cases:
        before = snapshot()
        response = send(dealer, "post", "/memberships", body)
        assert (response.status_code, response.json()["code"]) == (status, code), body
        assert snapshot() == before


def test_chain(net, dealer):
    boss = SalespersonFactory(organization=net.brand, sales_rank="manager")
    lead = SalespersonFactory(organization=net.dealer_a, sales_rank="supervisor", manager=boss)
    rep = SalespersonFactory(organization=net.dealer_a, manager=lead)
    body = dealer.get(f"{API}/memberships/{lead.pk}/chain").json()
    assert [m["id"] for m in body["managers"]] == [boss.pk]
    assert [m["id"] for m in body["reports"]] == [rep.pk]
    assert dealer.get(f"{API}/memberships/{boss.pk}/chain").status_code == 404


def test_a_consumer_chooses_their_store(net, client_for):
    consumer = client_for("consumer")
    response = send(consumer, "put", "/me/store", {"store_id": net.store_b.pk})
    assert response.status_code == 200
    assert response.json()["organization_id"] == net.store_b.pk
    active = Membership.objects.filter(user=net.users["consumer"], role="consumer", is_active=True)
    assert [m.organization_id for m in active] == [net.store_b.pk]
    response = send(consumer, "put", "/me/store", {"store_id": net.dealer_a.pk})
    assert response.status_code == 404
