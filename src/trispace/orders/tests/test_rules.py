"""purchase_limit_set and order_policy_set: the brand's rules, audited, versioned."""

from __future__ import annotations

import datetime as dt

import pytest

from trispace.kernel import time as ktime
from trispace.kernel.errors import DomainError
from trispace.kernel.models import AuditLog
from trispace.orders import selectors, services
from trispace.orders.models import OrderPolicy, PurchaseLimit

pytestmark = pytest.mark.django_db


def test_brand_staff_set_and_lift_a_limit(shop, net):
    services.purchase_limit_set(actor=net.user("brand_admin"), variant=shop.tea, max_quantity=2)
    assert PurchaseLimit.objects.get().max_quantity == 2
    services.purchase_limit_set(actor=net.user("brand_admin"), variant=shop.tea, max_quantity=2)
    assert AuditLog.objects.filter(action="purchase_limit_set").count() == 1  # unchanged
    services.purchase_limit_set(actor=net.user("brand_admin"), variant=shop.tea, max_quantity=None)
    assert not PurchaseLimit.objects.exists()
    for persona in ("dealer_admin", "store_owner", "consumer"):
        with pytest.raises(DomainError) as caught:
            services.purchase_limit_set(actor=net.user(persona), variant=shop.tea, max_quantity=1)
        assert caught.value.code == "permission_denied"
    with pytest.raises(DomainError) as caught:
        services.purchase_limit_set(actor=None, variant=shop.tea, max_quantity=0)
    assert caught.value.code == "quantity_invalid"


def test_policy_versions_take_effect_in_order(net):
    assert selectors.current_policy() == selectors.DEFAULT_POLICY
    now = ktime.now()
    services.order_policy_set(
        actor=net.user("brand_admin"),
        unpaid_timeout_minutes=20,
        auto_confirm_days=10,
        aftersale_window_days=3,
    )
    services.order_policy_set(
        actor=net.user("brand_admin"),
        unpaid_timeout_minutes=30,
        auto_confirm_days=10,
        aftersale_window_days=3,
        effective_from=now + dt.timedelta(days=1),
    )
    assert selectors.current_policy().unpaid_timeout == dt.timedelta(minutes=20)
    assert selectors.current_policy(now + dt.timedelta(days=1)).unpaid_timeout == dt.timedelta(
        minutes=30
    )
    assert OrderPolicy.objects.count() == 2


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("unpaid_timeout_minutes", 0),
        ("auto_confirm_days", 61),
        ("aftersale_window_days", -1),
        ("delivery_fee_fen", "5"),
        ("free_delivery_from_fen", -1),
    ],
)
def test_policy_values_are_checked(net, field, value):
    values = {"unpaid_timeout_minutes": 15, "auto_confirm_days": 7, "aftersale_window_days": 7}
    values[field] = value
    with pytest.raises(DomainError) as caught:
        services.order_policy_set(actor=net.user("brand_admin"), **values)
    assert (caught.value.code, caught.value.field) == ("policy_invalid", field)
    assert not OrderPolicy.objects.exists()


def test_only_brand_admins_set_the_policy(net):
    with pytest.raises(DomainError) as caught:
        services.order_policy_set(
            actor=net.user("dealer_admin"),
            unpaid_timeout_minutes=15,
            auto_confirm_days=7,
            aftersale_window_days=7,
        )
    assert caught.value.code == "permission_denied"
