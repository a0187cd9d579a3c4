"""The store workbench on the phone: today's pickups, mark ready, verify a pickup by code, QR
token or phone tail — for the store's owner and clerks only; refusals change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from trispace.network.models import Role
from trispace.network.tests.conftest import client_for, net  # noqa: F401  (fixtures)
from trispace.network.tests.factories import MembershipFactory
from trispace.orders import tokens
from trispace.orders.models import Order
from trispace.orders.tests.conftest import shop  # noqa: F401  (fixture)
from trispace.orders.tests.factories import Shop, available, paid_order, place, stocked

pytestmark = pytest.mark.django_db


def staff(shop: Shop, persona: str = "store_owner") -> Client:  # noqa: F811
    client = Client()
    client.force_login(shop.net.user(persona))
    return client


def verify(client: Client, store: Any, by: str, value: Any) -> Any:
    return client.post(
        reverse("h5:workbench_verify", args=[store.pk]), {"by": by, "value": str(value)}
    )


def statuses() -> list[tuple[int, str]]:
    return list(Order.objects.order_by("pk").values_list("pk", "status"))


# --- who may work here ----------------------------------------------------------------------
def test_anonymous_goes_to_login(client, shop):  # noqa: F811
    for url in (
        reverse("h5:workbench"),
        reverse("h5:workbench_store", args=[shop.store.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")


@pytest.mark.parametrize("persona", ["consumer", "dealer_admin", "brand_admin", "salesperson"])
def test_people_who_are_not_store_staff_are_refused(client_for, shop, persona):  # noqa: F811
    order = paid_order(shop)
    client = client_for(persona)
    assert client.get(reverse("h5:workbench")).status_code == 403
    assert client.get(reverse("h5:workbench_store", args=[shop.store.pk])).status_code == 403
    before = statuses()
    assert verify(client, shop.store, "code", order.pickup_code).status_code == 403
    assert statuses() == before


def test_another_stores_owner_sees_no_such_store_and_changes_nothing(client_for, shop):  # noqa: F811
    order = paid_order(shop)
    other = client_for("other_store_owner")
    assert other.get(reverse("h5:workbench_store", args=[shop.store.pk])).status_code == 404
    before = statuses()
    assert verify(other, shop.store, "code", order.pickup_code).status_code == 404
    assert verify(other, shop.store, "order", order.pk).status_code == 404
    ready = other.post(reverse("h5:workbench_ready", args=[shop.store.pk, order.pk]))
    assert ready.status_code == 404
    lookup = other.post(
        reverse("h5:workbench_lookup", args=[shop.store.pk]),
        {"phone_tail": shop.buyer.phone[-4:]},
    )
    assert lookup.status_code == 404
    assert statuses() == before
    # …and their own store's workbench knows nothing of the order either.
    store_b = shop.net.store_b
    assert verify(other, store_b, "code", order.pickup_code).status_code == 404
    assert verify(other, store_b, "order", order.pk).status_code == 404
    assert statuses() == before


def test_the_owner_goes_straight_to_their_store(shop):  # noqa: F811
    response = staff(shop).get(reverse("h5:workbench"))
    assert response.status_code == 302
    assert response["Location"] == reverse("h5:workbench_store", args=[shop.store.pk])


def test_someone_working_at_two_stores_chooses(shop):  # noqa: F811
    owner = shop.net.user("store_owner")
    MembershipFactory(user=owner, organization=shop.net.store_a2, role=Role.STORE_CLERK)
    response = staff(shop).get(reverse("h5:workbench"))
    assert response.status_code == 200
    text = response.content.decode()
    assert shop.net.store_a.name in text
    assert shop.net.store_a2.name in text


# --- today's pickups, ready -----------------------------------------------------------------
def test_todays_pickups_list_waiting_orders_with_masked_buyers(shop):  # noqa: F811
    paid = paid_order(shop)
    unpaid = place(shop)
    page = staff(shop).get(reverse("h5:workbench_store", args=[shop.store.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert paid.number in text
    assert unpaid.number not in text
    assert shop.buyer.phone[3:] not in text  # the phone is masked
    assert shop.buyer.phone[-4:] in text
    assert reverse("h5:workbench_ready", args=[shop.store.pk, paid.pk]) in text


def test_mark_ready(shop):  # noqa: F811
    order = paid_order(shop)
    response = staff(shop, "store_clerk").post(
        reverse("h5:workbench_ready", args=[shop.store.pk, order.pk]), follow=True
    )
    assert "is ready for pickup" in response.content.decode()
    order.refresh_from_db()
    assert order.status == "ready_for_pickup"


def test_mark_ready_of_another_stores_order_through_this_store_is_404(shop):  # noqa: F811
    stocked(shop.net, store=shop.net.store_a2)
    owner = shop.net.user("store_owner")
    MembershipFactory(user=owner, organization=shop.net.store_a2, role=Role.STORE_OWNER)
    order = paid_order(shop)
    before = statuses()
    response = staff(shop).post(
        reverse("h5:workbench_ready", args=[shop.net.store_a2.pk, order.pk])
    )
    assert response.status_code == 404
    assert statuses() == before


# --- verify ---------------------------------------------------------------------------------
def test_verify_by_code_completes_the_order_and_shows_success(shop):  # noqa: F811
    order = paid_order(shop, [(shop.tea, 2)])
    client = staff(shop)
    response = verify(client, shop.store, "code", order.pickup_code)
    assert response.status_code == 302
    assert f"verified={order.pk}" in response["Location"]
    order.refresh_from_db()
    assert order.status == "completed"
    assert available(shop.store, shop.tea) == 98
    page = client.get(response["Location"]).content.decode()
    assert 'data-result="ok"' in page
    assert order.number in page
    again = verify(client, shop.store, "code", order.pickup_code)
    assert again.status_code == 404  # a finished order frees its code
    assert 'data-result="fail"' in again.content.decode()


def test_verify_twice_by_qr_says_already_picked_up(shop):  # noqa: F811
    order = paid_order(shop)
    client = staff(shop, "store_clerk")
    token = tokens.pickup_token(order.pk)
    assert verify(client, shop.store, "qr", token).status_code == 302
    again = verify(client, shop.store, "qr", token)
    assert again.status_code == 409
    assert "already been picked up" in again.content.decode()


@pytest.mark.parametrize(
    ("by", "value", "status", "message"),
    [
        ("code", "000000", 404, "No order waits for pickup at this store with this code."),
        ("code", "12ab", 404, "No order waits for pickup"),
        ("code", "", 400, "Enter the 6-digit pickup code."),
        ("qr", "not-a-token", 404, "No order waits for pickup"),
        ("qr", "", 400, "Scan or paste the QR code."),
        ("order", "abc", 404, "No order waits for pickup"),
    ],
)
def test_bad_verifications_fail_clearly_and_change_nothing(shop, by, value, status, message):  # noqa: F811
    paid_order(shop)
    before = statuses()
    response = verify(staff(shop), shop.store, by, value)
    text = response.content.decode()
    assert response.status_code == status
    assert 'data-result="fail"' in text
    assert message in text
    assert statuses() == before


def test_a_tampered_qr_token_is_refused(shop):  # noqa: F811
    order = paid_order(shop)
    token = tokens.pickup_token(order.pk)
    before = statuses()
    response = verify(
        staff(shop), shop.store, "qr", token[:-1] + ("A" if token[-1] != "A" else "B")
    )
    assert response.status_code == 404
    assert statuses() == before


def test_an_unpaid_order_cannot_be_picked_up(shop):  # noqa: F811
    order = place(shop)
    before = statuses()
    response = verify(staff(shop), shop.store, "code", order.pickup_code)
    assert response.status_code == 409
    assert "has not been paid yet" in response.content.decode()
    assert statuses() == before


def test_phone_tail_lists_candidates_then_one_is_verified(shop):  # noqa: F811
    order = paid_order(shop)
    client = staff(shop)
    response = client.post(
        reverse("h5:workbench_lookup", args=[shop.store.pk]),
        {"phone_tail": shop.buyer.phone[-4:]},
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert order.number in text
    assert "c*******" in text  # "consumer", masked
    assert shop.buyer.phone not in text
    assert 'name="by" value="order"' in text
    assert verify(client, shop.store, "order", order.pk).status_code == 302
    order.refresh_from_db()
    assert order.status == "completed"


def test_phone_tail_must_be_four_digits(shop):  # noqa: F811
    response = staff(shop).post(
        reverse("h5:workbench_lookup", args=[shop.store.pk]), {"phone_tail": "12a"}
    )
    assert response.status_code == 400
    assert "last 4 digits" in response.content.decode()


def test_phone_tail_with_no_match(shop):  # noqa: F811
    paid_order(shop)
    tail = "0000" if not shop.buyer.phone.endswith("0000") else "1111"
    response = staff(shop).post(
        reverse("h5:workbench_lookup", args=[shop.store.pk]), {"phone_tail": tail}
    )
    assert "No order waits for a buyer with this phone tail." in response.content.decode()


def test_the_workbench_takes_a_fixed_number_of_queries(shop, django_assert_max_num_queries):  # noqa: F811
    client = staff(shop)
    url = reverse("h5:workbench_store", args=[shop.store.pk])
    paid_order(shop)
    client.get(url)
    with django_assert_max_num_queries(15) as one:
        client.get(url)
    for _ in range(5):
        paid_order(shop, [(shop.tea, 1), (shop.cake, 1)])
    with django_assert_max_num_queries(15) as six:
        client.get(url)
    assert len(one.captured_queries) == len(six.captured_queries)
