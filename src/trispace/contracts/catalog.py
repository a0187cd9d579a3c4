"""Events published by ``catalog`` (商品与价格)."""

from __future__ import annotations

import dataclasses

from trispace.kernel.events import Event


@dataclasses.dataclass(frozen=True, kw_only=True)
class ProductStatusChanged(Event):
    product_id: int
    old_status: str
    new_status: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class PriceChanged(Event):
    price_list_id: int
    variant_id: int
    old_price_fen: int | None
    new_price_fen: int | None
