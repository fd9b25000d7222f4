"""Writes of the stations app: enrolment and postings keep the history consistent, retirements,
terminals, facilities, retrofits, escort assignments, ideas, the catalogue — and jurisdiction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from stations import selectors, services
from stations.choices import FacilityKind, Funder, IdeaStatus, OfficerKind, Role
from stations.models import (
    EscortAssignment,
    Facility,
    HeatingRetrofit,
    Officer,
    Posting,
    Region,
    ServiceItem,
    Station,
)
from tests.stations import factories as f

pytestmark = pytest.mark.django_db

D = dt.date(2025, 3, 1)


@pytest.fixture
def units() -> dict[str, Region | Station]:
    province = f.region("630000")
    city = f.region("630100", parent=province)
    county = f.region("630102", parent=city)
    other_county = f.region("630103", parent=city)
    return {
        "province": province, "city": city, "county": county, "other_county": other_county,
        "s1": f.station(county, 1), "s2": f.station(county, 2), "s3": f.station(other_county, 1),
    }


def history(officer: Officer) -> list[tuple[str | None, str, dt.date, dt.date | None]]:
    return [
        (p.station.code if p.station else None, p.region.code, p.start, p.end)
        for p in Posting.objects.filter(officer=officer).select_related("station", "region").order_by("start")
    ]


def test_officer_create_opens_the_first_posting(units) -> None:  # type: ignore[no-untyped-def]
    officer = services.officer_create(badge_number="B1", name="张三", station=units["s1"], on=D)
    officer.refresh_from_db()
    assert (officer.station, officer.region) == (units["s1"], units["county"])
    assert history(officer) == [(units["s1"].code, "630102", D, None)]
    bureau = services.officer_create(badge_number="B2", name="李四", region=units["city"], on=D,
                                     kind=OfficerKind.AUXILIARY)
    assert (bureau.station, bureau.region) == (None, units["city"])
    with pytest.raises(ValidationError):
        services.officer_create(badge_number="B3", name="x", on=D)


def test_moving_down_to_a_station_is_counted_year_on_year(units) -> None:  # type: ignore[no-untyped-def]
    officer = services.officer_create(badge_number="B1", name="x", region=units["county"], on=D)
    moved_on = dt.date(2026, 2, 1)
    services.officer_post(officer=officer, station=units["s1"], on=moved_on)
    assert history(officer) == [
        (None, "630102", D, moved_on - dt.timedelta(days=1)),
        (units["s1"].code, "630102", moved_on, None),
    ]
    officer.refresh_from_db()
    assert officer.station == units["s1"]
    user = f.user("t_p", units["province"], Role.PROVINCE_STAFF)
    row = selectors.police_strength(user=user, unit=units["county"], on=dt.date(2026, 3, 1)).total
    assert (row.police_in_stations, row.last_year_police_in_stations) == (1, 0)


def test_posting_where_the_officer_already_is_changes_nothing(units) -> None:  # type: ignore[no-untyped-def]
    officer = services.officer_create(badge_number="B1", name="x", station=units["s1"], on=D)
    services.officer_post(officer=officer, station=units["s1"], on=D + dt.timedelta(days=30))
    assert len(history(officer)) == 1


def test_a_same_day_posting_corrects_and_an_earlier_one_is_refused(units) -> None:  # type: ignore[no-untyped-def]
    officer = services.officer_create(badge_number="B1", name="x", station=units["s1"], on=D)
    services.officer_post(officer=officer, station=units["s2"], on=D)
    assert history(officer) == [(units["s2"].code, "630102", D, None)]
    with pytest.raises(ValidationError):
        services.officer_post(officer=officer, station=units["s1"], on=D - dt.timedelta(days=1))
    assert history(officer) == [(units["s2"].code, "630102", D, None)]


def test_retire_closes_the_posting_and_escorts(units) -> None:  # type: ignore[no-untyped-def]
    officer = services.officer_create(badge_number="B1", name="x", station=units["s1"], on=D, terminal_number="T1")
    escort = services.escort_assign(officer=officer, business_name="某公司", start=D)
    on = dt.date(2026, 1, 1)
    services.officer_retire(officer=officer, on=on)
    officer.refresh_from_db()
    escort.refresh_from_db()
    assert not officer.is_active and officer.terminal_number == ""
    assert officer.station == units["s1"]  # listed where they last served
    assert history(officer) == [(units["s1"].code, "630102", D, dt.date(2025, 12, 31))]
    assert escort.end == dt.date(2025, 12, 31)
    with pytest.raises(ValidationError):
        services.officer_post(officer=officer, station=units["s2"], on=dt.date(2026, 2, 1))


def test_terminals(units) -> None:  # type: ignore[no-untyped-def]
    a = services.officer_create(badge_number="B1", name="x", station=units["s1"], on=D)
    b = services.officer_create(badge_number="B2", name="y", station=units["s1"], on=D)
    services.officer_issue_terminal(officer=a, terminal_number=" GSJWT1 ")
    assert Officer.objects.get(pk=a.pk).terminal_number == "GSJWT1"
    with pytest.raises(ValidationError):
        services.officer_issue_terminal(officer=b, terminal_number="GSJWT1")
    services.officer_return_terminal(officer=a)
    assert not Officer.objects.get(pk=a.pk).has_terminal
    services.officer_issue_terminal(officer=b, terminal_number="GSJWT1")


def test_facilities_and_retrofit(units) -> None:  # type: ignore[no-untyped-def]
    s1 = units["s1"]
    services.facility_record(station=s1, kind=FacilityKind.CANTEEN, available_since=D)
    services.facility_record(station=s1, kind=FacilityKind.CANTEEN, available_since=D, note="扩建")
    assert list(Facility.objects.filter(station=s1).values_list("kind", "note")) == [(FacilityKind.CANTEEN, "扩建")]
    with pytest.raises(ValidationError):
        services.facility_record(station=s1, kind="pool")
    assert services.facility_remove(station=s1, kind=FacilityKind.CANTEEN)
    assert not services.facility_remove(station=s1, kind=FacilityKind.CANTEEN)
    services.heating_retrofit_record(station=s1, completed_on=D, funded_by=Funder.PROVINCE, amount_yuan=Decimal("80000"))
    services.heating_retrofit_record(station=s1, completed_on=D, funded_by=Funder.COUNTY)
    retrofit = HeatingRetrofit.objects.get(station=s1)
    assert (retrofit.funded_by, retrofit.amount_yuan) == (Funder.COUNTY, None)


def test_escort_assignments(units) -> None:  # type: ignore[no-untyped-def]
    officer = services.officer_create(badge_number="B1", name="x", station=units["s1"], on=D)
    with pytest.raises(ValidationError):
        services.escort_assign(officer=officer, business_name="某公司", business_code="916201021234567890", start=D)
    assignment = services.escort_assign(
        officer=officer, business_name=" 兰州某化工有限公司 ", business_code="91110000600037341l", start=D
    )
    assert (assignment.business_name, assignment.business_code) == ("兰州某化工有限公司", "91110000600037341L")
    with pytest.raises(ValidationError):
        services.escort_end(assignment=assignment, on=D - dt.timedelta(days=1))
    services.escort_end(assignment=assignment, on=D + dt.timedelta(days=10))
    assert EscortAssignment.objects.get(pk=assignment.pk).end == D + dt.timedelta(days=10)


def test_idea_workflow(units) -> None:  # type: ignore[no-untyped-def]
    officer = services.officer_create(badge_number="B1", name="x", station=units["s1"], on=D)
    idea = services.idea_submit(officer=officer, title="一窗通办", body="合并窗口", on=D)
    assert (idea.station, idea.region, idea.status) == (units["s1"], units["county"], IdeaStatus.SUBMITTED)
    with pytest.raises(ValidationError):
        services.idea_review(idea=idea, status=IdeaStatus.IMPLEMENTED)
    services.idea_review(idea=idea, status=IdeaStatus.UNDER_REVIEW)
    services.idea_review(idea=idea, status=IdeaStatus.ADOPTED, note="全市推广")
    services.idea_review(idea=idea, status=IdeaStatus.IMPLEMENTED)
    idea.refresh_from_db()
    assert (idea.status, idea.review_note) == (IdeaStatus.IMPLEMENTED, "全市推广")
    with pytest.raises(ValidationError):
        services.idea_review(idea=idea, status=IdeaStatus.REJECTED)


def test_writes_outside_the_writers_jurisdiction_are_404(units) -> None:  # type: ignore[no-untyped-def]
    head = f.user("t_head", units["s1"], Role.STATION_HEAD)
    county_staff = f.user("t_county", units["county"])
    mine = services.officer_create(badge_number="B1", name="x", station=units["s1"], on=D, by=head)
    theirs = services.officer_create(badge_number="B2", name="y", station=units["s3"], on=D)
    calls = [
        lambda by: services.officer_create(badge_number="B9", name="z", station=units["s3"], on=D, by=by),
        lambda by: services.officer_post(officer=theirs, station=units["s1"], on=dt.date(2026, 1, 1), by=by),
        lambda by: services.officer_retire(officer=theirs, on=dt.date(2026, 1, 1), by=by),
        lambda by: services.officer_issue_terminal(officer=theirs, terminal_number="T9", by=by),
        lambda by: services.facility_record(station=units["s3"], kind=FacilityKind.GYM, by=by),
        lambda by: services.heating_retrofit_record(station=units["s3"], completed_on=D, funded_by=Funder.CITY, by=by),
        lambda by: services.escort_assign(officer=theirs, business_name="b", start=D, by=by),
        lambda by: services.idea_submit(officer=theirs, title="t", body="b", on=D, by=by),
    ]
    for by in (head, county_staff):
        for call in calls:
            with pytest.raises(Http404):
                call(by)
    assert Officer.objects.get(pk=theirs.pk).is_active
    assert not Officer.objects.filter(badge_number="B9").exists()
    # A station head cannot post their officer to another station, nor to a bureau.
    with pytest.raises(Http404):
        services.officer_post(officer=mine, station=units["s2"], on=dt.date(2026, 1, 1), by=head)
    with pytest.raises(Http404):
        services.officer_post(officer=mine, station=None, region=units["county"], on=dt.date(2026, 1, 1), by=head)
    # The county may.
    services.officer_post(officer=mine, station=units["s2"], on=dt.date(2026, 1, 1), by=county_staff)
    assert Officer.objects.get(pk=mine.pk).station == units["s2"]


def test_the_catalogue_is_kept_by_the_province(units, province_admin, county_staff) -> None:  # type: ignore[no-untyped-def]
    item = ServiceItem.objects.order_by("code").first()
    before = item.online
    with pytest.raises(PermissionDenied):
        services.service_item_update(item=item, online=not before, by=county_staff)
    assert ServiceItem.objects.get(pk=item.pk).online == before
    services.service_item_update(item=ServiceItem.objects.get(pk=item.pk), online=not before, self_service=True,
                                 by=province_admin)
    fresh = ServiceItem.objects.get(pk=item.pk)
    assert fresh.online is (not before) and fresh.self_service
