"""Bulk price import from a spreadsheet: all rows or none.

The first sheet's first row names the columns: ``sku`` and ``price`` (in yuan, as people type it:
"12.3", "12", "¥1,234.50"; Chinese headers 编码/SKU and 价格/售价 work too). Every row is checked
first; if any is wrong, the import is refused with each bad row's number and reason and nothing
changes.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from trispace.catalog import errors
from trispace.catalog.errors import ImportRefused, RowError
from trispace.catalog.models import Price, Variant
from trispace.catalog.permissions import (
    brand_id_of_path,
    require_price,
    require_view_org,
    scope_of_actor,
)
from trispace.catalog.services.prices import (
    MAX_PRICE_FEN,
    apply_price,
    clean_channel,
    price_list_of,
)
from trispace.kernel import audit
from trispace.kernel import time as ktime
from trispace.kernel.money import parse_yuan
from trispace.network.models import Organization

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
SKU_HEADERS = {"sku", "编码", "商品编码", "sku编码"}
PRICE_HEADERS = {"price", "价格", "售价", "price (yuan)", "价格(元)", "价格（元）"}


@dataclass(frozen=True)
class PriceImportResult:
    created: int
    updated: int
    unchanged: int

    @property
    def changed(self) -> int:
        return self.created + self.updated


def _refuse_file() -> Exception:
    return errors.IMPORT_FILE_INVALID(field="file", max_mb=MAX_FILE_BYTES // (1024 * 1024))


def _read_rows(upload: Any) -> list[tuple[int, Any, Any]]:
    """(row number, sku cell, price cell) for every non-empty data row of the first sheet."""
    from openpyxl import load_workbook

    size = getattr(upload, "size", None)
    if not isinstance(size, int) or size <= 0 or size > MAX_FILE_BYTES:
        raise _refuse_file()
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(MAX_FILE_BYTES + 1)
    if not isinstance(data, bytes) or len(data) > MAX_FILE_BYTES:
        raise _refuse_file()
    try:
        workbook = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise _refuse_file() from exc
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise _refuse_file()
        names = [str(cell).strip().lower() if cell is not None else "" for cell in header]
        sku_col = next((i for i, n in enumerate(names) if n in SKU_HEADERS), None)
        price_col = next((i for i, n in enumerate(names) if n in PRICE_HEADERS), None)
        if sku_col is None or price_col is None:
            raise _refuse_file()
        found: list[tuple[int, Any, Any]] = []
        for number, row in enumerate(rows, start=2):
            cells = list(row)
            sku = cells[sku_col] if sku_col < len(cells) else None
            price = cells[price_col] if price_col < len(cells) else None
            if _blank(sku) and _blank(price):
                continue
            found.append((number, sku, price))
            if len(found) > MAX_ROWS:
                raise _refuse_file()
        return found
    finally:
        workbook.close()


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _parse_price(value: Any) -> int:
    """Fen from a cell: text as typed, or a number Excel stored (12.3 is 12.30 yuan)."""
    if isinstance(value, bool):
        raise ValueError("not an amount")
    if isinstance(value, float):
        value = str(Decimal(repr(value)))
    elif isinstance(value, Decimal):
        value = str(value)
    return parse_yuan(value)


def price_import_xlsx(
    *, actor: Any, organization: Organization, channel: str, upload: Any
) -> PriceImportResult:
    """Set the prices of the spreadsheet ``upload`` on the ``channel`` list at ``organization``."""
    scope = scope_of_actor(actor)
    require_view_org(scope, organization)
    channel = clean_channel(channel, organization)
    require_price(scope, organization, channel)
    rows = _read_rows(upload)
    if not rows:
        raise _refuse_file()

    problems: list[RowError] = []
    skus = [str(row[1]).strip() for row in rows if not _blank(row[1])]
    variants = {
        v.sku: v.pk
        for v in Variant.objects.filter(
            sku__in=skus, product__brand_id=brand_id_of_path(organization.path)
        ).only("pk", "sku")
    }
    wanted: dict[int, int] = {}  # variant id → fen
    seen: dict[str, int] = {}
    for number, sku_cell, price_cell in rows:
        sku = "" if _blank(sku_cell) else str(sku_cell).strip()
        if not sku:
            problems.append(RowError(number, "sku", _("The SKU is missing.")))
            continue
        if sku not in variants:
            problems.append(RowError(number, "sku", _("Unknown SKU: %(sku)s") % {"sku": sku}))
            continue
        if sku in seen:
            problems.append(
                RowError(number, "sku", _("This SKU is also on row %(row)s.") % {"row": seen[sku]})
            )
            continue
        seen[sku] = number
        if _blank(price_cell):
            problems.append(RowError(number, "price", _("The price is missing.")))
            continue
        try:
            fen = _parse_price(price_cell)
        except ValueError:
            problems.append(
                RowError(number, "price", _("Not a price in yuan with at most two decimals."))
            )
            continue
        if fen < 0:
            problems.append(RowError(number, "price", _("A price cannot be negative.")))
            continue
        if fen > MAX_PRICE_FEN:
            problems.append(RowError(number, "price", _("This price is too high.")))
            continue
        wanted[variants[sku]] = fen
    if problems:
        raise ImportRefused(problems)

    created = updated = unchanged = 0
    with transaction.atomic():
        price_list = price_list_of(organization, channel, create=True)
        assert price_list is not None
        existing = {
            p.variant_id: p
            for p in Price.objects.select_for_update().filter(
                price_list=price_list, variant_id__in=list(wanted)
            )
        }
        for variant_id, fen in wanted.items():
            before = existing.get(variant_id)
            _price, changed = apply_price(
                actor=actor,
                price_list=price_list,
                variant_id=variant_id,
                price_fen=fen,
                existing=before,
            )
            if not changed:
                unchanged += 1
            elif before is None:
                created += 1
            else:
                updated += 1
        type(price_list).objects.filter(pk=price_list.pk).update(updated_at=ktime.now())
        audit.record(
            actor=actor,
            action="price_import",
            target=price_list,
            data={"rows": len(rows), "created": created, "updated": updated},
        )
    return PriceImportResult(created=created, updated=updated, unchanged=unchanged)
