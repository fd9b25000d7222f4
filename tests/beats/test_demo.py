"""The tiny demo gives every persona what the pages and the API need, and its data obey the rules
(boundaries are valid polygons, check-ins were judged by the real rules)."""

from __future__ import annotations

import pytest

from beats.demo import _allocate, _spiral
from beats.geometry import contains, parse_boundary
from beats.models import (
    Beat,
    CheckIn,
    Community,
    EightNosStatus,
    HouseholdHead,
    HouseholdHeadActivity,
    PoliceRoom,
)
from stations.models import User

pytestmark = pytest.mark.django_db

MODELS = [Beat, PoliceRoom, CheckIn, Community, HouseholdHead, HouseholdHeadActivity, EightNosStatus]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_both_persona_stations_have_objects(model, officer: User, officer_b: User) -> None:  # type: ignore[no-untyped-def]
    for user in (officer, officer_b):
        assert model.objects.for_user(user).exists(), f"no {model.__name__} at {user.home_station}"


def test_the_personas_are_dedicated_officers_and_the_head_is_not(officer: User, officer_b: User, station_head: User) -> None:
    assert Beat.objects.get(officer=officer.officer).station == officer.home_station
    assert Beat.objects.get(officer=officer_b.officer).station == officer_b.home_station
    assert not Beat.objects.filter(officer=station_head.officer).exists()


def test_boundaries_are_valid_and_include_a_hole_and_a_multipolygon() -> None:
    kinds = set()
    for beat in Beat.objects.all():
        geometry = parse_boundary(beat.boundary)
        assert geometry.is_valid
        kinds.add(beat.boundary["type"] + ("+hole" if beat.boundary["type"] == "Polygon" and len(beat.boundary["coordinates"]) > 1 else ""))
    assert {"Polygon", "Polygon+hole", "MultiPolygon"} <= kinds


def test_check_ins_were_judged_against_their_beat() -> None:
    geometries = {b.pk: parse_boundary(b.boundary) for b in Beat.objects.all()}
    check_ins = list(CheckIn.objects.all())
    assert len(check_ins) > 100
    for c in check_ins:
        assert c.inside_beat == contains(geometries[c.beat_id], lon=c.lon, lat=c.lat)
        assert c.counts == (not c.flags)
        assert ("outside_beat" in c.flags) == (not c.inside_beat)
    assert any(c.flags for c in check_ins) and any(c.counts for c in check_ins)


def test_a_room_named_after_an_officer_is_named_after_its_beats_officer(officer: User) -> None:
    named = PoliceRoom.objects.filter(named_after__isnull=False)
    assert named.exists()
    for room in named.select_related("beat", "named_after"):
        assert room.named_after_id == room.beat.officer_id
        assert room.name.startswith(room.named_after.name)


def test_allocation_hits_the_reported_totals() -> None:
    weights = [5, 9, 4, 7, 1, 0, 3] * 140
    counts = _allocate(6840, weights, minimum=1)
    assert sum(counts) == 6840 and min(counts) >= 1
    assert _allocate(10, [1, 1, 1], minimum=5) == [4, 3, 3]  # a minimum the total cannot give is shared out


def test_spiral_cells_are_distinct() -> None:
    cells = _spiral(50)
    assert len(set(cells)) == 50 and cells[0] == (0, 0)


@pytest.mark.parametrize("model", [Beat, CheckIn, HouseholdHead], ids=lambda m: m.__name__)
def test_the_bulk_load_keeps_the_audit_trail(model) -> None:  # type: ignore[no-untyped-def]
    """One insert event per demo row, with every tracked value and the load's context."""
    from django.apps import apps

    events = apps.get_model("beats", f"{model.__name__}Event").objects.filter(pgh_label="insert")
    assert events.count() == model.objects.count()
    row = model.objects.order_by("?").first()
    event = events.select_related("pgh_context").get(pgh_obj_id=row.pk)
    for field in model._meta.concrete_fields:
        assert getattr(event, field.attname) == getattr(row, field.attname), field.name
    assert event.pgh_context is not None and event.pgh_context.metadata.get("source") == "load_demo"
