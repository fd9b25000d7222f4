"""Writes of community policing. Keyword-only, atomic, validated with ``full_clean()``; views, the
API, forms and tasks call these and nothing else writes beats data.

Services that act for a user re-check, inside their transaction, that every object they touch is in
the user's jurisdiction (``Http404`` otherwise, as for a missing object) and that the user's role may
do it (``PermissionDenied``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from beats import rules
from beats.choices import (
    ActivityKind,
    ActivityStatus,
    AreaKind,
    CheckInReview,
    CheckInSource,
    EightNo,
    HeadSource,
)
from beats.geometry import BoundaryError, parse_boundary
from beats.models import (
    Beat,
    BeatAssignment,
    CheckIn,
    CheckInPolicy,
    Community,
    EightNosBreach,
    EightNosStatus,
    HouseholdHead,
    HouseholdHeadActivity,
    MonthlyCompliance,
    PoliceRoom,
)
from beats.models.eightnos import status_field
from beats.permissions import can_enter, can_manage, can_set_policy
from stations.jurisdiction import is_in_scope
from stations.models import Officer, Station, User


def _in_scope(obj: Model, user: User) -> None:
    if not is_in_scope(obj, user):
        raise Http404


def _manager(user: User) -> None:
    if not can_manage(user):
        raise PermissionDenied(_("Only the station head or province staff may do this."))


# --- Beats and their officers ----------------------------------------------------------------------


@transaction.atomic
def beat_set_boundary(*, user: User, beat: Beat, boundary: dict[str, Any] | None) -> Beat:
    """Replace a beat's boundary with a valid GeoJSON Polygon or MultiPolygon (or none)."""
    _manager(user)
    _in_scope(beat, user)
    if boundary is not None:
        try:
            parse_boundary(boundary)
        except BoundaryError as exc:
            raise ValidationError({"boundary": [str(exc)]}) from exc
    beat.boundary = boundary
    beat.full_clean()
    beat.save(update_fields=["boundary"])
    return beat


@transaction.atomic
def beat_assign_officer(
    *, user: User | None, beat: Beat, officer: Officer | None, full_time: bool = True, on: dt.date
) -> BeatAssignment | None:
    """Make ``officer`` the beat's dedicated officer from ``on`` (None: leave the beat vacant).

    Closes the beat's open assignment and the officer's open assignment elsewhere the day before
    ``on`` (an officer is dedicated to one beat at a time), opens the new one, and keeps the beat's
    ``officer``/``officer_full_time`` equal to it. ``user=None`` is for the demo and tasks."""
    if user is not None:
        _manager(user)
        _in_scope(beat, user)
        if officer is not None:
            _in_scope(officer, user)
    if officer is not None and officer.station_id != beat.station_id:
        raise ValidationError({"officer": [_("The officer must be posted at the beat's station.")]})
    beat = Beat.objects.select_for_update().get(pk=beat.pk)
    closing = Q(beat=beat)
    if officer is not None:
        closing |= Q(officer=officer)
    for open_assignment in BeatAssignment.objects.select_for_update().filter(closing, end__isnull=True):
        if open_assignment.start >= on:
            open_assignment.delete()
        else:
            open_assignment.end = on - dt.timedelta(days=1)
            open_assignment.save(update_fields=["end"])
        if open_assignment.beat_id != beat.pk:
            Beat.objects.filter(pk=open_assignment.beat_id).update(officer=None, officer_full_time=False)
    assignment = None
    if officer is not None:
        assignment = BeatAssignment(beat=beat, officer=officer, full_time=full_time, start=on)
        assignment.full_clean()
        assignment.save()
    beat.officer = officer
    beat.officer_full_time = bool(officer is not None and full_time)
    beat.save(update_fields=["officer", "officer_full_time"])
    return assignment


def current_beat(officer: Officer) -> Beat | None:
    """The beat ``officer`` is dedicated to now, if any."""
    return Beat.objects.select_related("station").filter(officer=officer).first()


# --- Police rooms -----------------------------------------------------------------------------------

ROOM_FIELDS = ("code", "name", "kind", "address", "latitude", "longitude", "opening_hours", "named_after", "is_active")


@transaction.atomic
def police_room_create(
    *,
    user: User | None,
    beat: Beat,
    code: str,
    name: str,
    kind: str = AreaKind.URBAN,
    address: str = "",
    latitude: Any = None,
    longitude: Any = None,
    opening_hours: str = "",
    named_after: Officer | None = None,
    is_active: bool = True,
) -> PoliceRoom:
    """Open a police room serving ``beat``; the room belongs to the beat's station."""
    if user is not None:
        _manager(user)
        _in_scope(beat, user)
    room = PoliceRoom(
        beat=beat, station_id=beat.station_id, code=code, name=name, kind=kind, address=address,
        latitude=latitude, longitude=longitude, opening_hours=opening_hours, named_after=named_after,
        is_active=is_active,
    )
    _check_named_after(room)
    room.full_clean()
    room.save()
    return room


@transaction.atomic
def police_room_update(*, user: User, room: PoliceRoom, beat: Beat | None = None, **changes: Any) -> PoliceRoom:
    """Change a room's details (``ROOM_FIELDS``) or the beat it serves (and so its station)."""
    _manager(user)
    room = PoliceRoom.objects.select_for_update().get(pk=room.pk)
    _in_scope(room, user)
    unknown = set(changes) - set(ROOM_FIELDS)
    if unknown:
        raise TypeError(f"not room fields: {sorted(unknown)}")
    if beat is not None:
        _in_scope(beat, user)
        room.beat, room.station_id = beat, beat.station_id
    for name, value in changes.items():
        setattr(room, name, value)
    _check_named_after(room)
    room.full_clean()
    room.save()
    return room


def _check_named_after(room: PoliceRoom) -> None:
    if room.named_after is not None and room.named_after.station_id != room.station_id:
        raise ValidationError({"named_after": [_("The officer a room is named after must serve at its station.")]})


# --- Check-ins ---------------------------------------------------------------------------------------


def policy_in_force(on: dt.date) -> CheckInPolicy:
    """The check-in policy in force on ``on`` (an unsaved one with the defaults if none was set)."""
    policy = CheckInPolicy.objects.filter(effective_from__lte=on).order_by("-effective_from").first()
    return policy or CheckInPolicy(effective_from=dt.date(2000, 1, 1))


def thresholds_of(policy: CheckInPolicy) -> rules.Thresholds:
    return rules.Thresholds(
        max_accuracy_m=policy.max_accuracy_m,
        max_speed_kmh=policy.max_speed_kmh,
        max_jump_m=policy.max_jump_km * 1000,
        max_device_age=dt.timedelta(minutes=policy.max_device_age_minutes),
    )


def boundary_geometry(beat: Beat) -> Any:
    """The beat's boundary as shapely geometry, or None when it has none (or a broken one)."""
    if not beat.boundary:
        return None
    try:
        return parse_boundary(beat.boundary)
    except BoundaryError:
        return None


@transaction.atomic
def checkin_record(
    *,
    officer: Officer,
    lat: float,
    lon: float,
    accuracy: float,
    device_time: dt.datetime | None = None,
    source: str = CheckInSource.API,
    now: dt.datetime | None = None,
) -> CheckIn:
    """Check ``officer`` in at a location against the beat they are dedicated to now.

    The check-in is always kept: outside the beat, too vague, implausibly far or fast from the
    previous one, or with a stale device timestamp, it is stored with its flags and does not count
    toward compliance until the station accepts it."""
    now = now or timezone.now()
    # One check-in at a time per officer, so "the previous check-in" is well defined.
    officer = Officer.objects.select_for_update().get(pk=officer.pk)
    beat = current_beat(officer)
    if beat is None:
        raise ValidationError(_("You are not the dedicated officer of a beat, so there is nothing to check in to."))
    previous = (
        CheckIn.objects.filter(officer=officer, at__lte=now).order_by("-at", "-id").values("lat", "lon", "accuracy", "at").first()
    )
    local_day = timezone.localtime(now).date()
    verdict = rules.judge_check_in(
        fix=rules.Fix(lat=lat, lon=lon, accuracy_m=accuracy, device_time=device_time),
        boundary=boundary_geometry(beat),
        previous=rules.PreviousCheckIn(
            lat=previous["lat"], lon=previous["lon"], accuracy_m=previous["accuracy"], at=previous["at"]
        ) if previous else None,
        thresholds=thresholds_of(policy_in_force(local_day)),
        now=now,
    )
    check_in = CheckIn(
        officer=officer, beat=beat, station_id=beat.station_id, at=now, day=local_day, device_time=device_time,
        lat=lat, lon=lon, accuracy=accuracy, inside_beat=verdict.inside_beat, flags=list(verdict.flags),
        distance_from_previous_m=verdict.distance_from_previous_m, speed_kmh=verdict.speed_kmh,
        counts=verdict.counts, source=source,
    )
    check_in.full_clean()
    check_in.save()
    return check_in


@transaction.atomic
def checkin_review(
    *, user: User, check_in: CheckIn, accepted: bool, note: str = "", now: dt.datetime | None = None
) -> CheckIn:
    """The station accepts a flagged check-in (it then counts) or rejects it (it does not)."""
    _manager(user)
    check_in = CheckIn.objects.select_for_update().get(pk=check_in.pk)
    _in_scope(check_in, user)
    if not check_in.flags:
        raise ValidationError(_("Only a flagged check-in is reviewed; this one counts already."))
    check_in.review = CheckInReview.ACCEPTED if accepted else CheckInReview.REJECTED
    check_in.counts = accepted
    check_in.reviewed_by = user
    check_in.reviewed_at = now or timezone.now()
    check_in.review_note = note
    check_in.full_clean()
    check_in.save()
    return check_in


@transaction.atomic
def checkin_policy_set(
    *,
    user: User,
    effective_from: dt.date,
    days_required: int,
    max_accuracy_m: int,
    max_speed_kmh: int,
    max_jump_km: int,
    max_device_age_minutes: int,
    note: str = "",
) -> CheckInPolicy:
    """Set (or replace) the check-in policy in force from a month on. Province staff only."""
    if not can_set_policy(user):
        raise PermissionDenied(_("Only province staff set the check-in policy."))
    policy = CheckInPolicy.objects.filter(effective_from=effective_from).first() or CheckInPolicy(
        effective_from=effective_from
    )
    policy.days_required = days_required
    policy.max_accuracy_m = max_accuracy_m
    policy.max_speed_kmh = max_speed_kmh
    policy.max_jump_km = max_jump_km
    policy.max_device_age_minutes = max_device_age_minutes
    policy.note = note
    policy.set_by = user
    policy.full_clean()
    policy.save()
    return policy


@transaction.atomic
def compliance_snapshot(*, month: dt.date, now: dt.datetime | None = None) -> int:
    """Store every officer's compliance for ``month`` (what the assessment reads). Idempotent:
    re-running replaces the month's rows. Returns the number of officers."""
    from beats.selectors import compliance_rows_all

    month = rules.month_start(month)
    now = now or timezone.now()
    rows = compliance_rows_all(month=month)
    MonthlyCompliance.objects.filter(month=month).exclude(officer_id__in=[r.officer_id for r in rows]).delete()
    MonthlyCompliance.objects.bulk_create(
        [
            MonthlyCompliance(
                officer_id=r.officer_id, station_id=r.station_id, beat_id=r.beat_id, month=month,
                days_checked=r.days_checked, days_required=r.days_required, met=r.met, computed_at=now,
            )
            for r in rows
        ],
        update_conflicts=True,
        unique_fields=["officer", "month"],
        update_fields=["station", "beat", "days_checked", "days_required", "met", "computed_at"],
        batch_size=2000,
    )
    return len(rows)


# --- Communities and the eight nos ---------------------------------------------------------------------


@transaction.atomic
def community_create(
    *, user: User | None, station: Station, code: str, name: str, kind: str, beat: Beat | None, year: int
) -> Community:
    """Add a community/village at ``station`` (covered by ``beat``), with its eight-nos row for ``year``."""
    if user is not None:
        _manager(user)
        _in_scope(station, user)
    if beat is not None and beat.station_id != station.pk:
        raise ValidationError({"beat": [_("The beat must belong to the same station.")]})
    community = Community(station=station, code=code, name=name, kind=kind, beat=beat)
    community.full_clean()
    community.save()
    EightNosStatus.objects.create(community=community, year=year)
    return community


def eight_nos_recompute(*, community: Community, year: int) -> EightNosStatus:
    """Derive the community's standing in ``year`` from its recorded breaches (and clear the
    certification if it no longer holds all eight)."""
    broken = EightNosBreach.objects.filter(community=community, occurred_on__year=year).values_list("item", flat=True)
    standing = rules.eight_nos_standing(broken)
    status, _created = EightNosStatus.objects.select_for_update().get_or_create(community=community, year=year)
    for item, held in standing.items():
        setattr(status, status_field(item), held)
    if not rules.holds_all_eight(standing):
        status.certified_on = None
    status.full_clean()
    status.save()
    return status


@transaction.atomic
def eight_nos_breach_record(
    *,
    user: User | None,
    community: Community,
    item: str,
    occurred_on: dt.date,
    description: str,
    case_number: str = "",
) -> EightNosBreach:
    """Record the incident or case that broke one of the eight nos, and update the year's standing."""
    if user is not None:
        _manager(user)
        _in_scope(community, user)
    if item not in EightNo.values:
        raise ValidationError({"item": [_("Not one of the eight nos.")]})
    breach = EightNosBreach(
        community=community, item=item, occurred_on=occurred_on, description=description,
        case_number=case_number, recorded_by=user,
    )
    breach.full_clean()
    breach.save()
    eight_nos_recompute(community=community, year=occurred_on.year)
    return breach


@transaction.atomic
def eight_nos_breach_delete(*, user: User, breach: EightNosBreach) -> None:
    """Remove a breach recorded in error, and restore the year's standing."""
    _manager(user)
    _in_scope(breach, user)
    community, year = breach.community, breach.occurred_on.year
    breach.delete()
    eight_nos_recompute(community=community, year=year)


@transaction.atomic
def eight_nos_certify(*, user: User | None, community: Community, year: int, on: dt.date) -> EightNosStatus:
    """Certify that the community holds all eight nos in ``year`` (on date ``on``)."""
    if user is not None:
        _manager(user)
        _in_scope(community, user)
    if on.year != year:
        raise ValidationError({"on": [_("The certification date must fall in the year certified.")]})
    status = eight_nos_recompute(community=community, year=year)
    if not rules.holds_all_eight(status.holds()):
        raise ValidationError(_("A community that has broken one of the eight nos this year cannot be certified."))
    status.certified_on = on
    status.full_clean()
    status.save(update_fields=["certified_on"])
    return status


def eight_nos_open_year(*, year: int) -> int:
    """Create the year's eight-nos row for every community that has none (idempotent)."""
    missing = Community.objects.exclude(eight_nos__year=year).values_list("pk", flat=True)
    created = EightNosStatus.objects.bulk_create(
        [EightNosStatus(community_id=pk, year=year) for pk in missing.iterator()],
        ignore_conflicts=True, batch_size=5000,
    )
    return len(created)


# --- Security household heads ----------------------------------------------------------------------------

HEAD_FIELDS = ("name", "phone", "source", "appointed_by", "appointed_on")


@transaction.atomic
def household_head_appoint(
    *,
    user: User | None,
    community: Community,
    national_id: str,
    name: str,
    phone: str = "",
    source: str = HeadSource.RESIDENT,
    appointed_by: Officer | None = None,
    appointed_on: dt.date,
) -> HouseholdHead:
    """Appoint a security household head for ``community`` (at the community's station). The
    national ID is checked with ``cn.ric``; a person is an active head of one village at a time."""
    if user is not None:
        _manager(user)
        _in_scope(community, user)
    head = HouseholdHead(
        community=community, station_id=community.station_id, national_id=national_id.strip().upper(),
        name=name, phone=phone, source=source, appointed_by=appointed_by, appointed_on=appointed_on,
    )
    _check_appointer(head)
    head.full_clean()
    if HouseholdHead.objects.filter(national_id=head.national_id, is_active=True).exists():
        raise ValidationError({"national_id": [_("This person is already an active security household head.")]})
    head.save()
    return head


@transaction.atomic
def household_head_update(
    *, user: User, head: HouseholdHead, community: Community | None = None, **changes: Any
) -> HouseholdHead:
    """Change a head's details (``HEAD_FIELDS``) or the community served."""
    _manager(user)
    head = HouseholdHead.objects.select_for_update().get(pk=head.pk)
    _in_scope(head, user)
    unknown = set(changes) - set(HEAD_FIELDS)
    if unknown:
        raise TypeError(f"not household-head fields: {sorted(unknown)}")
    if community is not None:
        _in_scope(community, user)
        head.community, head.station_id = community, community.station_id
    for name, value in changes.items():
        setattr(head, name, value)
    _check_appointer(head)
    head.full_clean()
    head.save()
    return head


@transaction.atomic
def household_head_end(*, user: User, head: HouseholdHead, on: dt.date) -> HouseholdHead:
    """End a head's service on ``on``; their activities stay."""
    _manager(user)
    head = HouseholdHead.objects.select_for_update().get(pk=head.pk)
    _in_scope(head, user)
    if on < head.appointed_on:
        raise ValidationError({"ended_on": [_("A head's service cannot end before it began.")]})
    head.is_active, head.ended_on = False, on
    head.full_clean()
    head.save(update_fields=["is_active", "ended_on"])
    return head


def _check_appointer(head: HouseholdHead) -> None:
    if head.appointed_by is not None and head.appointed_by.station_id != head.station_id:
        raise ValidationError({"appointed_by": [_("The appointing officer must serve at the head's station.")]})


@transaction.atomic
def household_head_activity_report(
    *, user: User | None, head: HouseholdHead, kind: str, occurred_on: dt.date, description: str,
    today: dt.date | None = None,
) -> HouseholdHeadActivity:
    """Enter an activity a household head reports; it awaits the station's confirmation."""
    if user is not None:
        if not can_enter(user):
            raise PermissionDenied(_("Your role cannot enter activities."))
        _in_scope(head, user)
    head = HouseholdHead.objects.select_for_update().get(pk=head.pk)
    today = today or timezone.localdate()
    if occurred_on > today:
        raise ValidationError({"occurred_on": [_("An activity cannot be reported before it happens.")]})
    if occurred_on < head.appointed_on or (head.ended_on is not None and occurred_on > head.ended_on):
        raise ValidationError({"occurred_on": [_("The head was not serving on that day.")]})
    if kind not in ActivityKind.values:
        raise ValidationError({"kind": [_("Not a kind of activity.")]})
    activity = HouseholdHeadActivity(
        head=head, station_id=head.station_id, kind=kind, occurred_on=occurred_on, description=description,
        reported_by=user,
    )
    activity.full_clean()
    activity.save()
    return activity


@transaction.atomic
def household_head_activity_decide(
    *, user: User, activity: HouseholdHeadActivity, confirm: bool, note: str = "", now: dt.datetime | None = None
) -> HouseholdHeadActivity:
    """The station confirms (or rejects) a reported activity. Decided once: points and rewards are
    computed from confirmed activities, so a decision is not reversed here."""
    _manager(user)
    activity = HouseholdHeadActivity.objects.select_for_update().get(pk=activity.pk)
    _in_scope(activity, user)
    if activity.status != ActivityStatus.REPORTED:
        raise ValidationError(_("This activity has been decided already."))
    activity.status = ActivityStatus.CONFIRMED if confirm else ActivityStatus.REJECTED
    activity.decided_by = user
    activity.decided_at = now or timezone.now()
    activity.decision_note = note
    activity.full_clean()
    activity.save()
    return activity
