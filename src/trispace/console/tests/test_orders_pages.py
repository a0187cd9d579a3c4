"""Back-office pages of orders: the list (filters, htmx, pinned query count), the XLSX export,
an order's detail and the seller's actions on it, the refund queue, and who may do what."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from trispace.accounts import phones
from trispace.conftest import screenshot
from trispace.kernel import time as ktime
from trispace.kernel.models import AuditLog, OutboxEvent, StateChange
from trispace.network.tests import conftest as network_fixtures
from trispace.orders import services
from trispace.orders.models import AfterSale, Order, OrderLine
from trispace.orders.states import AfterSaleStatus, OrderStatus
from trispace.orders.tests import conftest as orders_fixtures
from trispace.orders.tests.factories import paid_order, place, settle, stocked
from trispace.payments.models import Payment, Refund

pytestmark = pytest.mark.django_db

# The network with one person per role, and products stocked at its store a.
net = network_fixtures.net
client_for = network_fixtures.client_for
zhejiang = network_fixtures.zhejiang
shop = orders_fixtures.shop

ADDRESS = {"name": "王五", "phone": "13912345678", "region_code": "330106", "detail": "文三路1号"}
STAFF = ["store_owner", "store_clerk", "salesperson", "dealer_admin", "brand_operator"]


def url(name: str, *args: Any, query: str = "") -> str:
    return reverse(f"console:{name}", args=args) + query


def html(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def frozen() -> dict[str, Any]:
    """Everything a refused action on an order must leave alone."""
    return {
        "orders": list(Order.objects.order_by("pk").values_list("pk", "status", "tracking_no")),
        "lines": list(OrderLine.objects.order_by("pk").values_list("pk", "refunded_fen")),
        "aftersales": list(AfterSale.objects.order_by("pk").values_list("pk", "status")),
        "payments": list(Payment.objects.order_by("pk").values_list("pk", "status")),
        "refunds": Refund.objects.count(),
        "audit": AuditLog.objects.count(),
        "changes": StateChange.objects.count(),
        "events": OutboxEvent.objects.count(),
    }


@pytest.fixture
def spread(shop, net):
    """Paid orders at store a (dealer a), store a2 (sub-dealer of a) and store b (dealer b)."""
    at_a2 = stocked(net, store=net.store_a2)
    at_b = stocked(net, store=net.store_b)
    return {
        "a": paid_order(shop),
        "a2": paid_order(shop, [(at_a2, 1)], store=net.store_a2),
        "b": paid_order(shop, [(at_b, 1)], store=net.store_b),
    }


@pytest.fixture
def delivery(shop, zhejiang):
    return paid_order(shop, [(shop.tea, 2)], fulfilment="delivery", address=ADDRESS)


def requested(shop, order, quantity=1, reason="破损"):
    return services.aftersale_request(
        actor=shop.buyer, order=order, lines=[(order.lines.first().pk, quantity)], reason=reason
    )


# --- who may open what ----------------------------------------------------------------------
def test_the_sidebar_shows_orders_and_after_sales_to_every_staff_role(net, client_for):
    for persona in [*STAFF, "brand_admin"]:
        page = html(client_for(persona).get(url("home")))
        assert f'href="{url("order_list")}"' in page, persona
        assert f'href="{url("aftersale_list")}"' in page, persona


@pytest.mark.parametrize("name", ["order_list", "order_export", "aftersale_list", "order_detail"])
def test_anonymous_go_to_login_and_consumers_are_refused(shop, client_for, name):
    order = paid_order(shop)
    target = url(name, order.pk) if name == "order_detail" else url(name)
    anonymous = client_for("anonymous").get(target)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(url("login"))
    assert client_for("consumer").get(target).status_code == 403
    assert client_for("store_clerk").get(target).status_code == 200


@pytest.mark.parametrize(
    ("persona", "visible"),
    [
        ("store_owner", {"a"}),
        ("store_clerk", {"a"}),
        ("salesperson", {"a", "a2"}),
        ("dealer_admin", {"a", "a2"}),
        ("other_dealer_admin", {"b"}),
        ("other_store_owner", {"b"}),
        ("brand_admin", {"a", "a2", "b"}),
        ("brand_operator", {"a", "a2", "b"}),
    ],
)
def test_each_sees_the_orders_of_their_part_of_the_network(spread, client_for, persona, visible):
    client = client_for(persona)
    page = html(client.get(url("order_list")))
    for name, order in spread.items():
        assert (order.number in page) == (name in visible), name
        detail = client.get(url("order_detail", order.pk))
        assert detail.status_code == (200 if name in visible else 404), name


def test_a_store_outside_the_scope_is_404_in_the_filters(spread, net, client_for):
    client = client_for("store_owner")
    assert client.get(url("order_list", query=f"?store={net.store_b.pk}")).status_code == 404
    assert client.get(url("order_export", query=f"?store={net.store_b.pk}")).status_code == 404
    assert client.get(url("aftersale_list", query=f"?store={net.store_b.pk}")).status_code == 404
    page = html(client.get(url("order_list", query=f"?store={net.store_a.pk}")))
    assert spread["a"].number in page


# --- the list -------------------------------------------------------------------------------
def test_the_list_shows_money_and_masked_buyers(shop, client_for):
    order = paid_order(shop, [(shop.tea, 2), (shop.cake, 1)])
    page = html(client_for("store_owner").get(url("order_list")))
    assert order.number in page
    assert "¥53.33" in page  # 2 × ¥10.00 + ¥33.33
    buyer = shop.buyer
    assert phones.mask(buyer.phone) in page
    assert phones.national(buyer.phone) not in page
    assert buyer.name not in page
    assert "Paid" in page


def test_the_list_filters(shop, net, zhejiang, client_for):
    # 2026-03-01 23:30 in Shanghai is 15:30 UTC; 00:30 on 03-02 is 16:30 UTC on 03-01.
    late = dt.datetime(2026, 3, 1, 15, 30, tzinfo=dt.UTC)
    with ktime.freeze(late):
        first_day = place(shop)
    with ktime.freeze(late + dt.timedelta(hours=1)):
        second_day = paid_order(shop)
        shipped = paid_order(shop, fulfilment="delivery", address=ADDRESS)
    client = client_for("brand_admin")

    def numbers(query: str) -> set[str]:
        page = html(client.get(url("order_list", query=query)))
        return {o.number for o in (first_day, second_day, shipped) if o.number in page}

    everything = {first_day.number, second_day.number, shipped.number}
    assert numbers("") == everything
    assert numbers("?date_from=2026-03-01&date_to=2026-03-01") == {first_day.number}
    assert numbers("?date_from=2026-03-02") == {second_day.number, shipped.number}
    assert numbers("?status=pending_payment") == {first_day.number}
    assert numbers("?fulfilment=delivery") == {shipped.number}
    assert numbers(f"?channel={first_day.channel}") == everything
    assert numbers("?channel=groupbuy") == set()
    assert numbers(f"?q={second_day.number}") == {second_day.number}
    assert numbers(f"?q={shop.buyer.phone[-4:]}") == everything
    assert numbers(f"?store={net.store_a.pk}&status=paid") == {second_day.number, shipped.number}
    backwards = html(
        client.get(url("order_list", query="?date_from=2026-03-02&date_to=2026-03-01"))
    )
    assert "The last day is before the first." in backwards


def test_htmx_filtering_returns_the_results_only(shop, client_for):
    order = paid_order(shop)
    client = client_for("store_owner")
    full = html(client.get(url("order_list")))
    response = client.get(url("order_list", query="?status=paid"), HTTP_HX_REQUEST="true")
    assert "HX-Request" in response["Vary"]
    part = html(response)
    assert "<html" in full
    assert 'id="order-results"' in full
    assert "<html" not in part
    assert order.number in part
    assert f"{url('order_export')}?status=paid" in part  # the export follows the filters


def test_the_list_paginates(shop, client_for):
    for _ in range(21):
        place(shop)
    client = client_for("store_owner")
    assert "Page 1 of 2" in html(client.get(url("order_list")))
    assert "Page 2 of 2" in html(client.get(url("order_list", query="?page=2")))


@pytest.mark.parametrize("count", [2, 20])
def test_the_list_query_count_is_fixed(shop, client_for, django_assert_num_queries, count):
    for _ in range(count):
        place(shop, [(shop.tea, 1), (shop.cake, 2)])
    client = client_for("dealer_admin")
    client.get(url("order_list"))  # warm the session
    # session, user, memberships, organization name (sidebar), count, orders with store and
    # buyer, their lines, the stores of the filter
    with django_assert_num_queries(8):
        page = html(client.get(url("order_list")))
    assert page.count("¥76.66") == count


# --- the export -----------------------------------------------------------------------------
def test_the_export_is_the_filtered_list_as_xlsx(shop, zhejiang, client_for):
    pickup = paid_order(shop, [(shop.tea, 2), (shop.cake, 1)])
    shipped = paid_order(shop, [(shop.tea, 1)], fulfilment="delivery", address=ADDRESS)
    unpaid = place(shop)
    response = client_for("store_owner").get(url("order_export", query="?status=paid"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Order number"
    assert sheet["A1"].font.b
    assert sheet.freeze_panes == "A2"
    assert sheet.page_setup.fitToWidth == 1
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert str(sheet.page_setup.paperSize) == "9"  # A4
    by_number = {row[0]: row for row in rows[1:]}
    assert set(by_number) == {pickup.number, shipped.number}
    assert unpaid.number not in by_number
    row = by_number[pickup.number]
    masked = phones.mask(shop.buyer.phone)
    assert masked in row[6]
    assert phones.national(shop.buyer.phone) not in "".join(str(v) for r in rows for v in r)
    tea, cake = pickup.lines.order_by("pk")
    assert row[7] == (
        f"{tea.product_name} {tea.variant_name} × 2, {cake.product_name} {cake.variant_name} × 1"
    )
    assert row[8:12] == (53.33, 0, 0, 53.33)
    assert row[1] == ktime.local(pickup.created_at).replace(tzinfo=None, microsecond=0)
    assert by_number[shipped.number][10] == shipped.shipping_fen / 100
    assert row[3] == "Paid"


def test_the_export_reads_in_chunks(shop, client_for, monkeypatch):
    from trispace.console.views import orders as pages

    monkeypatch.setattr(pages, "EXPORT_CHUNK", 2)
    made = [place(shop) for _ in range(5)]
    response = client_for("brand_admin").get(url("order_export"))
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert [row[0] for row in rows[1:]] == [o.number for o in reversed(made)]


# --- one order ------------------------------------------------------------------------------
def test_the_detail_shows_lines_money_attribution_payments_refunds_and_the_timeline(
    shop, client_for
):
    order = paid_order(
        shop,
        [(shop.tea, 2), (shop.cake, 1)],
        discount_fen=333,
        share_context={"promoter_id": 4242, "share_token": "tok-123"},
    )
    aftersale = requested(shop, order)
    with settle():
        services.aftersale_approve(actor=shop.owner, aftersale=aftersale)
    page = html(client_for("store_clerk").get(url("order_detail", order.pk)))
    tea = order.lines.order_by("pk").first()
    tea.refresh_from_db()
    assert tea.refunded_quantity == 1
    for text in [
        order.number,
        "¥10.00",  # the price snapshot
        "¥53.33",  # subtotal
        "-¥3.33",  # discount
        "¥50.00",  # total
        "4242",
        "tok-123",
        Payment.objects.get(pk=order.payment_id).out_trade_no,
        Refund.objects.get().out_refund_no,
        "Refunded",
        "Order placed",
        "Pending payment → Paid",
        f"After-sale {aftersale.pk}: Requested → Approved",
        "Refund requested",
        shop.owner.name,  # staff who acted are named
        "Buyer",
    ]:
        assert text in page, text
    assert phones.national(shop.buyer.phone) not in page
    assert order.pickup_code not in page  # staff never see the code: the buyer shows it


def test_the_detail_query_count_does_not_grow_with_lines(shop, net, client_for):
    few = paid_order(shop, [(shop.tea, 1)])
    many = paid_order(shop, [(stocked(net), 1) for _ in range(6)])
    client = client_for("store_owner")
    client.get(url("order_detail", few.pk))
    counts = []
    for order in (few, many):
        with CaptureQueriesContext(connection) as captured:
            html(client.get(url("order_detail", order.pk)))
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_buttons_follow_who_may_act(shop, client_for):
    order = paid_order(shop)
    requested(shop, order)
    ready = url("order_mark_ready", order.pk)
    for persona in ("store_owner", "store_clerk", "dealer_admin", "brand_operator"):
        page = html(client_for(persona).get(url("order_detail", order.pk)))
        assert ready in page, persona
        assert "Approve and refund" in page, persona
    page = html(client_for("salesperson").get(url("order_detail", order.pk)))
    assert ready not in page
    assert "Approve and refund" not in page


def test_mark_ready(shop, client_for):
    order = paid_order(shop)
    client = client_for("store_clerk")
    response = client.post(url("order_mark_ready", order.pk))
    assert (response.status_code, response["Location"]) == (302, url("order_detail", order.pk))
    order.refresh_from_db()
    assert order.status == OrderStatus.READY_FOR_PICKUP
    page = html(client.get(response["Location"]))
    assert "Marked ready for pickup" in page
    assert "Ready for pickup" in page
    before = frozen()
    again = client.post(url("order_mark_ready", order.pk))
    assert again.status_code == 302
    assert "not allowed in the current status" in html(client.get(again["Location"]))
    assert frozen() == before


@pytest.mark.parametrize(("persona", "status"), [("salesperson", 403), ("other_store_owner", 404)])
def test_refused_actions_change_nothing(shop, zhejiang, client_for, persona, status):
    pickup = paid_order(shop)
    shipped = paid_order(shop, fulfilment="delivery", address=ADDRESS)
    unpaid = place(shop)
    services.order_pay(actor=shop.buyer, order=unpaid, provider="offline")
    aftersale = requested(shop, pickup)
    client = client_for(persona)
    before = frozen()
    for target, data in [
        (url("order_mark_ready", pickup.pk), {}),
        (url("order_ship", shipped.pk), {"tracking_no": "SF1234567890"}),
        (url("order_confirm_payment", unpaid.pk), {"reference": "cash"}),
        (url("aftersale_approve", aftersale.pk), {}),
        (url("aftersale_reject", aftersale.pk), {"reason": "no"}),
    ]:
        with settle():
            assert client.post(target, data).status_code == status, target
    assert frozen() == before


def test_actions_are_posts_only(shop, client_for):
    order = paid_order(shop)
    assert client_for("store_owner").get(url("order_mark_ready", order.pk)).status_code == 405
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_ship_a_delivery_order(shop, delivery, client_for):
    client = client_for("dealer_admin")
    assert url("order_ship", delivery.pk) in html(client.get(url("order_detail", delivery.pk)))
    before = frozen()
    refused = client.post(url("order_ship", delivery.pk), {"tracking_no": "SF 1"})
    assert "Enter a tracking number" in html(client.get(refused["Location"]))
    assert frozen() == before
    client.post(url("order_ship", delivery.pk), {"tracking_no": "SF1234567890"})
    delivery.refresh_from_db()
    assert (delivery.status, delivery.tracking_no) == (OrderStatus.SHIPPED, "SF1234567890")
    page = html(client.get(url("order_detail", delivery.pk)))
    assert "SF1234567890" in page
    assert phones.mask("+8613912345678") in page
    assert "13912345678" not in page


def test_confirm_an_offline_payment(shop, client_for):
    order = place(shop)
    started = services.order_pay(actor=shop.buyer, order=order, provider="offline")
    assert started is not None
    button = url("order_confirm_payment", order.pk)
    assert button not in html(client_for("store_clerk").get(url("order_detail", order.pk)))
    owner = client_for("store_owner")
    assert button in html(owner.get(url("order_detail", order.pk)))
    with settle():
        response = owner.post(button, {"reference": "现金 0001"})
    assert response.status_code == 302
    order.refresh_from_db()
    started.payment.refresh_from_db()
    assert started.payment.status == "succeeded"
    assert started.payment.provider_txn_id == "现金 0001"
    assert order.status == OrderStatus.PAID
    page = html(owner.get(response["Location"]))
    assert "Payment confirmed." in page
    before = frozen()
    again = owner.post(button, {"reference": "x"})
    assert "No offline payment" in html(owner.get(again["Location"]))
    assert frozen() == before


# --- after-sales ----------------------------------------------------------------------------
def test_the_queue_lists_requests_waiting_in_scope(shop, spread, net, client_for):
    at_a = requested(shop, spread["a"], reason="漏发")
    at_b = requested(shop, spread["b"], reason="坏了")
    decided = requested(shop, paid_order(shop), reason="不想要")
    services.aftersale_reject(actor=shop.owner, aftersale=decided, reason="已使用")
    owner = html(client_for("store_owner").get(url("aftersale_list")))
    assert "漏发" in owner
    assert "坏了" not in owner
    assert "不想要" not in owner  # decided: not waiting
    assert url("aftersale_approve", at_a.pk) in owner
    everything = html(client_for("store_owner").get(url("aftersale_list", query="?status=")))
    assert "不想要" in everything
    brand = html(client_for("brand_admin").get(url("aftersale_list")))
    assert "漏发" in brand
    assert "坏了" in brand
    looker = html(client_for("salesperson").get(url("aftersale_list")))
    assert "漏发" in looker
    assert url("aftersale_approve", at_a.pk) not in looker
    part = html(
        client_for("brand_admin").get(
            url("aftersale_list", query=f"?status=requested&store={net.store_b.pk}"),
            HTTP_HX_REQUEST="true",
        )
    )
    assert "<html" not in part
    assert "坏了" in part
    assert "漏发" not in part
    assert at_b.status == AfterSaleStatus.REQUESTED


def test_approve_from_the_queue_refunds_and_goes_back(shop, client_for):
    order = paid_order(shop, [(shop.tea, 2)])
    aftersale = requested(shop, order)
    client = client_for("store_owner")
    back = url("aftersale_list")
    with settle():
        response = client.post(url("aftersale_approve", aftersale.pk), {"note": "ok", "next": back})
    assert (response.status_code, response["Location"]) == (302, back)
    aftersale.refresh_from_db()
    assert aftersale.status == AfterSaleStatus.REFUNDED
    assert aftersale.decision_note == "ok"
    assert Refund.objects.get().amount_fen == 1000
    page = html(client.get(back))
    assert "Approved" in page
    assert "¥10.00" in page


def test_reject_needs_a_reason(shop, client_for):
    order = paid_order(shop)
    aftersale = requested(shop, order)
    client = client_for("dealer_admin")
    before = frozen()
    refused = client.post(url("aftersale_reject", aftersale.pk), {"reason": "  "})
    assert refused["Location"] == url("order_detail", order.pk)
    assert "Enter a reason" in html(client.get(refused["Location"]))
    assert frozen() == before
    done = client.post(
        url("aftersale_reject", aftersale.pk),
        {"reason": "已超出范围", "next": "https://evil.example/"},
    )
    assert done["Location"] == url("order_detail", order.pk)  # never off-site
    aftersale.refresh_from_db()
    assert (aftersale.status, aftersale.decision_note) == (AfterSaleStatus.REJECTED, "已超出范围")


# --- in a browser ---------------------------------------------------------------------------
@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_store_owner_works_through_orders_in_a_browser(live_server, desk_page, shop):
    waiting = paid_order(shop, [(shop.tea, 1)])
    other = paid_order(shop, [(shop.cake, 1)])
    place(shop)  # unpaid
    refund = requested(shop, other, reason="盒子压坏了")
    page = desk_page
    # This walk reads the English labels; the Chinese ones are covered by the catalog tests.
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/console/login/")
    page.fill("input[name=phone]", shop.owner.phone)
    page.fill("input[name=password]", "pass-1234")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/console/$"))

    page.locator("nav.sidebar a", has_text="Orders").click()
    page.wait_for_url(re.compile(r"/console/orders/$"))
    assert page.locator("#order-results tbody tr").count() == 3
    page.select_option("select[name=status]", "paid")  # htmx: only the results change
    page.wait_for_url(re.compile(r"status=paid"))
    page.wait_for_function("document.querySelectorAll('#order-results tbody tr').length === 2")
    page.fill("input[name=q]", waiting.number)
    page.wait_for_function("document.querySelectorAll('#order-results tbody tr').length === 1")
    screenshot(page, "console-orders-list")

    page.locator("#order-results a", has_text=waiting.number).click()
    page.wait_for_url(re.compile(rf"/console/orders/{waiting.pk}/$"))
    page.locator("button", has_text="Mark ready for pickup").click()
    page.wait_for_selector("text=Marked ready for pickup; the buyer is told to come.")
    screenshot(page, "console-order-detail")
    waiting.refresh_from_db()
    assert waiting.status == OrderStatus.READY_FOR_PICKUP

    page.locator("nav.sidebar a", has_text="After-sales").click()
    page.wait_for_selector("text=盒子压坏了")
    screenshot(page, "console-aftersales")
    page.locator("button", has_text="Approve and refund").click()
    page.wait_for_selector("text=Approved")
    refund.refresh_from_db()
    assert refund.status == AfterSaleStatus.REFUNDED
