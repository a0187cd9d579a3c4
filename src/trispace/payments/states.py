"""Statuses of payments and refunds, and the moves allowed between them.

Payment: created → succeeded | failed | closed. A closed (unpaid timeout) or failed payment may
still become succeeded: a provider can capture money just before the close reached it, and
captured money is always recorded (the owner of the source then refunds it).

Refund: requested → succeeded | failed.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from trispace.kernel.transitions import StateMachine


class PaymentStatus(models.TextChoices):
    CREATED = "created", _("Awaiting payment")
    SUCCEEDED = "succeeded", _("Paid")
    FAILED = "failed", _("Failed")
    CLOSED = "closed", _("Closed")


class RefundStatus(models.TextChoices):
    REQUESTED = "requested", _("Refund requested")
    SUCCEEDED = "succeeded", _("Refunded")
    FAILED = "failed", _("Refund failed")


PAYMENT_STATES = StateMachine(
    {
        PaymentStatus.CREATED: {
            PaymentStatus.SUCCEEDED,
            PaymentStatus.FAILED,
            PaymentStatus.CLOSED,
        },
        PaymentStatus.CLOSED: {PaymentStatus.SUCCEEDED},
        PaymentStatus.FAILED: {PaymentStatus.SUCCEEDED},
    }
)

REFUND_STATES = StateMachine(
    {RefundStatus.REQUESTED: {RefundStatus.SUCCEEDED, RefundStatus.FAILED}}
)
