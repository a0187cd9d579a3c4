"""One conditional UPDATE for the shards of a whole order (reserve, release, commit).

Placing, paying and handing over an order must cost the same number of queries whatever the
number of lines, so the shards chosen for every line are changed by one statement (below):

* PostgreSQL — a ``FOR NO KEY UPDATE`` sub-select locks the rows in one order (variant, then
  shard: the lock order of every stock write, ADR 0008), then the UPDATE changes them. A plain
  ``UPDATE … FROM (VALUES …)`` would lock in whatever order the plan visits the rows (a hash
  join visits them in physical order, which concurrent updates keep changing), and two orders
  sharing two shards could then deadlock.
* SQLite (≥ 3.35) — the same ``WITH … UPDATE … FROM … RETURNING`` without the lock: SQLite
  runs one writer at a time.

A change applies only where the row keeps the table's CHECKs with the new values,
``0 ≤ reserved + Δr ≤ on_hand + Δh``, evaluated by the database on the row it writes
(PostgreSQL re-evaluates it on the latest version after waiting for a lock). A row that does
not fit is left alone and is missing from the result; nothing is read and then written back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from django.db import connection

from trispace.inventory.models import Location

# {values} becomes a list of _ROW placeholders: every value is a parameter.
_ROW = "(CAST(%s AS bigint), CAST(%s AS integer), CAST(%s AS integer), CAST(%s AS integer))"

_POSTGRESQL = """
WITH change (variant_id, shard, d_on_hand, d_reserved) AS (VALUES {values}),
locked AS (
    SELECT s.id, c.d_on_hand, c.d_reserved
    FROM inventory_stock AS s
    JOIN change AS c ON s.variant_id = c.variant_id AND s.shard = c.shard
    WHERE s.location_id = %s
      AND s.reserved + c.d_reserved >= 0
      AND s.on_hand + c.d_on_hand >= s.reserved + c.d_reserved
    ORDER BY s.variant_id, s.shard
    FOR NO KEY UPDATE OF s {skip_locked}
)
UPDATE inventory_stock AS s
SET on_hand = s.on_hand + l.d_on_hand, reserved = s.reserved + l.d_reserved
FROM locked AS l
WHERE s.id = l.id
  AND s.reserved + l.d_reserved >= 0
  AND s.on_hand + l.d_on_hand >= s.reserved + l.d_reserved
RETURNING s.variant_id, s.shard
"""

_SQLITE = """
WITH change (variant_id, shard, d_on_hand, d_reserved) AS (VALUES {values})
UPDATE inventory_stock AS s
SET on_hand = s.on_hand + c.d_on_hand, reserved = s.reserved + c.d_reserved
FROM change AS c
WHERE s.location_id = %s
  AND s.variant_id = c.variant_id AND s.shard = c.shard
  AND s.reserved + c.d_reserved >= 0
  AND s.on_hand + c.d_on_hand >= s.reserved + c.d_reserved
RETURNING variant_id, shard
"""


class Change(NamedTuple):
    """Add ``on_hand`` and ``reserved`` (either may be negative) to one shard of a variant."""

    variant_id: int
    shard: int
    on_hand: int
    reserved: int


def apply(
    location: Location, changes: Sequence[Change], *, skip_locked: bool = False
) -> set[tuple[int, int]]:
    """Apply each change whose shard keeps ``0 ≤ reserved ≤ on_hand``; one statement.

    Returns the (variant_id, shard) of the rows changed. At most one change per shard. With
    ``skip_locked`` a row that another transaction holds is left alone instead of waited for
    (PostgreSQL; SQLite never has to wait).
    """
    if not changes:
        return set()
    if len({(c.variant_id, c.shard) for c in changes}) != len(changes):
        raise ValueError("one change per shard")
    template = _POSTGRESQL if connection.vendor == "postgresql" else _SQLITE
    sql = template.format(
        values=", ".join([_ROW] * len(changes)),
        skip_locked="SKIP LOCKED" if skip_locked else "",
    )
    params = [value for change in sorted(changes) for value in change]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, location.pk])
        return {(int(variant_id), int(shard)) for variant_id, shard in cursor.fetchall()}
