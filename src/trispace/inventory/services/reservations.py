"""Reserve, release and commit: what orders do with stock (placing, cancelling, handing over).

Every change is a conditional UPDATE that the database applies only when it keeps
``0 ≤ reserved ≤ on_hand`` (``filter(pk=…, on_hand__gte=F("reserved") + q).update(…)``); nothing
is read and then written back. A hot variant is split into shards (ADR 0008): a reservation
starts at a random shard so concurrent buyers spread over the rows instead of queueing on one.

Each call is idempotent per (location, reference, reason) through ``StockOperation``; the moves
of a reference record which shards hold its reservation, and release and commit undo exactly
those. These services are called by orders for buyers (or by the system) and check no staff
scope: the caller decides that the buyer may buy.
"""

from __future__ import annotations

import random
from typing import Any

from django.db import transaction
from django.db.models import F, Sum

from trispace.inventory import errors
from trispace.inventory.models import Location, MoveReason, Stock, StockMove
from trispace.inventory.services._common import (
    Lines,
    claim,
    clean_lines,
    clean_reference,
    move,
    require_location,
)

# One shard of a variant as read before reserving: (stock pk, shard, available).
ShardRow = tuple[int, int, int]
GATHER_ATTEMPTS = 3  # per shard, when concurrent buyers keep changing what it has

_random = random.SystemRandom()


def reserve(*, actor: Any, location: Location, lines: Lines, reference: str) -> None:
    """Reserve every line (``(variant_id, quantity)``) at ``location`` for ``reference``.

    All or nothing: when any line cannot be reserved, OUT_OF_STOCK (409, with ``variant_id``
    and ``available``) and nothing changed. A repeated call with the same reference and lines
    does nothing; the same reference with other lines is REFERENCE_REUSED.
    """
    clean = clean_lines(lines)
    ref = clean_reference(reference)
    require_location(location)
    with transaction.atomic():
        if not claim(
            location=location, reference=ref, reason=MoveReason.RESERVE, lines=clean, actor=actor
        ):
            return
        shards = _shards(location, [variant_id for variant_id, _ in clean])
        moves: list[StockMove] = []
        for variant_id, quantity in clean:
            for shard, taken in _take(variant_id, shards.get(variant_id, []), quantity):
                moves.append(
                    move(
                        location=location,
                        variant_id=variant_id,
                        shard=shard,
                        reason=MoveReason.RESERVE,
                        actor=actor,
                        delta_reserved=taken,
                        reference=ref,
                    )
                )
        StockMove.objects.bulk_create(moves)


def release(*, actor: Any, location: Location, lines: Lines, reference: str) -> None:
    """Give back what ``reference`` still holds of each line (at most its quantity).

    For a cancelled order, an unpaid timeout or a refund before handover. What was committed
    already (or never reserved) is not released again. Idempotent per reference.
    """
    clean = clean_lines(lines)
    ref = clean_reference(reference)
    require_location(location)
    with transaction.atomic():
        if not claim(
            location=location, reference=ref, reason=MoveReason.RELEASE, lines=clean, actor=actor
        ):
            return
        held = _held(location, ref, [variant_id for variant_id, _ in clean])
        moves: list[StockMove] = []
        for variant_id, quantity in clean:
            left = quantity
            for shard, holding in held.get(variant_id, []):
                amount = min(holding, left)
                changed = Stock.objects.filter(
                    location=location,
                    variant_id=variant_id,
                    shard=shard,
                    reserved__gte=amount,
                ).update(reserved=F("reserved") - amount)
                if changed != 1:  # the shard lost a reservation it recorded: never expected
                    raise errors.CONFLICT()
                moves.append(
                    move(
                        location=location,
                        variant_id=variant_id,
                        shard=shard,
                        reason=MoveReason.RELEASE,
                        actor=actor,
                        delta_reserved=-amount,
                        reference=ref,
                    )
                )
                left -= amount
                if not left:
                    break
        StockMove.objects.bulk_create(moves)


def commit(*, actor: Any, location: Location, lines: Lines, reference: str) -> None:
    """The goods were handed over (pickup or shipping): on_hand and reserved both decrease.

    Every line must be covered by what ``reference`` holds, else NOT_RESERVED (409) and
    nothing changed. Idempotent per reference; a part may be committed and the rest released.
    """
    clean = clean_lines(lines)
    ref = clean_reference(reference)
    require_location(location)
    with transaction.atomic():
        if not claim(
            location=location, reference=ref, reason=MoveReason.COMMIT, lines=clean, actor=actor
        ):
            return
        held = _held(location, ref, [variant_id for variant_id, _ in clean])
        for variant_id, quantity in clean:
            holding = sum(amount for _, amount in held.get(variant_id, []))
            if holding < quantity:
                raise errors.NOT_RESERVED(
                    field="lines", variant_id=variant_id, reserved=holding, reference=ref
                )
        moves: list[StockMove] = []
        for variant_id, quantity in clean:
            left = quantity
            for shard, holding in held[variant_id]:
                amount = min(holding, left)
                changed = Stock.objects.filter(
                    location=location,
                    variant_id=variant_id,
                    shard=shard,
                    reserved__gte=amount,
                    on_hand__gte=amount,
                ).update(on_hand=F("on_hand") - amount, reserved=F("reserved") - amount)
                if changed != 1:
                    raise errors.CONFLICT()
                moves.append(
                    move(
                        location=location,
                        variant_id=variant_id,
                        shard=shard,
                        reason=MoveReason.COMMIT,
                        actor=actor,
                        delta_on_hand=-amount,
                        delta_reserved=-amount,
                        reference=ref,
                    )
                )
                left -= amount
                if not left:
                    break
        StockMove.objects.bulk_create(moves)


# --- helpers --------------------------------------------------------------------------------
def _shards(location: Location, variant_ids: list[int]) -> dict[int, list[ShardRow]]:
    """Every shard of the variants with what it had available when read (one query)."""
    found: dict[int, list[ShardRow]] = {}
    rows = (
        Stock.objects.filter(location=location, variant_id__in=variant_ids)
        .order_by("variant_id", "shard")
        .values_list("variant_id", "pk", "shard", "on_hand", "reserved")
    )
    for variant_id, pk, shard, on_hand, reserved in rows:
        found.setdefault(variant_id, []).append((pk, shard, on_hand - reserved))
    return found


def _take(variant_id: int, rows: list[ShardRow], quantity: int) -> list[tuple[int, int]]:
    """Reserve ``quantity`` of one variant from its shards; [(shard, taken), ...].

    1. Sold out as read → refuse at once, without touching (or locking) any row.
    2. From a random shard on, the first shard that had enough is tried with one conditional
       UPDATE; a concurrent buyer may have taken it meanwhile, then the next is tried.
    3. No single shard has enough: take what each has, in shard order (the lock order), each
       step conditional. Falling short raises, and the enclosing atomic undoes the steps.
    """
    if sum(max(available, 0) for _, _, available in rows) < quantity:
        raise _out_of_stock(variant_id, rows)
    count = len(rows)
    start = _random.randrange(count)
    for offset in range(count):
        pk, shard, available = rows[(start + offset) % count]
        if available < quantity:
            continue
        if Stock.objects.filter(pk=pk, on_hand__gte=F("reserved") + quantity).update(
            reserved=F("reserved") + quantity
        ):
            return [(shard, quantity)]
    fresh = _fresh(rows)
    if sum(fresh.values()) < quantity:
        raise _out_of_stock(variant_id, rows, fresh)
    taken: list[tuple[int, int]] = []
    need = quantity
    for pk, shard, _ in rows:
        available = fresh[pk]
        for _attempt in range(GATHER_ATTEMPTS):
            if available <= 0:
                break
            amount = min(available, need)
            if Stock.objects.filter(pk=pk, on_hand__gte=F("reserved") + amount).update(
                reserved=F("reserved") + amount
            ):
                taken.append((shard, amount))
                need -= amount
                break
            available = _fresh([(pk, shard, 0)])[pk]
        if not need:
            return taken
    raise errors.OUT_OF_STOCK(field="lines", variant_id=variant_id, available=quantity - need)


def _fresh(rows: list[ShardRow]) -> dict[int, int]:
    """What each shard has available now (one query)."""
    values = Stock.objects.filter(pk__in=[pk for pk, _, _ in rows]).values_list(
        "pk", "on_hand", "reserved"
    )
    found = {pk: 0 for pk, _, _ in rows}
    found.update({pk: max(on_hand - reserved, 0) for pk, on_hand, reserved in values})
    return found


def _out_of_stock(
    variant_id: int, rows: list[ShardRow], fresh: dict[int, int] | None = None
) -> Exception:
    available = sum(fresh.values()) if fresh is not None else sum(max(a, 0) for _, _, a in rows)
    return errors.OUT_OF_STOCK(field="lines", variant_id=variant_id, available=available)


def _held(
    location: Location, reference: str, variant_ids: list[int]
) -> dict[int, list[tuple[int, int]]]:
    """What ``reference`` still holds, per variant: [(shard, quantity), ...] in shard order.

    The sum of the reference's reserve (+), release (−) and commit (−) moves per shard.
    """
    rows = (
        StockMove.objects.filter(location=location, reference=reference, variant_id__in=variant_ids)
        .values("variant_id", "shard")
        .annotate(held=Sum("delta_reserved"))
        .order_by("variant_id", "shard")
    )
    found: dict[int, list[tuple[int, int]]] = {}
    for row in rows:
        if row["held"] > 0:
            found.setdefault(row["variant_id"], []).append((row["shard"], row["held"]))
    return found
