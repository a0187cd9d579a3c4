"""Distances on the earth for "the nearest pickup point": pure functions, no ORM.

Coordinates are GCJ-02 (what Chinese map SDKs return). Distances between two GCJ-02 points are
good to a few metres at city scale, which is all a pickup-point finder needs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

EARTH_RADIUS_M = 6_371_008.8
KM_PER_DEGREE_LAT = 111.32


@dataclass(frozen=True)
class BoundingBox:
    min_lng: float
    max_lng: float
    min_lat: float
    max_lat: float


def haversine_m(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    """Great-circle distance in metres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lng2 - lng1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lng: float, lat: float, radius_km: float) -> BoundingBox:
    """A lat/lng box that contains every point within ``radius_km`` of (lng, lat)."""
    dlat = radius_km / KM_PER_DEGREE_LAT
    cos_lat = max(math.cos(math.radians(lat)), 0.01)
    dlng = min(radius_km / (KM_PER_DEGREE_LAT * cos_lat), 180.0)
    return BoundingBox(
        min_lng=lng - dlng, max_lng=lng + dlng, min_lat=lat - dlat, max_lat=lat + dlat
    )
