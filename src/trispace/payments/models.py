"""Payments (支付), refunds (退款) and the provider notifications we have processed.

What a payment pays for is opaque here (``source_type``, ``source_id``: e.g. ``"order", 42``):
payments sits below orders and learns nothing about them but these two values.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from trispace.kernel import time as ktime
from trispace.payments.states import PaymentStatus, RefundStatus


class Provider(models.TextChoices):
    OFFLINE = "offline", _("Offline (cash or transfer, confirmed by staff)")
    SIMULATED = "simulated", _("Simulated cashier (demo)")
    WECHATPAY = "wechatpay", _("WeChat Pay")


class Payment(models.Model):
    """One attempt to collect ``amount_fen`` for a source through one provider.

    ``out_trade_no`` is our number at the provider (商户订单号). A source has at most one open
    (created) payment at a time, so it can never be paid twice through two open attempts.
    """

    source_type = models.CharField(max_length=40)
    source_id = models.BigIntegerField()
    amount_fen = models.PositiveBigIntegerField(_("amount (fen)"))
    provider = models.CharField(_("provider"), max_length=20, choices=Provider.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.CREATED
    )
    out_trade_no = models.CharField(max_length=32, unique=True)
    provider_txn_id = models.CharField(max_length=64, blank=True)
    description = models.CharField(_("description"), max_length=127)
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Who receives the money (a store or a dealer): staff in its scope may see and confirm it.
    organization = models.ForeignKey(
        "network.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The provider account the payment was started with; a notification must name the same.
    merchant_id = models.CharField(max_length=32, blank=True)
    app_id = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(default=ktime.now)
    expires_at = models.DateTimeField()
    succeeded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_fen__gt=0), name="payment_amount_pos"),
            models.UniqueConstraint(
                fields=["source_type", "source_id"],
                condition=models.Q(status=PaymentStatus.CREATED),
                name="payment_one_open_per_source",
            ),
        ]
        indexes = [
            models.Index(fields=["source_type", "source_id"]),
            models.Index(fields=["status", "expires_at"]),
        ]

    def __str__(self) -> str:
        return self.out_trade_no

    @property
    def is_paid(self) -> bool:
        return self.status == PaymentStatus.SUCCEEDED


class Refund(models.Model):
    """Money going back to the payer of a payment, at most what was captured in total."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount_fen = models.PositiveBigIntegerField(_("amount (fen)"))
    status = models.CharField(
        _("status"), max_length=20, choices=RefundStatus.choices, default=RefundStatus.REQUESTED
    )
    out_refund_no = models.CharField(max_length=32, unique=True)
    # The caller's idempotency key (e.g. "after_sale:12:refund"): the same key is one refund.
    key = models.CharField(max_length=100, unique=True)
    source_type = models.CharField(max_length=40)
    source_id = models.BigIntegerField()
    reason = models.CharField(_("reason"), max_length=80, blank=True)
    provider_refund_id = models.CharField(max_length=64, blank=True)
    failure_reason = models.CharField(max_length=255, blank=True)
    requested_by_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=ktime.now)
    succeeded_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_fen__gt=0), name="refund_amount_pos"),
        ]
        indexes = [models.Index(fields=["payment", "status"])]

    def __str__(self) -> str:
        return self.out_refund_no


class Outcome(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    DUPLICATE = "duplicate", _("Already applied by another notification")
    IGNORED = "ignored", _("Ignored")
    REJECTED = "rejected", _("Rejected")


class Notification(models.Model):
    """A verified provider notification, once per (provider, event id): the de-duplication.

    Notifications that fail verification are never stored (anyone can post one).
    """

    provider = models.CharField(max_length=20, choices=Provider.choices)
    event_id = models.CharField(max_length=64)
    kind = models.CharField(max_length=10)  # "payment" or "refund"
    status = models.CharField(max_length=32, blank=True)  # the provider's word, e.g. "SUCCESS"
    out_trade_no = models.CharField(max_length=32, blank=True)
    out_refund_no = models.CharField(max_length=32, blank=True)
    amount_fen = models.BigIntegerField(default=0)
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="notifications"
    )
    refund = models.ForeignKey(
        Refund, null=True, blank=True, on_delete=models.PROTECT, related_name="notifications"
    )
    received_at = models.DateTimeField()
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    detail = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = _("payment notification")
        verbose_name_plural = _("payment notifications")
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="notification_once"),
        ]
        indexes = [models.Index(fields=["outcome", "received_at"])]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_id} {self.outcome}"
