"""Reserve, release and commit: what orders do with stock (placing, cancelling, handing over).

Every change is a conditional UPDATE that the database applies only when it keeps
``0 ≤ reserved ≤ on_hand``; nothing is read and then written back. A hot variant is split into
shards (ADR 0008): a reservation starts at a random shard so concurrent buyers spread over the
rows instead of queueing on one.

The statements do not depend on the number of lines (``_bulk``): ``reserve`` reads the shards
of every variant in one query, picks a shard per line from what it read and changes them all
with one conditional UPDATE; ``release`` and ``commit`` find the shards a reservation holds in
its moves and change them with one UPDATE. Only when a line needs several shards, or a
concurrent buyer took the units of a chosen shard between the read and the UPDATE, does
``reserve`` take the lines one at a time (after undoing its attempt, so that row locks are
always taken in the same order).

Each call is done once per (location, key, reason) through ``StockOperation``. The key is the
reference, except for a release or commit of a part of a reservation: each part has its own key
under the reference (``"order:1:aftersale:7"``) while its moves carry the reservation's
reference (and the key in their note), so a later release or commit of the reference finds only
what is still held. These services are called by orders for buyers (or by the system) and check
no staff scope: the caller decides that the buyer may buy.
"""

from __future__ import annotations

import random
from typing import Any

from django.db import transaction
from django.db.models import F, Sum

from trispace.inventory import errors
from trispace.inventory.models import Location, MoveReason, Stock, StockMove, StockOperation
from trispace.inventory.services._bulk import Change, apply
from trispace.inventory.services._common import (
    Lines,
    claim,
    clean_key,
    clean_lines,
    clean_reference,
    move,
    require_location,
)

# One shard of a variant as read before reserving: (stock pk, shard, available).
ShardRow = tuple[int, int, int]
# What one line takes from (or gives back to) one shard: (variant_id, shard, quantity).
Portion = tuple[int, int, int]
GATHER_ATTEMPTS = 3  # per shard, when concurrent buyers keep changing what it has

_random = random.SystemRandom()


class _Contended(Exception):
    """A shard chosen from the read no longer had enough when the UPDATE ran: a concurrent
    buyer was faster."""


def reserve(*, actor: Any, location: Location, lines: Lines, reference: str) -> None:
    """Reserve every line (``(variant_id, quantity)``) at ``location`` for ``reference``.

    All or nothing: when any line cannot be reserved, OUT_OF_STOCK (409, with ``variant_id``
    and ``available``) and nothing changed. A repeated call with the same reference and lines
    does nothing; the same reference with other lines is REFERENCE_REUSED.
    """
    clean = clean_lines(lines)
    ref = clean_reference(reference)
    require_location(location)
    variant_ids = [variant_id for variant_id, _ in clean]
    try:
        with transaction.atomic():
            if not claim(
                location=location,
                reference=ref,
                reason=MoveReason.RESERVE,
                lines=clean,
                actor=actor,
            ):
                return
            shards = _shards(location, variant_ids)
            picks = _pick(clean, shards)
            if picks is None:  # a line no single shard can hold: gather it, line by line
                _save(location, actor, ref, MoveReason.RESERVE, _take_each(location, clean, shards))
                return
            changes = [Change(v, shard, 0, quantity) for v, shard, quantity in picks]
            if len(apply(location, changes)) != len(changes):
                raise _Contended()
            _save(location, actor, ref, MoveReason.RESERVE, picks)
            return
    except _Contended:
        pass
    # A concurrent buyer was faster on a chosen shard. The attempt was rolled back, row locks
    # included; take the lines one at a time in lock order, from what is there now.
    with transaction.atomic():
        if not claim(
            location=location, reference=ref, reason=MoveReason.RESERVE, lines=clean, actor=actor
        ):
            return  # a retry of this reference finished meanwhile
        taken = _take_each(location, clean, _shards(location, variant_ids))
        _save(location, actor, ref, MoveReason.RESERVE, taken)


def release(
    *, actor: Any, location: Location, lines: Lines, reference: str, key: str | None = None
) -> None:
    """Give back what the reservation ``reference`` still holds of each line (at most its
    quantity): a cancelled order, an unpaid timeout, a refund before handover.

    What was released or committed already (or never reserved) is not released again.
    Idempotent per ``key``, which is ``reference`` unless this releases a part of the
    reservation: each part then has its own key under the reference
    (``f"{reference}:aftersale:7"``), and a later release of the reference gives back the rest.
    """
    _settle(
        actor=actor,
        location=location,
        lines=lines,
        reference=reference,
        key=key,
        reason=MoveReason.RELEASE,
    )


def commit(
    *, actor: Any, location: Location, lines: Lines, reference: str, key: str | None = None
) -> None:
    """The goods were handed over (pickup or shipping): on_hand and reserved both decrease.

    Every line must be covered by what ``reference`` still holds, else NOT_RESERVED (409) and
    nothing changed. Idempotent per ``key`` (see ``release``); a part may be committed and the
    rest released.
    """
    _settle(
        actor=actor,
        location=location,
        lines=lines,
        reference=reference,
        key=key,
        reason=MoveReason.COMMIT,
    )


def _settle(
    *,
    actor: Any,
    location: Location,
    lines: Lines,
    reference: str,
    key: str | None,
    reason: str,
) -> None:
    """Release or commit: undo, shard by shard, the lines of what ``reference`` holds."""
    clean = clean_lines(lines)
    ref = clean_reference(reference)
    op_key = clean_key(key, reference=ref)
    require_location(location)
    with transaction.atomic():
        if not claim(location=location, reference=op_key, reason=reason, lines=clean, actor=actor):
            return
        held = _held(location, ref, [variant_id for variant_id, _ in clean])
        if reason == MoveReason.COMMIT:
            for variant_id, quantity in clean:
                holding = sum(amount for _, amount in held.get(variant_id, []))
                if holding < quantity:
                    raise errors.NOT_RESERVED(
                        field="lines", variant_id=variant_id, reserved=holding, reference=ref
                    )
        portions: list[Portion] = []
        for variant_id, quantity in clean:
            left = quantity
            for shard, holding in held.get(variant_id, []):
                if not left:
                    break
                amount = min(holding, left)
                portions.append((variant_id, shard, amount))
                left -= amount
        on_hand = -1 if reason == MoveReason.COMMIT else 0
        changes = [Change(v, shard, on_hand * q, -q) for v, shard, q in portions]
        if len(apply(location, changes)) != len(changes):
            raise errors.CONFLICT()  # a shard lost a reservation it recorded: never expected
        _save(location, actor, ref, reason, portions, note="" if op_key == ref else op_key)


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


def _pick(clean: list[tuple[int, int]], shards: dict[int, list[ShardRow]]) -> list[Portion] | None:
    """A shard for each line, from what was read: from a random shard on, the first that had
    enough. None when some line fits in no single shard (it has to be gathered).

    Sold out as read → OUT_OF_STOCK at once, without touching (or locking) any row.
    """
    picks: list[Portion] = []
    gather = False
    for variant_id, quantity in clean:
        rows = shards.get(variant_id, [])
        if sum(max(available, 0) for _, _, available in rows) < quantity:
            raise _out_of_stock(variant_id, rows)
        count = len(rows)
        start = _random.randrange(count)
        for offset in range(count):
            _, shard, available = rows[(start + offset) % count]
            if available >= quantity:
                picks.append((variant_id, shard, quantity))
                break
        else:
            gather = True
    return None if gather else picks


def _take_each(
    location: Location, clean: list[tuple[int, int]], shards: dict[int, list[ShardRow]]
) -> list[Portion]:
    """Reserve the lines one at a time, in variant order (the lock order)."""
    return [
        (variant_id, shard, taken)
        for variant_id, quantity in clean
        for shard, taken in _take(location, variant_id, shards.get(variant_id, []), quantity)
    ]


def _save(
    location: Location,
    actor: Any,
    reference: str,
    reason: str,
    portions: list[Portion],
    note: str = "",
) -> None:
    """The moves of a reserve (+reserved), release (−reserved) or commit (−both): one insert."""
    reserved = 1 if reason == MoveReason.RESERVE else -1
    on_hand = -1 if reason == MoveReason.COMMIT else 0
    StockMove.objects.bulk_create(
        [
            move(
                location=location,
                variant_id=variant_id,
                shard=shard,
                reason=reason,
                actor=actor,
                delta_on_hand=on_hand * quantity,
                delta_reserved=reserved * quantity,
                reference=reference,
                note=note,
            )
            for variant_id, shard, quantity in portions
        ]
    )


def _take(
    location: Location, variant_id: int, rows: list[ShardRow], quantity: int
) -> list[tuple[int, int]]:
    """Reserve ``quantity`` of one variant from its shards; [(shard, taken), ...].

    1. Sold out as read → refuse at once, without touching (or locking) any row.
    2. From a random shard on, the first shard that had enough is tried with one conditional
       UPDATE that skips a row another buyer holds; a concurrent buyer may have taken it
       meanwhile, then the next is tried. Nothing waits here, and when no shard takes the line
       the savepoint is rolled back, releasing any row PostgreSQL locked for a failed recheck.
    3. No single shard has enough: take what each has, in shard order (the lock order), each
       step conditional. Falling short raises, and the enclosing atomic undoes the steps.

    Rows are therefore only ever waited for in (variant, shard) order: no deadlocks.
    """
    if sum(max(available, 0) for _, _, available in rows) < quantity:
        raise _out_of_stock(variant_id, rows)
    count = len(rows)
    start = _random.randrange(count)
    try:
        with transaction.atomic():
            for offset in range(count):
                _, shard, available = rows[(start + offset) % count]
                if available < quantity:
                    continue
                if apply(location, [Change(variant_id, shard, 0, quantity)], skip_locked=True):
                    return [(shard, quantity)]
            raise _Contended()
    except _Contended:
        pass
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

    The sum of the reference's reserve (+), release (−) and commit (−) moves per shard. The
    reservation's operation is locked first: releases and commits of one reference (under
    different keys) queue there, so each one counts the moves of those before it.
    """
    list(
        StockOperation.objects.select_for_update()
        .filter(location=location, reference=reference, reason=MoveReason.RESERVE)
        .values_list("pk", flat=True)
    )
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
