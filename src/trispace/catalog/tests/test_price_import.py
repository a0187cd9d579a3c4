"""price_import_xlsx: all rows or none."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from trispace.catalog.errors import ImportRefused
from trispace.catalog.models import Price
from trispace.catalog.services import price_import_xlsx
from trispace.catalog.tests.factories import VariantFactory, set_price
from trispace.kernel.errors import DomainError
from trispace.kernel.models import AuditLog, OutboxEvent

pytestmark = pytest.mark.django_db


def xlsx(rows, header=("sku", "price")) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    if header:
        sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("prices.xlsx", buffer.getvalue())


@pytest.fixture
def variants(net):
    return [VariantFactory(product__brand=net.brand, sku=f"S{i}") for i in range(3)]


def run(net, upload, actor=None, organization=None, channel="retail"):
    return price_import_xlsx(
        actor=actor or net.brand_admin,
        organization=organization or net.store,
        channel=channel,
        upload=upload,
    )


def test_import_sets_prices(net, variants):
    set_price(variants[1], net.store, 500)
    set_price(variants[2], net.store, 700)
    result = run(net, xlsx([("S0", "12.3"), ("S1", 9.9), (None, None), ("S2", 7)]))
    assert (result.created, result.updated, result.unchanged) == (1, 1, 1)
    prices = dict(Price.objects.values_list("variant__sku", "price_fen"))
    assert prices == {"S0": 1230, "S1": 990, "S2": 700}
    assert OutboxEvent.objects.filter(name="PriceChanged").count() == 2
    assert AuditLog.objects.filter(action="price_import").count() == 1


def test_chinese_headers(net, variants):
    result = run(net, xlsx([("S0", "¥1,234.50")], header=("商品编码", "价格")))
    assert result.created == 1
    assert Price.objects.get().price_fen == 123450


def test_one_bad_row_refuses_everything(net, variants):
    set_price(variants[0], net.store, 100)
    bad = xlsx(
        [
            ("S0", "12.30"),
            ("NOPE", "1"),
            ("S1", "-1"),
            ("S2", "1.234"),
            ("S2", "abc"),
            ("", "3"),
            ("S1", None),
        ]
    )
    with pytest.raises(ImportRefused) as caught:
        run(net, bad)
    rows = {(e.row, e.column) for e in caught.value.rows}
    assert rows == {(3, "sku"), (4, "price"), (5, "price"), (6, "sku"), (7, "sku"), (8, "sku")}
    assert caught.value.code == "import_rows_invalid"
    assert caught.value.as_dict()["rows"][0]["row"] == 3
    assert Price.objects.get().price_fen == 100
    assert not OutboxEvent.objects.exists()


def test_missing_price_is_a_row_error(net, variants):
    with pytest.raises(ImportRefused) as caught:
        run(net, xlsx([("S0", None)]))
    assert [(e.row, e.column) for e in caught.value.rows] == [(2, "price")]


def test_another_brands_sku_is_unknown(net, variants):
    VariantFactory(sku="FOREIGN")
    with pytest.raises(ImportRefused):
        run(net, xlsx([("FOREIGN", "1")]))
    assert not Price.objects.exists()


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("x.xlsx", b"not a zip"),
        SimpleUploadedFile("x.xlsx", b""),
        "no-header",
        "empty",
    ],
)
def test_bad_files(net, variants, upload):
    if upload == "no-header":
        upload = xlsx([("S0", "1")], header=("code", "amount"))
    elif upload == "empty":
        upload = xlsx([])
    with pytest.raises(DomainError) as caught:
        run(net, upload)
    assert caught.value.code == "import_file_invalid"
    assert not Price.objects.exists()


def test_permission_is_checked_before_reading(net, variants):
    with pytest.raises(DomainError) as caught:
        run(net, xlsx([("S0", "1")]), actor=net.owner)
    assert caught.value.code == "permission_denied"
    assert not Price.objects.exists()
