"""Point-in-polygon on real shapes with shapely: inside, outside, on the edge, a hole, a MultiPolygon;
and boundaries that are not valid GeoJSON polygons are refused with a reason."""

from __future__ import annotations

import pytest

from beats.geometry import BoundaryError, contains, haversine_m, inner_point, parse_boundary, star_polygon

SQUARE = {"type": "Polygon", "coordinates": [[[103.0, 36.0], [103.1, 36.0], [103.1, 36.1], [103.0, 36.1], [103.0, 36.0]]]}
# The square with a square hole in the middle (a campus cut out of the beat).
WITH_HOLE = {
    "type": "Polygon",
    "coordinates": [
        SQUARE["coordinates"][0],
        [[103.04, 36.04], [103.04, 36.06], [103.06, 36.06], [103.06, 36.04], [103.04, 36.04]],
    ],
}
# Two separate parts: the square and a small triangle further east.
TWO_PARTS = {
    "type": "MultiPolygon",
    "coordinates": [
        SQUARE["coordinates"],
        [[[103.2, 36.0], [103.3, 36.0], [103.25, 36.05], [103.2, 36.0]]],
    ],
}
# An L-shaped (concave) beat: the notch at the top right is outside.
L_SHAPE = {
    "type": "Polygon",
    "coordinates": [[[0, 0], [2, 0], [2, 1], [1, 1], [1, 2], [0, 2], [0, 0]]],
}


def inside(geojson: dict, lon: float, lat: float) -> bool:
    return contains(parse_boundary(geojson), lon=lon, lat=lat)


@pytest.mark.parametrize(
    ("lon", "lat", "expected"),
    [
        (103.05, 36.05, True),  # the middle
        (103.001, 36.099, True),  # just inside a corner
        (103.2, 36.05, False),  # east of it
        (103.05, 35.99, False),  # just south of the edge
        (103.05, 36.0, True),  # on the southern edge
        (103.1, 36.05, True),  # on the eastern edge
        (103.0, 36.0, True),  # on a corner
    ],
)
def test_square(lon: float, lat: float, expected: bool) -> None:
    assert inside(SQUARE, lon, lat) is expected


def test_concave_polygon_excludes_its_notch() -> None:
    assert inside(L_SHAPE, 0.5, 1.5)
    assert inside(L_SHAPE, 1.5, 0.5)
    assert not inside(L_SHAPE, 1.5, 1.5)  # inside the bounding box, outside the L


def test_a_hole_is_outside_but_its_rim_is_the_beats_edge() -> None:
    assert not inside(WITH_HOLE, 103.05, 36.05)  # in the hole
    assert inside(WITH_HOLE, 103.02, 36.05)  # between the outer ring and the hole
    assert inside(WITH_HOLE, 103.04, 36.05)  # on the hole's rim: the beat's boundary


def test_multipolygon_has_two_parts_and_nothing_between() -> None:
    assert inside(TWO_PARTS, 103.05, 36.05)
    assert inside(TWO_PARTS, 103.25, 36.02)
    assert not inside(TWO_PARTS, 103.15, 36.02)  # between the parts
    assert not inside(TWO_PARTS, 103.25, 36.06)  # above the triangle's apex


def test_coordinates_are_longitude_then_latitude() -> None:
    # A point with latitude and longitude swapped is far outside.
    assert not inside(SQUARE, 36.05, 103.05)


@pytest.mark.parametrize(
    ("boundary", "reason"),
    [
        (None, "GeoJSON object"),
        ({"type": "Point", "coordinates": [103, 36]}, "Polygon or MultiPolygon"),
        ({"type": "Polygon", "coordinates": "nonsense"}, "Malformed"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]}, "Malformed"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [300, 0], [300, 1], [0, 0]]]}, "longitude, latitude"),
        # A bow tie: the ring crosses itself.
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}, "not a valid polygon"),
    ],
)
def test_invalid_boundaries_are_refused_with_a_reason(boundary: object, reason: str) -> None:
    with pytest.raises(BoundaryError, match=reason):
        parse_boundary(boundary)  # type: ignore[arg-type]


def test_haversine_one_degree_of_latitude_is_about_111_km() -> None:
    assert haversine_m(36.0, 103.0, 37.0, 103.0) == pytest.approx(111_195, rel=1e-3)
    # A degree of longitude at Lanzhou's latitude is shorter by cos(36°).
    assert haversine_m(36.0, 103.0, 36.0, 104.0) == pytest.approx(89_960, rel=2e-3)
    assert haversine_m(36.0, 103.0, 36.0, 103.0) == 0


def test_star_polygon_is_a_valid_simple_polygon_around_its_centre() -> None:
    boundary = star_polygon(lon=103.8, lat=36.06, radius_m=600, radii=[1.0, 0.8, 0.95, 0.78, 1.0, 0.9, 0.85])
    geometry = parse_boundary(boundary)
    assert geometry.is_valid
    assert inside(boundary, 103.8, 36.06)
    assert not inside(boundary, 103.8, 36.06 + 700 / 111_320)  # 700 m north: past the widest vertex


def test_inner_point_lies_inside_even_with_a_hole_at_the_centre() -> None:
    lon, lat = inner_point(WITH_HOLE)
    assert inside(WITH_HOLE, lon, lat)
    lon, lat = inner_point(L_SHAPE)
    assert inside(L_SHAPE, lon, lat)
