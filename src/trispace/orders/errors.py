"""Error codes of ``orders`` (订单). Codes are stable once published; messages may change."""

from django.utils.translation import gettext_lazy as _

from trispace.kernel.errors import (
    CONFLICT,
    INVALID,
    NOT_AUTHENTICATED,
    NOT_FOUND,
    PERMISSION_DENIED,
    TRANSITION_NOT_ALLOWED,
    ErrorCode,
)

__all__ = [
    "ADDRESS_INVALID",
    "AFTERSALE_EMPTY",
    "AFTERSALE_NOT_ALLOWED",
    "AFTERSALE_QUANTITY_EXCEEDED",
    "AFTERSALE_WINDOW_CLOSED",
    "ALREADY_PICKED_UP",
    "CART_EMPTY",
    "CONFLICT",
    "FULFILMENT_INVALID",
    "INVALID",
    "LIMIT_EXCEEDED",
    "NOT_AUTHENTICATED",
    "NOT_FOUND",
    "ORDER_EXPIRED",
    "PERMISSION_DENIED",
    "PICKUP_CODE_INVALID",
    "PICKUP_NOT_PAID",
    "POLICY_INVALID",
    "QUANTITY_INVALID",
    "REASON_INVALID",
    "STORE_UNAVAILABLE",
    "TOO_MANY_LINES",
    "TRACKING_INVALID",
    "TRANSITION_NOT_ALLOWED",
    "VARIANT_UNAVAILABLE",
]

CART_EMPTY = ErrorCode("cart_empty", _("Your cart is empty."))
QUANTITY_INVALID = ErrorCode("quantity_invalid", _("Enter a quantity from 1 to {max}."))
TOO_MANY_LINES = ErrorCode("too_many_lines", _("An order holds at most {max} different items."))
VARIANT_UNAVAILABLE = ErrorCode(
    "variant_unavailable", _("This item is not sold at this store at the moment."), 409
)
STORE_UNAVAILABLE = ErrorCode(
    "store_unavailable", _("This store does not take orders at the moment."), 409
)
LIMIT_EXCEEDED = ErrorCode(
    "limit_exceeded", _("You may buy at most {max} of this item ({left} left for you)."), 409
)
FULFILMENT_INVALID = ErrorCode("fulfilment_invalid", _("Choose pickup at the store or delivery."))
ADDRESS_INVALID = ErrorCode(
    "address_invalid", _("Enter the recipient's name, phone number, district and address.")
)
ORDER_EXPIRED = ErrorCode(
    "order_expired", _("This order was not paid in time and is being cancelled."), 409
)
PICKUP_CODE_INVALID = ErrorCode(
    "pickup_code_invalid", _("No order waits for pickup at this store with this code."), 404
)
PICKUP_NOT_PAID = ErrorCode("pickup_not_paid", _("This order has not been paid yet."), 409)
ALREADY_PICKED_UP = ErrorCode(
    "already_picked_up", _("This order has already been picked up or is no longer open."), 409
)
TRACKING_INVALID = ErrorCode(
    "tracking_invalid", _("Enter a tracking number of 4 to 40 letters, digits or dashes.")
)
REASON_INVALID = ErrorCode("reason_invalid", _("Enter a reason of 1 to {max} characters."))
AFTERSALE_NOT_ALLOWED = ErrorCode(
    "aftersale_not_allowed", _("A refund cannot be requested for this order now."), 409
)
AFTERSALE_WINDOW_CLOSED = ErrorCode(
    "aftersale_window_closed", _("The after-sale period of this order has ended."), 409
)
AFTERSALE_EMPTY = ErrorCode("aftersale_empty", _("Choose at least one item to refund."))
AFTERSALE_QUANTITY_EXCEEDED = ErrorCode(
    "aftersale_quantity_exceeded",
    _("At most {available} of this item can still be refunded."),
    409,
)
POLICY_INVALID = ErrorCode("policy_invalid", _("Enter whole numbers within the allowed range."))
