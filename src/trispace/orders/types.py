"""Inputs of checkout that are more than ids: the delivery address and the share context."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from trispace.accounts import phones
from trispace.kernel.errors import DomainError
from trispace.orders import errors

MAX_ID = 2**63 - 1
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass(frozen=True)
class Address:
    """A delivery address as the buyer typed it; ``phone`` is stored in E.164."""

    name: str
    phone: str
    region_code: str
    detail: str

    @classmethod
    def clean(cls, raw: Any) -> Address:
        """Validate an Address or a mapping with those keys (ADDRESS_INVALID otherwise).

        The district's existence is checked by the service (a query)."""
        if isinstance(raw, Address):
            raw = {f.name: getattr(raw, f.name) for f in fields(raw)}
        if not isinstance(raw, Mapping):
            raise errors.ADDRESS_INVALID(field="address")
        values = {}
        for key, limit in (("name", 50), ("phone", 32), ("region_code", 6), ("detail", 200)):
            value = raw.get(key)
            text = value.strip() if isinstance(value, str) else ""
            if not text or len(text) > limit:
                raise errors.ADDRESS_INVALID(field=f"address.{key}")
            values[key] = text
        if not values["region_code"].isascii() or not values["region_code"].isdigit():
            raise errors.ADDRESS_INVALID(field="address.region_code")
        try:
            values["phone"] = phones.normalize(values["phone"])
        except DomainError as exc:
            raise errors.ADDRESS_INVALID(field="address.phone") from exc
        return cls(**values)


@dataclass(frozen=True)
class ShareContext:
    """Who brought the order (link or QR parameters remembered in the session or passed by
    the API). Opaque ids of higher contexts; a value that is not a positive id is dropped, so a
    mangled link never blocks a purchase."""

    group_id: int | None = None
    leader_id: int | None = None
    promoter_id: int | None = None
    salesperson_id: int | None = None
    live_session_id: int | None = None
    campaign_id: int | None = None
    share_token: str = ""

    @classmethod
    def clean(cls, raw: Any) -> ShareContext:
        if raw is None:
            return cls()
        if isinstance(raw, ShareContext):
            raw = {f.name: getattr(raw, f.name) for f in fields(raw)}
        if not isinstance(raw, Mapping):
            return cls()
        values: dict[str, Any] = {}
        for f in fields(cls):
            value = raw.get(f.name)
            if f.name == "share_token":
                values[f.name] = value if isinstance(value, str) and _TOKEN.fullmatch(value) else ""
            else:
                values[f.name] = _positive_id(value)
        return cls(**values)

    def as_fields(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _positive_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 19:
        value = int(value)
    if isinstance(value, int) and 0 < value <= MAX_ID:
        return value
    return None
