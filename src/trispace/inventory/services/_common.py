"""What the inventory services share: input checks, the idempotency claim, moves, spreading."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import IntegrityError, transaction

from trispace.catalog.models import Variant
from trispace.inventory import errors
from trispace.inventory.models import MAX_QUANTITY, Location, StockMove, StockOperation
from trispace.kernel import time as ktime
from trispace.kernel.audit import actor_pk

MAX_REFERENCE = 100
MAX_NOTE = 255

Lines = Sequence[tuple[int, int]]


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def clean_quantity(value: Any, *, field: str, minimum: int = 1) -> int:
    if not is_int(value) or not minimum <= value <= MAX_QUANTITY:
        raise errors.QUANTITY_INVALID(field=field, min=minimum, max=MAX_QUANTITY)
    return int(value)


def clean_lines(lines: Iterable[Any]) -> list[tuple[int, int]]:
    """``[(variant_id, quantity), ...]`` merged per variant and sorted by variant id.

    The sort is the lock order: every service touches variants in ascending id order (and a
    variant's shards in ascending shard order), so two transactions never wait on each other
    in a cycle.
    """
    merged: dict[int, int] = {}
    try:
        items = list(lines)
    except TypeError as exc:
        raise errors.LINES_INVALID(field="lines") from exc
    for item in items:
        try:
            variant_id, quantity = item
        except (TypeError, ValueError) as exc:
            raise errors.LINES_INVALID(field="lines") from exc
        if not is_int(variant_id) or variant_id <= 0:
            raise errors.LINES_INVALID(field="lines")
        clean_quantity(quantity, field="lines")
        merged[variant_id] = merged.get(variant_id, 0) + quantity
        if merged[variant_id] > MAX_QUANTITY:
            raise errors.QUANTITY_INVALID(field="lines", min=1, max=MAX_QUANTITY)
    if not merged:
        raise errors.LINES_INVALID(field="lines")
    return sorted(merged.items())


def clean_reference(value: Any, *, required: bool = True) -> str:
    if not isinstance(value, str):
        raise errors.REFERENCE_INVALID(field="reference")
    text = value.strip()
    if (required and not text) or len(text) > MAX_REFERENCE:
        raise errors.REFERENCE_INVALID(field="reference")
    return text


def clean_key(value: Any, *, reference: str) -> str:
    """The idempotency key of a release or commit: ``reference`` itself (None), or a key that
    names a part of it, ``f"{reference}:…"`` — so the keys of two reservations never meet."""
    if value is None:
        return reference
    if not isinstance(value, str):
        raise errors.KEY_INVALID(field="key", reference=reference)
    text = value.strip()
    if len(text) > MAX_REFERENCE or not (
        text == reference or (text.startswith(f"{reference}:") and len(text) > len(reference) + 1)
    ):
        raise errors.KEY_INVALID(field="key", reference=reference)
    return text


def clean_note(value: Any, field: str = "reason") -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value.strip()) > MAX_NOTE:
        raise errors.INVALID(field=field)
    return value.strip()


def require_location(location: Any) -> Location:
    if not isinstance(location, Location) or location.pk is None:
        raise errors.NOT_FOUND(field="location")
    if not location.is_active:
        raise errors.LOCATION_INACTIVE(field="location")
    return location


def require_variant_at(location: Location, variant: Any) -> Variant:
    """The variant, when it is one of the brand whose tree holds ``location``."""
    if not isinstance(variant, Variant) or variant.pk is None:
        raise errors.VARIANT_NOT_FOUND(field="variant")
    brand_id = int(location.organization.path.split(".", 1)[0])
    if variant.product.brand_id != brand_id:
        raise errors.VARIANT_NOT_FOUND(field="variant")
    return variant


def claim(*, location: Location, reference: str, reason: str, lines: Lines, actor: Any) -> bool:
    """Record that ``reason`` is being done for ``reference`` (the operation's key: a reference,
    or a key under it for a part); False when it was done already.

    The unique (location, reference, reason) row makes a retry harmless even when it races the
    first call: on PostgreSQL the second insert waits for the first transaction and then fails.
    The same key with other lines is REFERENCE_REUSED.
    """
    payload = [[variant_id, quantity] for variant_id, quantity in lines]
    try:
        with transaction.atomic():
            StockOperation.objects.create(
                location=location,
                reference=reference,
                reason=reason,
                lines=payload,
                actor_id=actor_pk(actor),
                at=ktime.now(),
            )
    except IntegrityError:
        done = (
            StockOperation.objects.filter(location=location, reference=reference, reason=reason)
            .values_list("lines", flat=True)
            .first()
        )
        if done is None:  # the first call rolled back between our insert and this read
            raise errors.CONFLICT() from None
        if done != payload:
            raise errors.REFERENCE_REUSED(field="reference", reference=reference) from None
        return False
    return True


def move(
    *,
    location: Location,
    variant_id: int,
    shard: int,
    reason: str,
    actor: Any,
    delta_on_hand: int = 0,
    delta_reserved: int = 0,
    reference: str = "",
    note: str = "",
) -> StockMove:
    """An unsaved move (the caller saves its moves with one ``bulk_create``)."""
    return StockMove(
        location=location,
        variant_id=variant_id,
        shard=shard,
        delta_on_hand=delta_on_hand,
        delta_reserved=delta_reserved,
        reason=reason,
        reference=reference,
        note=note,
        actor_id=actor_pk(actor),
        at=ktime.now(),
    )


def spread(total: int, parts: int) -> list[int]:
    """``total`` in ``parts`` whole parts that differ by at most one (earlier parts get more)."""
    if parts <= 0:
        raise ValueError("parts must be positive")
    whole, rest = divmod(total, parts)
    return [whole + 1 if i < rest else whole for i in range(parts)]
