"""Bulk writing for the seed: ids reserved up front, rows streamed in without model instances.

* ``IdAllocator`` hands out primary keys before the rows exist, so parents, paths and foreign
  keys are computed in Python and every table is written in one pass (no read-back, no second
  UPDATE). On PostgreSQL the ids come from the table's own sequence (``nextval`` over
  ``generate_series``), which stays correct beside concurrent writers; elsewhere (SQLite) from
  the table's high-water mark, which is safe because the seed runs in one write transaction.
* ``Table.insert`` writes plain tuples: ``COPY … FROM STDIN`` on PostgreSQL, batched
  ``executemany`` elsewhere. Values go in as they are, so callers give database-ready values
  (ids rather than instances); JSON and datetimes are adapted here.

This bypasses model ``save()`` and defaults on purpose: it is for fixture data (the seed and
the benchmarks), never for a use case, which goes through its service.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, models

Adapter = Callable[[Any], Any]


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


class IdAllocator:
    """Primary keys for rows not yet written, per model."""

    def __init__(self) -> None:
        self._next: dict[str, int] = {}

    def take(self, model: type[models.Model], count: int) -> list[int]:
        if count <= 0:
            return []
        table = model._meta.db_table
        column = str(model._meta.pk.column)
        with connection.cursor() as cursor:
            if is_postgres():
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [table, column, count],
                )
                return [row[0] for row in cursor.fetchall()]
            if not connection.in_atomic_block:
                raise RuntimeError("reserving ids without a sequence needs a transaction")
            if table not in self._next:
                quote = connection.ops.quote_name
                cursor.execute(f"SELECT MAX({quote(column)}) FROM {quote(table)}")  # noqa: S608
                top = cursor.fetchone()[0] or 0
                if connection.vendor == "sqlite":
                    # AUTOINCREMENT never reuses an id, even a deleted one: start above it.
                    cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
                    row = cursor.fetchone()
                    top = max(top, row[0] if row else 0)
                self._next[table] = top + 1
        first = self._next[table]
        self._next[table] = first + count
        return list(range(first, first + count))


class Table:
    """Write rows of ``fields`` (model field names, e.g. ``user_id``) into ``model``'s table.

    Every other concrete column (except an unlisted primary key, which the database numbers)
    gets the field's default once, so a column added to the model later with a default does
    not break the seed.
    """

    def __init__(self, model: type[models.Model], fields: Sequence[str]) -> None:
        meta = model._meta
        self.model = model
        given = [meta.get_field(name) for name in fields]
        given_names = {field.name for field in given}
        rest = [
            field
            for field in meta.concrete_fields
            if field.name not in given_names and not field.primary_key
        ]
        self.fields: list[Any] = [*given, *rest]
        self.defaults = tuple(field.get_default() for field in rest)
        self.table = meta.db_table
        self.columns = [field.column for field in self.fields]
        self.adapters: list[Adapter | None] = [self._adapter(field) for field in self.fields]
        self.written = 0

    @staticmethod
    def _adapter(field: Any) -> Adapter | None:
        if isinstance(field, models.JSONField):
            return lambda value: json.dumps(value, ensure_ascii=False)
        if isinstance(field, models.DateTimeField) and not is_postgres():
            ops = connection.ops
            return lambda value: ops.adapt_datetimefield_value(value)
        if isinstance(field, models.DateField) and not is_postgres():
            return lambda value: value.isoformat() if isinstance(value, dt.date) else value
        return None

    def _adapt(self, rows: Iterable[Sequence[Any]]) -> Iterable[Sequence[Any]]:
        adapters = self.adapters
        if self.defaults:
            defaults = self.defaults
            rows = (tuple(row) + defaults for row in rows)
        if not any(adapters):
            return rows
        return (
            tuple(
                adapter(value) if adapter is not None and value is not None else value
                for adapter, value in zip(adapters, row, strict=True)
            )
            for row in rows
        )

    def insert(self, rows: Iterable[Sequence[Any]], *, batch_size: int = 5_000) -> int:
        quote = connection.ops.quote_name
        columns = ", ".join(quote(column) for column in self.columns)
        count = 0
        with connection.cursor() as cursor:
            if is_postgres():
                sql = f"COPY {quote(self.table)} ({columns}) FROM STDIN"
                with cursor.cursor.copy(sql) as copy:
                    for row in self._adapt(rows):
                        copy.write_row(row)
                        count += 1
            else:
                placeholders = ", ".join(["%s"] * len(self.columns))
                sql = f"INSERT INTO {quote(self.table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
                batch: list[Sequence[Any]] = []
                for row in self._adapt(rows):
                    batch.append(row)
                    if len(batch) >= batch_size:
                        cursor.executemany(sql, batch)
                        count += len(batch)
                        batch = []
                if batch:
                    cursor.executemany(sql, batch)
                    count += len(batch)
        self.written += count
        return count
