"""Tables of orders: carts, orders and their lines, after-sales, purchase limits, the policy.

Money is int fen. The database keeps the arithmetic honest: an order's total is its subtotal
minus its discount plus shipping, a line's ``paid_fen`` is its subtotal minus its discount, and
what is refunded or being refunded never exceeds what was paid, per line (CHECK constraints).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from trispace.catalog.models import Variant
from trispace.kernel import time as ktime
from trispace.network.models import Organization
from trispace.orders.states import (
    OPEN_STATUSES,
    AfterSaleStatus,
    OrderStatus,
)


class Fulfilment(models.TextChoices):
    PICKUP = "pickup", _("Pickup at the store")
    DELIVERY = "delivery", _("Delivery")


class OrderChannel(models.TextChoices):
    """The sale channel, which is also the price list the lines were priced from."""

    RETAIL = "retail", _("Retail")
    MEMBER = "member", _("Member")
    GROUPBUY = "groupbuy", _("Group-buy")


# --- cart -----------------------------------------------------------------------------------
class Cart(models.Model):
    """A buyer's cart at one store (prices depend on the store): a user's, or an anonymous
    H5 visitor's by session key until they log in."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="carts",
    )
    session_key = models.CharField(max_length=40, blank=True)
    store = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    updated_at = models.DateTimeField(default=ktime.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, session_key="")
                | (Q(user__isnull=True) & ~Q(session_key="")),
                name="cart_owner_user_or_session",
            ),
            models.UniqueConstraint(
                fields=["user", "store"],
                condition=Q(user__isnull=False),
                name="cart_once_per_user_store",
            ),
            models.UniqueConstraint(
                fields=["session_key", "store"],
                condition=~Q(session_key=""),
                name="cart_once_per_session_store",
            ),
        ]

    def __str__(self) -> str:
        return f"cart {self.pk} @ {self.store_id}"


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    added_at = models.DateTimeField(default=ktime.now)

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "variant"], name="cart_line_once"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="cart_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.variant_id} × {self.quantity}"


# --- orders ---------------------------------------------------------------------------------
class Order(models.Model):
    """A consumer's order at a store (the selling store and, for pickup, the pickup point).

    ``total_fen`` is what the buyer pays. The attribution snapshot (group, leader, promoter,
    salesperson, live session, campaign, share token) is taken when the order is placed and
    never changes: the contexts that own those things read it through opaque ids.
    """

    number = models.CharField(_("order number"), max_length=32, unique=True)
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders"
    )
    store = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(
        _("channel"), max_length=16, choices=OrderChannel.choices, default=OrderChannel.RETAIL
    )
    fulfilment = models.CharField(
        _("fulfilment"), max_length=10, choices=Fulfilment.choices, default=Fulfilment.PICKUP
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=OrderStatus.choices,
        default=OrderStatus.PENDING_PAYMENT,
    )

    # Delivery address snapshot (empty for pickup).
    recipient_name = models.CharField(_("recipient"), max_length=50, blank=True)
    recipient_phone = models.CharField(_("recipient phone"), max_length=20, blank=True)
    region_code = models.CharField(_("district"), max_length=6, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    tracking_no = models.CharField(_("tracking number"), max_length=40, blank=True)

    # Money (fen).
    subtotal_fen = models.PositiveBigIntegerField(default=0)
    discount_fen = models.PositiveBigIntegerField(default=0)
    shipping_fen = models.PositiveBigIntegerField(default=0)
    total_fen = models.PositiveBigIntegerField(default=0)
    refunded_fen = models.PositiveBigIntegerField(default=0)  # lines and shipping, refunded
    payment_id = models.BigIntegerField(null=True, blank=True)  # payments.Payment, opaque

    # Pickup.
    pickup_code = models.CharField(_("pickup code"), max_length=6, blank=True)

    # Time.
    created_at = models.DateTimeField(default=ktime.now, db_index=True)
    expires_at = models.DateTimeField(null=True, blank=True)  # unpaid: cancelled after this
    paid_at = models.DateTimeField(null=True, blank=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    confirm_due_at = models.DateTimeField(null=True, blank=True)  # shipped: auto-confirmed then
    completed_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)  # completed: after-sale window end
    closed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(_("cancel reason"), max_length=255, blank=True)

    # Attribution snapshot (opaque ids of higher contexts).
    group_id = models.BigIntegerField(null=True, blank=True)
    leader_id = models.BigIntegerField(null=True, blank=True)
    promoter_id = models.BigIntegerField(null=True, blank=True)
    salesperson_id = models.BigIntegerField(null=True, blank=True)
    live_session_id = models.BigIntegerField(null=True, blank=True)
    campaign_id = models.BigIntegerField(null=True, blank=True)
    share_token = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(total_fen=F("subtotal_fen") - F("discount_fen") + F("shipping_fen")),
                name="order_total_adds_up",
            ),
            models.CheckConstraint(
                condition=Q(discount_fen__lte=F("subtotal_fen")),
                name="order_discount_within_subtotal",
            ),
            models.CheckConstraint(
                condition=Q(refunded_fen__lte=F("total_fen")),
                name="order_refunded_within_total",
            ),
            models.CheckConstraint(
                condition=Q(fulfilment=Fulfilment.DELIVERY) | Q(shipping_fen=0),
                name="order_shipping_only_for_delivery",
            ),
            # A pickup code identifies one open order at its store.
            models.UniqueConstraint(
                fields=["store", "pickup_code"],
                condition=Q(status__in=OPEN_STATUSES) & ~Q(pickup_code=""),
                name="order_pickup_code_open_once",
            ),
        ]
        indexes = [
            models.Index(fields=["buyer", "-created_at"]),
            models.Index(fields=["store", "status", "-created_at"]),
            models.Index(fields=["status", "expires_at"]),
            models.Index(fields=["status", "confirm_due_at"]),
            models.Index(fields=["status", "closes_at"]),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_pickup(self) -> bool:
        return self.fulfilment == Fulfilment.PICKUP

    def can_cancel(self) -> bool:
        return self.status == OrderStatus.PENDING_PAYMENT


class OrderLine(models.Model):
    """One variant of an order with its price snapshot and exactly what the buyer paid for it.

    ``pending_*`` is held by open after-sale requests; ``refunded_*`` was refunded. Together
    they never exceed the line's quantity and ``paid_fen`` (the database refuses otherwise), so
    concurrent requests cannot refund a line twice.
    """

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="+")
    product_id = models.BigIntegerField()  # snapshot (catalog.Product), opaque
    product_name = models.CharField(_("product"), max_length=100)
    variant_name = models.CharField(_("spec"), max_length=50, blank=True)
    sku = models.CharField(_("SKU"), max_length=40)
    unit = models.CharField(_("unit"), max_length=10, blank=True)
    price_channel = models.CharField(max_length=16)  # the list the price came from
    price_list_id = models.BigIntegerField(null=True, blank=True)
    unit_price_fen = models.PositiveBigIntegerField()
    quantity = models.PositiveIntegerField()
    subtotal_fen = models.PositiveBigIntegerField()
    discount_fen = models.PositiveBigIntegerField(default=0)
    paid_fen = models.PositiveBigIntegerField()
    pending_quantity = models.PositiveIntegerField(default=0)
    pending_fen = models.PositiveBigIntegerField(default=0)
    refunded_quantity = models.PositiveIntegerField(default=0)
    refunded_fen = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="order_line_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(subtotal_fen=F("unit_price_fen") * F("quantity")),
                name="order_line_subtotal_is_price_times_quantity",
            ),
            models.CheckConstraint(
                condition=Q(paid_fen=F("subtotal_fen") - F("discount_fen"))
                & Q(discount_fen__lte=F("subtotal_fen")),
                name="order_line_paid_is_subtotal_minus_discount",
            ),
            models.CheckConstraint(
                condition=Q(refunded_quantity__lte=F("quantity") - F("pending_quantity")),
                name="order_line_refund_quantity_within_quantity",
            ),
            models.CheckConstraint(
                condition=Q(refunded_fen__lte=F("paid_fen") - F("pending_fen")),
                name="order_line_refund_within_paid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_name} {self.variant_name} × {self.quantity}".strip()

    @property
    def claimable_quantity(self) -> int:
        """Units the buyer may still ask to refund."""
        return self.quantity - self.pending_quantity - self.refunded_quantity


# --- after-sales ----------------------------------------------------------------------------
class AfterSale(models.Model):
    """A refund request (售后) for some quantity of some lines of an order, or all of it."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="aftersales")
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=AfterSaleStatus.choices,
        default=AfterSaleStatus.REQUESTED,
    )
    reason = models.CharField(_("reason"), max_length=255)
    amount_fen = models.PositiveBigIntegerField()  # lines + shipping
    shipping_fen = models.PositiveBigIntegerField(default=0)  # shipping refunded with it
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=ktime.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by_id = models.BigIntegerField(null=True, blank=True)
    decision_note = models.CharField(max_length=255, blank=True)
    refund_id = models.BigIntegerField(null=True, blank=True)  # payments.Refund, opaque
    refunded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("after-sale")
        verbose_name_plural = _("after-sales")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(shipping_fen__lte=F("amount_fen")),
                name="aftersale_shipping_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"after-sale {self.pk} of {self.order_id}"


class AfterSaleLine(models.Model):
    aftersale = models.ForeignKey(AfterSale, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()
    amount_fen = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["aftersale", "order_line"], name="aftersale_line_once"),
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="aftersale_line_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_line_id} × {self.quantity}"


# --- rules ----------------------------------------------------------------------------------
class PurchaseLimit(models.Model):
    """At most ``max_quantity`` of a variant per buyer, over their orders that were not
    cancelled (限购)."""

    variant = models.OneToOneField(Variant, on_delete=models.CASCADE, related_name="+")
    max_quantity = models.PositiveIntegerField()
    updated_at = models.DateTimeField(default=ktime.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(max_quantity__gt=0), name="purchase_limit_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.variant_id} ≤ {self.max_quantity}"


class OrderPolicy(models.Model):
    """The business parameters of orders, versioned: the latest row in effect applies.

    Editable in the back office (never settings); a new version is a new row, so what applied
    to an order can always be read back.
    """

    effective_from = models.DateTimeField(default=ktime.now)
    unpaid_timeout_minutes = models.PositiveIntegerField(default=15)
    auto_confirm_days = models.PositiveIntegerField(default=7)
    aftersale_window_days = models.PositiveIntegerField(default=7)
    delivery_fee_fen = models.PositiveBigIntegerField(default=0)
    free_delivery_from_fen = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=ktime.now)
    created_by_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("order policy")
        verbose_name_plural = _("order policies")
        ordering = ["-effective_from", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(unpaid_timeout_minutes__gte=1, unpaid_timeout_minutes__lte=1440)
                & Q(auto_confirm_days__gte=1, auto_confirm_days__lte=60)
                & Q(aftersale_window_days__lte=90),
                name="order_policy_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"order policy from {self.effective_from:%Y-%m-%d %H:%M}"
