"""Error codes of ``payments`` (支付). Codes are stable once published; messages may change."""

from django.utils.translation import gettext_lazy as _

from trispace.kernel.errors import (
    CONFLICT,
    INVALID,
    NOT_FOUND,
    PERMISSION_DENIED,
    TRANSITION_NOT_ALLOWED,
    ErrorCode,
)

__all__ = [
    "AMOUNT_INVALID",
    "CONFLICT",
    "DESCRIPTION_INVALID",
    "INVALID",
    "NOTIFICATION_INVALID",
    "NOTIFICATION_MISMATCH",
    "NOTIFICATION_UNKNOWN",
    "NOT_FOUND",
    "PAYMENT_ALREADY_OPEN",
    "PAYMENT_NOT_OFFLINE",
    "PAYMENT_NOT_REFUNDABLE",
    "PERMISSION_DENIED",
    "PROVIDER_NOT_CONFIGURED",
    "PROVIDER_UNAVAILABLE",
    "PROVIDER_UNKNOWN",
    "REFUND_EXCEEDS_PAYMENT",
    "REFUND_KEY_CONFLICT",
    "SOURCE_INVALID",
    "TRANSITION_NOT_ALLOWED",
]

AMOUNT_INVALID = ErrorCode("amount_invalid", _("Enter an amount of at least ¥0.01."))
DESCRIPTION_INVALID = ErrorCode(
    "description_invalid", _("Describe the payment in 1 to 127 characters.")
)
SOURCE_INVALID = ErrorCode("source_invalid", _("Say what is being paid for."))
PROVIDER_UNKNOWN = ErrorCode("provider_unknown", _("This payment method is not available."))
PROVIDER_NOT_CONFIGURED = ErrorCode(
    "provider_not_configured", _("This payment method is not set up on this installation."), 409
)
PROVIDER_UNAVAILABLE = ErrorCode(
    "provider_unavailable",
    _("The payment provider could not be reached or refused the request; try again later."),
    502,
)
PAYMENT_ALREADY_OPEN = ErrorCode(
    "payment_already_open",
    _("This is already awaiting another payment; close that one first."),
    409,
)
PAYMENT_NOT_OFFLINE = ErrorCode(
    "payment_not_offline", _("Only offline payments are confirmed by staff."), 409
)
PAYMENT_NOT_REFUNDABLE = ErrorCode(
    "payment_not_refundable", _("Only a completed payment can be refunded."), 409
)
REFUND_EXCEEDS_PAYMENT = ErrorCode(
    "refund_exceeds_payment",
    _("At most {refundable} fen of this payment can still be refunded."),
    409,
)
REFUND_KEY_CONFLICT = ErrorCode(
    "refund_key_conflict",
    _("This refund key was already used for another refund."),
    409,
)
NOTIFICATION_INVALID = ErrorCode(
    "notification_invalid", _("The payment notification could not be verified: {reason}.")
)
NOTIFICATION_MISMATCH = ErrorCode(
    "notification_mismatch",
    _("The payment notification does not match our records: {reason}."),
)
NOTIFICATION_UNKNOWN = ErrorCode(
    "notification_unknown", _("The payment notification names no payment or refund of ours.")
)
