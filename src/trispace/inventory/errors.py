"""Error codes of ``inventory`` (库存). Codes are stable once published; messages may change."""

from django.utils.translation import gettext_lazy as _

from trispace.kernel.errors import CONFLICT, INVALID, NOT_FOUND, PERMISSION_DENIED, ErrorCode

__all__ = [
    "CONFLICT",
    "INVALID",
    "KEY_INVALID",
    "LINES_INVALID",
    "LOCATION_INACTIVE",
    "NOT_FOUND",
    "NOT_RESERVED",
    "OUT_OF_STOCK",
    "PERMISSION_DENIED",
    "QUANTITY_INVALID",
    "REASON_INVALID",
    "REFERENCE_INVALID",
    "REFERENCE_REUSED",
    "SHARDS_INVALID",
    "STOCK_BELOW_RESERVED",
    "VARIANT_NOT_FOUND",
]

OUT_OF_STOCK = ErrorCode(
    "out_of_stock", _("Not enough stock of variant {variant_id}: {available} available."), 409
)
STOCK_BELOW_RESERVED = ErrorCode(
    "stock_below_reserved",
    _("The count {counted} is below the {reserved} units reserved for orders."),
    409,
)
NOT_RESERVED = ErrorCode(
    "not_reserved",
    _("Variant {variant_id} has only {reserved} units reserved for {reference}."),
    409,
)
REFERENCE_REUSED = ErrorCode(
    "reference_reused",
    _("{reference} was already used for this action with other quantities."),
    409,
)
LOCATION_INACTIVE = ErrorCode(
    "location_inactive", _("This stock location is not in use any more."), 409
)
VARIANT_NOT_FOUND = ErrorCode("variant_not_found", _("This variant does not exist."), 404)
QUANTITY_INVALID = ErrorCode("quantity_invalid", _("Enter a whole number from {min} to {max}."))
LINES_INVALID = ErrorCode(
    "lines_invalid", _("Give at least one line of a variant and a positive quantity.")
)
REASON_INVALID = ErrorCode("reason_invalid", _("Choose a valid reason."))
REFERENCE_INVALID = ErrorCode(
    "reference_invalid", _("Give a reference of 1 to 100 characters, such as order:123.")
)
KEY_INVALID = ErrorCode(
    "key_invalid",
    _("Give {reference} itself or a key under it ({reference}:…), 100 characters at most."),
)
SHARDS_INVALID = ErrorCode("shards_invalid", _("Choose between 1 and {max} shards."))
