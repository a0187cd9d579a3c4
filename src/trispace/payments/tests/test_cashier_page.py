"""The simulated cashier page /pay/<out_trade_no>/ (h5): show, pay through a signed notification,
return to ``next``."""

from __future__ import annotations

import pytest
from django.test import Client

from trispace.kernel.models import OutboxEvent
from trispace.ledger import selectors as ledger
from trispace.ledger.chart import PSP_CLEARING
from trispace.payments import services
from trispace.payments.models import Notification, Payment
from trispace.payments.states import PaymentStatus
from trispace.payments.tests.factories import start

pytestmark = pytest.mark.django_db


@pytest.fixture
def payment(net) -> Payment:
    return start(actor=net.user("consumer"), organization=net.store_a, amount_fen=3650)


def url(payment: Payment) -> str:
    return f"/pay/{payment.out_trade_no}/"


def test_the_payer_sees_the_amount_and_a_pay_button(client_for, payment):
    response = client_for("consumer").get(url(payment))
    assert response.status_code == 200
    html = response.content.decode()
    assert "¥36.50" in html
    assert 'data-action="pay"' in html
    assert payment.out_trade_no in html
    assert "测试商品" in html


def test_pressing_pay_pays_through_a_verified_notification_and_returns_to_next(
    client_for, payment, django_capture_on_commit_callbacks
):
    client = client_for("consumer")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(payment), {"next": "/me/"})
    assert response.status_code == 302
    assert response["Location"] == "/me/"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    notification = Notification.objects.get()
    assert (notification.provider, notification.outcome) == ("simulated", "accepted")
    assert notification.event_id.startswith("EV-")
    assert ledger.balance(PSP_CLEARING) == 3650
    assert OutboxEvent.objects.filter(name="PaymentSucceeded").count() == 1


def test_pressing_pay_twice_pays_once(client_for, payment):
    client = client_for("consumer")
    client.post(url(payment), {"next": "/me/"})
    response = client.post(url(payment), {"next": "/me/"})
    assert response["Location"] == "/me/"
    assert Notification.objects.count() == 1
    assert ledger.balance(PSP_CLEARING) == 3650


def test_next_never_leaves_the_site(client_for, payment):
    response = client_for("consumer").post(url(payment), {"next": "https://evil.example/"})
    assert response["Location"] == url(payment)


def test_a_paid_payment_shows_no_pay_button(client_for, payment):
    services.payment_simulate_pay(actor=None, payment=payment)
    html = client_for("consumer").get(url(payment)).content.decode()
    assert 'data-action="pay"' not in html
    assert "Paid" in html


def test_a_closed_payment_cannot_be_paid_here(client_for, payment):
    services.payment_close(actor=None, payment=payment)
    client = client_for("consumer")
    assert 'data-action="pay"' not in client.get(url(payment)).content.decode()
    response = client.post(url(payment), {"next": "/me/"}, follow=True)
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.CLOSED
    assert "not allowed" in response.content.decode()


@pytest.mark.parametrize("persona", ["anonymous", "store_owner", "brand_admin"])
def test_only_the_payer_may_open_it(client_for, payment, persona):
    client = client_for(persona)
    assert client.get(url(payment)).status_code == 404
    assert client.post(url(payment)).status_code == 404
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.CREATED


def test_a_payment_without_a_payer_is_paid_by_whoever_holds_the_number():
    payment = start(amount_fen=100)
    assert Client().post(url(payment)).status_code == 302
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.SUCCEEDED


def test_other_providers_and_unknown_numbers_are_not_found(client_for):
    offline = start(provider="offline")
    assert Client().get(url(offline)).status_code == 404
    assert Client().get("/pay/P000/").status_code == 404
    assert Client().get("/pay/" + "x" * 40 + "/").status_code == 404


def test_paying_needs_the_csrf_token(net, payment):
    client = Client(enforce_csrf_checks=True)
    client.force_login(net.users["consumer"])
    assert client.post(url(payment)).status_code == 403
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.CREATED
