"""The writes of community policing: check-ins kept and flagged, reviews, beat assignments with
history, rooms, eight-nos breaches and certification, household heads and their activities."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from beats import services
from beats.choices import ActivityKind, ActivityStatus, AreaKind, CheckInFlag, CheckInReview, EightNo
from beats.models import (
    Beat,
    BeatAssignment,
    CheckIn,
    CheckInPolicy,
    Community,
    EightNosStatus,
    HouseholdHead,
    MonthlyCompliance,
)
from stations.choices import OfficerKind
from stations.models import Officer, User
from tests.beats.conftest import point_inside, point_outside

pytestmark = pytest.mark.django_db

VALID_ID = "11010519491231002X"  # the GB 11643 example
LANZHOU_ID = "62010219900307123X"


def fresh_now(officer: User) -> dt.datetime:
    """A moment after every check-in the officer has, so 'previous' is well defined."""
    last = CheckIn.objects.filter(officer=officer.officer).order_by("-at").first()
    base = max(timezone.now(), last.at if last else timezone.now())
    return base + dt.timedelta(days=1)


# --- check-ins -------------------------------------------------------------------------------------


def test_check_in_inside_the_beat_counts(officer: User, my_beat: Beat) -> None:
    lon, lat = point_inside(my_beat)
    now = fresh_now(officer)
    check_in = services.checkin_record(officer=officer.officer, lat=lat, lon=lon, accuracy=15, now=now)
    assert check_in.inside_beat
    assert check_in.flags == []
    assert check_in.counts
    assert check_in.beat == my_beat
    assert check_in.station_id == my_beat.station_id
    assert check_in.day == timezone.localtime(now).date()


def test_check_in_outside_is_kept_and_flagged(officer: User, my_beat: Beat) -> None:
    lon, lat = point_outside(my_beat)
    before = CheckIn.objects.count()
    check_in = services.checkin_record(officer=officer.officer, lat=lat, lon=lon, accuracy=15, now=fresh_now(officer))
    assert CheckIn.objects.count() == before + 1
    assert not check_in.inside_beat
    assert CheckInFlag.OUTSIDE_BEAT in check_in.flags
    assert not check_in.counts


def test_previous_check_in_is_judged_for_speed(officer: User, my_beat: Beat) -> None:
    lon, lat = point_inside(my_beat)
    now = fresh_now(officer)
    services.checkin_record(officer=officer.officer, lat=lat, lon=lon, accuracy=10, now=now)
    # Half a degree east (about 45 km) two minutes later.
    second = services.checkin_record(
        officer=officer.officer, lat=lat, lon=lon + 0.5, accuracy=10, now=now + dt.timedelta(minutes=2)
    )
    assert CheckInFlag.TOO_FAST in second.flags
    assert second.distance_from_previous_m == pytest.approx(45_000, rel=0.05)


def test_stale_device_time_is_flagged(officer: User, my_beat: Beat) -> None:
    lon, lat = point_inside(my_beat)
    now = fresh_now(officer)
    check_in = services.checkin_record(
        officer=officer.officer, lat=lat, lon=lon, accuracy=10, device_time=now - dt.timedelta(hours=1), now=now
    )
    assert check_in.flags == [CheckInFlag.STALE]


def test_the_policy_in_force_sets_the_thresholds(officer: User, province_admin: User, my_beat: Beat) -> None:
    now = fresh_now(officer)
    month = timezone.localtime(now).date().replace(day=1)
    services.checkin_policy_set(
        user=province_admin, effective_from=month, days_required=18, max_accuracy_m=10, max_speed_kmh=150,
        max_jump_km=50, max_device_age_minutes=10,
    )
    lon, lat = point_inside(my_beat)
    check_in = services.checkin_record(officer=officer.officer, lat=lat, lon=lon, accuracy=30, now=now)
    assert check_in.flags == [CheckInFlag.POOR_ACCURACY]


def test_only_province_staff_set_the_policy(station_head: User) -> None:
    with pytest.raises(PermissionDenied):
        services.checkin_policy_set(
            user=station_head, effective_from=dt.date(2030, 1, 1), days_required=5, max_accuracy_m=10,
            max_speed_kmh=150, max_jump_km=50, max_device_age_minutes=10,
        )


def test_a_policy_starts_on_the_first_of_a_month(province_admin: User) -> None:
    with pytest.raises(ValidationError):
        services.checkin_policy_set(
            user=province_admin, effective_from=dt.date(2030, 1, 15), days_required=5, max_accuracy_m=10,
            max_speed_kmh=150, max_jump_km=50, max_device_age_minutes=10,
        )
    assert services.policy_in_force(dt.date(2030, 2, 1)).days_required == CheckInPolicy._meta.get_field("days_required").default


def test_officer_without_a_beat_cannot_check_in(station_head: User) -> None:
    assert not Beat.objects.filter(officer=station_head.officer).exists()
    with pytest.raises(ValidationError):
        services.checkin_record(officer=station_head.officer, lat=36.0, lon=103.8, accuracy=10)


def test_review_accepts_a_flagged_check_in_so_it_counts(officer: User, station_head: User, my_beat: Beat) -> None:
    lon, lat = point_outside(my_beat)
    check_in = services.checkin_record(officer=officer.officer, lat=lat, lon=lon, accuracy=10, now=fresh_now(officer))
    reviewed = services.checkin_review(user=station_head, check_in=check_in, accepted=True, note="联合巡逻")
    assert reviewed.counts
    assert reviewed.review == CheckInReview.ACCEPTED
    assert reviewed.reviewed_by == station_head
    assert reviewed.flags == [CheckInFlag.OUTSIDE_BEAT]  # the flag stays on record


def test_review_is_for_flagged_check_ins_by_the_station(
    officer: User, officer_b: User, station_head: User, my_beat: Beat
) -> None:
    lon, lat = point_inside(my_beat)
    clean = services.checkin_record(officer=officer.officer, lat=lat, lon=lon, accuracy=10, now=fresh_now(officer))
    with pytest.raises(ValidationError):
        services.checkin_review(user=station_head, check_in=clean, accepted=False)
    with pytest.raises(PermissionDenied):
        services.checkin_review(user=officer, check_in=clean, accepted=True)
    flagged = CheckIn.objects.filter(officer=officer.officer).exclude(flags=[]).first()
    assert flagged is not None
    other_head = User.objects.create_user("head_b", role="station_head", home_station=officer_b.home_station)
    with pytest.raises(Http404):
        services.checkin_review(user=other_head, check_in=flagged, accepted=True)


# --- beats and their officers ----------------------------------------------------------------------


def test_assigning_an_officer_keeps_the_history(station_head: User, my_beat: Beat, officer: User) -> None:
    other = Beat.objects.filter(station=my_beat.station).exclude(pk=my_beat.pk).first()
    assert other is not None and other.officer_id is not None
    replaced = other.officer
    today = timezone.localdate()
    services.beat_assign_officer(user=station_head, beat=other, officer=officer.officer, full_time=False, on=today)

    other.refresh_from_db()
    my_beat.refresh_from_db()
    assert other.officer == officer.officer and not other.officer_full_time
    assert my_beat.officer is None  # an officer is dedicated to one beat at a time
    closed = BeatAssignment.objects.get(beat=other, officer=replaced)
    assert closed.end == today - dt.timedelta(days=1)
    assert BeatAssignment.objects.get(beat=my_beat, officer=officer.officer, end__isnull=False).end == today - dt.timedelta(days=1)
    assert BeatAssignment.objects.filter(officer=officer.officer, end__isnull=True).get().beat == other


def test_the_officer_of_a_beat_serves_at_its_station(station_head: User, my_beat: Beat, officer_b: User) -> None:
    with pytest.raises(Http404):  # officer_b is outside the station head's jurisdiction
        services.beat_assign_officer(user=station_head, beat=my_beat, officer=officer_b.officer, on=timezone.localdate())
    with pytest.raises(ValidationError):
        services.beat_assign_officer(user=None, beat=my_beat, officer=officer_b.officer, on=timezone.localdate())


def test_officers_cannot_assign_beats(officer: User, my_beat: Beat) -> None:
    with pytest.raises(PermissionDenied):
        services.beat_assign_officer(user=officer, beat=my_beat, officer=None, on=timezone.localdate())


def test_boundary_must_be_a_valid_polygon(station_head: User, my_beat: Beat) -> None:
    with pytest.raises(ValidationError) as info:
        services.beat_set_boundary(
            user=station_head, beat=my_beat, boundary={"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
        )
    assert "boundary" in info.value.message_dict


# --- rooms ---------------------------------------------------------------------------------------------


def test_a_room_belongs_to_the_station_of_its_beat(station_head: User, my_beat: Beat, officer: User) -> None:
    room = services.police_room_create(
        user=station_head, beat=my_beat, code="T-ROOM-1", name="测试警务室", kind=AreaKind.URBAN,
        named_after=officer.officer,
    )
    assert room.station_id == my_beat.station_id
    assert room.is_named_after_officer


def test_a_room_cannot_be_named_after_an_officer_of_another_station(my_beat: Beat, officer_b: User) -> None:
    with pytest.raises(ValidationError) as info:
        services.police_room_create(user=None, beat=my_beat, code="T-ROOM-2", name="x", named_after=officer_b.officer)
    assert "named_after" in info.value.message_dict


def test_a_room_outside_the_jurisdiction_is_not_found(station_head: User, b_beat: Beat) -> None:
    with pytest.raises(Http404):
        services.police_room_create(user=station_head, beat=b_beat, code="T-ROOM-3", name="x")


# --- eight nos ------------------------------------------------------------------------------------------------


def _clean_community(station_head: User, year: int) -> Community:
    beat = Beat.objects.filter(station=station_head.home_station).first()
    return services.community_create(
        user=station_head, station=station_head.home_station, code="T-COMM-1", name="测试村", kind=AreaKind.RURAL,
        beat=beat, year=year,
    )


def test_a_breach_breaks_the_item_for_its_year_and_ends_certification(station_head: User) -> None:
    year = timezone.localdate().year
    community = _clean_community(station_head, year)
    status = services.eight_nos_certify(user=station_head, community=community, year=year, on=dt.date(year, 1, 1))
    assert status.certified_on == dt.date(year, 1, 1)

    services.eight_nos_breach_record(
        user=station_head, community=community, item=EightNo.TELECOM_FRAUD, occurred_on=dt.date(year, 1, 1),
        description="村民被骗", case_number="A001",
    )
    status = EightNosStatus.objects.get(community=community, year=year)
    assert status.no_telecom_fraud is False
    assert status.no_homicide is True
    assert status.certified_on is None
    # A breach in another year does not touch this year.
    services.eight_nos_breach_record(
        user=station_head, community=community, item=EightNo.CULTS, occurred_on=dt.date(year - 1, 6, 1), description="x"
    )
    assert EightNosStatus.objects.get(community=community, year=year).no_cults is True
    assert EightNosStatus.objects.get(community=community, year=year - 1).no_cults is False


def test_a_broken_community_cannot_be_certified_until_the_breach_is_withdrawn(station_head: User) -> None:
    year = timezone.localdate().year
    community = _clean_community(station_head, year)
    breach = services.eight_nos_breach_record(
        user=station_head, community=community, item=EightNo.DRUGS, occurred_on=dt.date(year, 1, 1), description="x"
    )
    with pytest.raises(ValidationError):
        services.eight_nos_certify(user=station_head, community=community, year=year, on=dt.date(year, 1, 1))
    services.eight_nos_breach_delete(user=station_head, breach=breach)
    status = services.eight_nos_certify(user=station_head, community=community, year=year, on=dt.date(year, 1, 1))
    assert all(status.holds().values())


def test_eight_nos_open_year_is_idempotent() -> None:
    year = 2099
    created = services.eight_nos_open_year(year=year)
    assert created == Community.objects.count()
    assert services.eight_nos_open_year(year=year) == 0


# --- household heads and activities -----------------------------------------------------------------------------


def test_household_head_national_id_is_checked_with_cn_ric(station_head: User) -> None:
    community = Community.objects.filter(station=station_head.home_station).first()
    assert community is not None
    with pytest.raises(ValidationError) as info:
        services.household_head_appoint(
            user=station_head, community=community, national_id="620102199003071234", name="张三",
            appointed_on=timezone.localdate(),
        )
    assert "national_id" in info.value.message_dict
    head = services.household_head_appoint(
        user=station_head, community=community, national_id=LANZHOU_ID.lower(), name="张三",
        appointed_on=timezone.localdate(),
    )
    assert head.station_id == community.station_id
    assert HouseholdHead.objects.get(pk=head.pk).national_id == LANZHOU_ID  # 18 characters kept, not cut
    with pytest.raises(ValidationError):  # one active appointment per person
        services.household_head_appoint(
            user=station_head, community=community, national_id=LANZHOU_ID, name="张三", appointed_on=timezone.localdate()
        )


def test_activities_are_entered_then_confirmed_once(officer: User, station_head: User) -> None:
    head = HouseholdHead.objects.filter(station=officer.home_station, is_active=True).first()
    assert head is not None
    today = timezone.localdate()
    with pytest.raises(ValidationError):
        services.household_head_activity_report(
            user=officer, head=head, kind=ActivityKind.JOINT_PATROL, occurred_on=today + dt.timedelta(days=1), description="x"
        )
    activity = services.household_head_activity_report(
        user=officer, head=head, kind=ActivityKind.JOINT_PATROL, occurred_on=today, description="夜间联合巡逻"
    )
    assert activity.status == ActivityStatus.REPORTED and activity.station_id == head.station_id
    with pytest.raises(PermissionDenied):
        services.household_head_activity_decide(user=officer, activity=activity, confirm=True)
    decided = services.household_head_activity_decide(user=station_head, activity=activity, confirm=True)
    assert decided.status == ActivityStatus.CONFIRMED and decided.decided_by == station_head
    with pytest.raises(ValidationError):
        services.household_head_activity_decide(user=station_head, activity=activity, confirm=False)


def test_ended_head_reports_nothing_after_the_end(station_head: User) -> None:
    head = HouseholdHead.objects.filter(station=station_head.home_station, is_active=True).first()
    assert head is not None
    today = timezone.localdate()
    services.household_head_end(user=station_head, head=head, on=today - dt.timedelta(days=1))
    with pytest.raises(ValidationError):
        services.household_head_activity_report(
            user=station_head, head=head, kind=ActivityKind.TRAFFIC, occurred_on=today, description="x"
        )


# --- compliance snapshot -------------------------------------------------------------------------------------------


def test_compliance_snapshot_is_idempotent_and_matches_the_check_ins(officer: User) -> None:
    month = timezone.localdate().replace(day=1)
    n = services.compliance_snapshot(month=month)
    assert n == BeatAssignment.objects.filter(end__isnull=True).count() or n >= 1
    first = {r.officer_id: (r.days_checked, r.days_required) for r in MonthlyCompliance.objects.filter(month=month)}
    assert services.compliance_snapshot(month=month) == n
    assert {r.officer_id: (r.days_checked, r.days_required) for r in MonthlyCompliance.objects.filter(month=month)} == first
    expected_days = (
        CheckIn.objects.filter(officer=officer.officer, counts=True, day__gte=month, day__lte=timezone.localdate())
        .values("day").distinct().count()
    )
    assert first[officer.officer_id][0] == expected_days


def test_only_police_of_the_station_are_offered_as_beat_officers(station_head: User, my_beat: Beat) -> None:
    from beats.forms import BeatAssignForm

    form = BeatAssignForm(user=station_head, beat=my_beat)
    offered = set(form.fields["officer"].queryset)
    assert offered
    assert all(o.station_id == my_beat.station_id and o.kind == OfficerKind.POLICE for o in offered)
    assert not Officer.objects.filter(pk__in=[o.pk for o in offered]).exclude(station=my_beat.station).exists()
