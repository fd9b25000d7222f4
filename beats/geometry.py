"""Beat boundaries as geometry: GeoJSON in, shapely out. Pure functions, no database.

Boundaries are GeoJSON ``Polygon`` or ``MultiPolygon`` in (longitude, latitude) order, as GeoJSON
requires. A point on the boundary line counts as inside (``covers``): a GPS fix exactly on the line
between two beats belongs to both, and the accuracy flag catches fixes too vague to place."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from shapely import Point, covers
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

EARTH_RADIUS_M = 6_371_008.8
ALLOWED_TYPES = ("Polygon", "MultiPolygon")


class BoundaryError(ValueError):
    """A boundary that is not a valid GeoJSON Polygon or MultiPolygon of longitude/latitude."""


def parse_boundary(geojson: Mapping[str, Any] | None) -> Polygon | MultiPolygon:
    """The shapely geometry of a GeoJSON boundary; :class:`BoundaryError` says what is wrong."""
    if not isinstance(geojson, Mapping):
        raise BoundaryError("A boundary is a GeoJSON object.")
    kind = geojson.get("type")
    if kind not in ALLOWED_TYPES:
        raise BoundaryError(f"A boundary is a Polygon or MultiPolygon, not {kind!r}.")
    try:
        geometry = shape(geojson)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        raise BoundaryError(f"Malformed {kind} coordinates.") from exc
    if geometry.is_empty:
        raise BoundaryError("The boundary is empty.")
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise BoundaryError("Coordinates are (longitude, latitude) within ±180 and ±90.")
    if not geometry.is_valid:
        raise BoundaryError(f"The boundary is not a valid polygon: {explain_validity(geometry)}.")
    assert isinstance(geometry, Polygon | MultiPolygon)
    return geometry


def contains(boundary: BaseGeometry, *, lon: float, lat: float) -> bool:
    """Whether the point lies inside the boundary or on its edge (holes are outside)."""
    return bool(covers(boundary, Point(lon, lat)))


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two (latitude, longitude) points."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def inner_point(geojson: Mapping[str, Any]) -> tuple[float, float]:
    """A (lon, lat) point guaranteed to lie inside the boundary (not merely its centroid)."""
    point = parse_boundary(geojson).representative_point()
    return point.x, point.y


def star_polygon(*, lon: float, lat: float, radius_m: float, radii: list[float]) -> dict[str, Any]:
    """A simple (non-self-intersecting) GeoJSON Polygon around a centre: vertex ``i`` at angle
    ``2πi/n`` and distance ``radius_m × radii[i]``. Star-shaped around the centre, so always simple;
    used by the demo to draw plausible beats."""
    n = len(radii)
    metres_per_deg_lat = 111_320.0
    metres_per_deg_lon = metres_per_deg_lat * math.cos(math.radians(lat))
    ring = []
    for i, factor in enumerate(radii):
        angle = 2 * math.pi * i / n
        dx = radius_m * factor * math.cos(angle)
        dy = radius_m * factor * math.sin(angle)
        ring.append([round(lon + dx / metres_per_deg_lon, 6), round(lat + dy / metres_per_deg_lat, 6)])
    ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [ring]}


def offset(*, lon: float, lat: float, east_m: float, north_m: float) -> tuple[float, float]:
    """The (lon, lat) point ``east_m`` east and ``north_m`` north of a point (small distances)."""
    metres_per_deg_lat = 111_320.0
    metres_per_deg_lon = metres_per_deg_lat * math.cos(math.radians(lat))
    return lon + east_m / metres_per_deg_lon, lat + north_m / metres_per_deg_lat
