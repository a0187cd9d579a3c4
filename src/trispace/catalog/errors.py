"""Error codes of ``catalog`` (商品与价格). Codes are stable once published; messages may change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from trispace.kernel.errors import DomainError, ErrorCode

NAME_INVALID = ErrorCode("name_invalid", _("Enter a name of 1 to {max} characters."))
CATEGORY_NAME_TAKEN = ErrorCode(
    "category_name_taken", _("A category of this name already exists at this level."), 409
)
CATEGORY_PARENT_INVALID = ErrorCode(
    "category_parent_invalid", _("A category cannot be placed under itself or its children.")
)
CATEGORY_NOT_EMPTY = ErrorCode(
    "category_not_empty", _("This category still has sub-categories."), 409
)
SKU_INVALID = ErrorCode(
    "sku_invalid", _("Enter a SKU of 1 to 40 letters, digits, dots, dashes or underscores.")
)
SKU_TAKEN = ErrorCode("sku_taken", _("The SKU {sku} is already used."), 409)
BARCODE_INVALID = ErrorCode(
    "barcode_invalid", _("Enter a valid EAN-13, EAN-8 or UPC-A barcode (check digit included).")
)
UNIT_INVALID = ErrorCode("unit_invalid", _("Enter a unit of 1 to 10 characters."))
VARIANT_NOT_FOUND = ErrorCode("variant_not_found", _("This variant does not exist."), 404)
PRODUCT_NOT_READY = ErrorCode(
    "product_not_ready",
    _("A product goes on sale only with at least one active variant and a retail price."),
    409,
)
IMAGE_INVALID = ErrorCode(
    "image_invalid", _("Upload a JPEG, PNG or WebP image of at most {max_mb} MB.")
)
IMAGE_ORDER_INVALID = ErrorCode(
    "image_order_invalid", _("List every image of the product exactly once.")
)
CHANNEL_INVALID = ErrorCode("channel_invalid", _("Unknown price channel."))
CHANNEL_NOT_FOR_ORG = ErrorCode(
    "channel_not_for_org", _("This price channel cannot be set on this kind of organization.")
)
PRICE_MISSING = ErrorCode("price_missing", _("Enter a price."))
PRICE_NEGATIVE = ErrorCode("price_negative", _("A price cannot be negative."))
PRICE_INVALID = ErrorCode("price_invalid", _("Enter the price as a whole number of fen."))
PRICE_TOO_HIGH = ErrorCode("price_too_high", _("This price is too high."))
IMPORT_FILE_INVALID = ErrorCode(
    "import_file_invalid",
    _("Upload an .xlsx file (at most {max_mb} MB) with the columns sku and price."),
)
IMPORT_ROWS_INVALID = ErrorCode(
    "import_rows_invalid", _("{count} rows are not valid; nothing was imported.")
)


@dataclass(frozen=True)
class RowError:
    """One bad row of an import: its spreadsheet row number, the column and why."""

    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


class ImportRefused(DomainError):
    """A price import refused as a whole; ``rows`` says which rows are wrong and why."""

    def __init__(self, rows: list[RowError]) -> None:
        super().__init__(IMPORT_ROWS_INVALID, field="file", params={"count": len(rows)})
        self.rows = rows

    def as_dict(self) -> dict[str, Any]:
        data = super().as_dict()
        data["rows"] = [row.as_dict() for row in self.rows]
        return data
