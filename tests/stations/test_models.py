"""Model rules of the stations app: the region tree, codes, postings, users' single home unit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from stations.choices import FacilityKind, OfficerKind, RegionLevel, Role
from stations.models import EscortAssignment, Facility, Officer, Posting, Region, Station, User
from tests.stations import factories as f

pytestmark = pytest.mark.django_db

D = dt.date(2026, 1, 1)


@pytest.fixture
def county() -> Region:
    province = f.region("630000")
    city = f.region("630100", parent=province)
    return f.region("630102", parent=city)


def test_region_path_is_the_codes_from_the_root(county: Region) -> None:
    assert county.path == "630000/630100/630102/"
    assert Region.objects.filter(path__startswith="630000/").count() == 3


def test_demo_paths_are_materialised() -> None:
    assert Region.objects.get(code="620102").path == "620000/620100/620102/"
    assert Region.objects.get(code="620200").path == "620000/620200/"


def test_region_parent_must_be_one_level_up(county: Region) -> None:
    wrong = Region(code="630199", name="x", level=RegionLevel.COUNTY, parent=county.parent.parent)
    with pytest.raises(ValidationError):
        wrong.full_clean()
    with pytest.raises(ValidationError):
        Region(code="630200", name="x", level=RegionLevel.PROVINCE, parent=county.parent.parent).full_clean()
    with pytest.raises(ValidationError):
        Region(code="63010", name="x", level=RegionLevel.CITY, parent=county.parent.parent).full_clean()


def test_station_code_is_twelve_digits(county: Region) -> None:
    with pytest.raises(ValidationError):
        Station(code="63010252001", name="x", county=county).full_clean()
    Station(code="630102520001", name="x", county=county).full_clean()


def test_codes_keep_their_length_through_bulk_create(county: Region) -> None:
    """DESIGN.md's pitfall: a custom char(n) came back cut to one character after bulk_create."""
    Station.objects.bulk_create([Station(code=f"6301025{i:05d}", name="x", county=county) for i in range(3)])
    assert {len(code) for code in Station.objects.filter(county=county).values_list("code", flat=True)} == {12}
    code = "91620102MA7XXXXX1A"
    officer = f.officer((county, D, None))
    EscortAssignment.objects.bulk_create([EscortAssignment(officer=officer, business_name="b", business_code=code, start=D)])
    assert EscortAssignment.objects.get(officer=officer).business_code == code


def test_officer_region_is_the_station_county(county: Region) -> None:
    station = f.station(county, 1)
    other = f.region("630103", parent=county.parent)
    officer = Officer(badge_number="X1", name="x", station=station, region=county)
    officer.full_clean()
    officer.region = other
    with pytest.raises(ValidationError):
        officer.full_clean()


def test_one_open_posting_per_officer(county: Region) -> None:
    officer = f.officer((county, D, None))
    with pytest.raises(IntegrityError), transaction.atomic():
        Posting.objects.create(officer=officer, region=county, start=D + dt.timedelta(days=5))


def test_posting_cannot_end_before_it_starts(county: Region) -> None:
    officer = f.officer((county, D, D + dt.timedelta(days=3)))
    with pytest.raises(IntegrityError), transaction.atomic():
        Posting.objects.filter(officer=officer).update(end=D - dt.timedelta(days=1))
    with pytest.raises(ValidationError):
        Posting(officer=officer, region=county, start=D, end=D - dt.timedelta(days=1)).full_clean()


def test_station_posting_belongs_to_the_station_county(county: Region) -> None:
    station = f.station(county, 1)
    other = f.region("630103", parent=county.parent)
    officer = f.officer((county, D, None))
    with pytest.raises(ValidationError):
        Posting(officer=officer, station=station, region=other, start=D).full_clean()


def test_facility_once_per_station(county: Region) -> None:
    station = f.station(county, 1)
    Facility.objects.create(station=station, kind=FacilityKind.GYM)
    with pytest.raises(IntegrityError), transaction.atomic():
        Facility.objects.create(station=station, kind=FacilityKind.GYM)


def test_escort_business_code_is_checked(county: Region) -> None:
    officer = f.officer((county, D, None), kind=OfficerKind.POLICE)
    with pytest.raises(ValidationError):
        EscortAssignment(officer=officer, business_name="x", business_code="916201021234567890", start=D).full_clean()
    EscortAssignment(officer=officer, business_name="x", business_code="91110000600037341L", start=D).full_clean()


def test_user_has_exactly_one_home_unit(county: Region) -> None:
    station = f.station(county, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("nohome", role=Role.OFFICER)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("twohomes", role=Role.OFFICER, home_station=station, home_region=county)
    with pytest.raises(ValidationError):
        User(username="twohomes", role=Role.OFFICER, home_station=station, home_region=county).full_clean()
    assert f.user("ok", station, Role.OFFICER).home_unit == station
    assert f.user("ok2", county).home_unit == county


def test_bulk_writes_are_audited(county: Region) -> None:
    """The demo and imports write with bulk_create; database triggers audit those rows too."""
    officer = f.officer((county, D, None))
    Posting.objects.filter(officer=officer).update(end=D + dt.timedelta(days=1))
    events = Posting.pgh_event_model.objects.filter(officer_id=officer.pk)  # type: ignore[attr-defined]
    assert list(events.order_by("pgh_id").values_list("pgh_label", flat=True)) == ["insert", "update"]
    Facility.objects.bulk_create([Facility(station=f.station(county, 1), kind=FacilityKind.GYM)])
    assert Facility.pgh_event_model.objects.filter(kind=FacilityKind.GYM, station__county=county).count() == 1  # type: ignore[attr-defined]
