"""Writes of mass prevention (群防群治) and training (三会一懂). Atomic, validated with
``full_clean()``, in the writer's jurisdiction. A household head who took part in an activity gets
it entered in their activity record through the beats app's own service
(``household_head_activity_report``), where the station confirms it as usual."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from disputes import services
from disputes.choices import PreventionKind
from disputes.models import PreventionActivity, PreventionParticipant, TrainingAttendance, TrainingSession
from stations.jurisdiction import scope
from stations.models import Officer, Station, User

# The kind of a head's activity record that a prevention activity counts as.
HEAD_ACTIVITY_KIND = {
    PreventionKind.JOINT_PATROL: "joint_patrol",
    PreventionKind.PUBLICITY: "legal_publicity",
    PreventionKind.EPIDEMIC: "epidemic",
}


def _station_in_scope(station: Station, user: Any) -> None:
    if not scope(Station.objects.filter(pk=station.pk), user).exists():
        raise ValidationError({"station": _("This station is not in your jurisdiction.")})


def _officers(station: Station, ids: Iterable[Any], field: str) -> list[int]:
    wanted = {int(getattr(o, "pk", o)) for o in ids}
    found = set(Officer.objects.filter(pk__in=wanted, station=station).values_list("pk", flat=True))
    if wanted - found:
        raise ValidationError({field: _("Every officer must be posted at the station.")})
    return sorted(found)


@transaction.atomic
def prevention_activity_record(
    *,
    user: User,
    station: Station,
    kind: str,
    held_on: dt.date,
    officers: Iterable[Any] = (),
    household_heads: Iterable[Any] = (),
    beat: Any = None,
    place: str = "",
    summary: str = "",
    people_reached: int | None = None,
) -> PreventionActivity:
    """Record a mass-prevention activity with the officers and household heads who took part."""
    from beats.models import HouseholdHead
    from beats.services import household_head_activity_report

    services._require_writer(user)
    _station_in_scope(station, user)
    activity = PreventionActivity(
        station=station,
        beat=beat,
        kind=kind,
        held_on=held_on,
        place=(place or "").strip(),
        summary=(summary or "").strip(),
        people_reached=people_reached,
        recorded_by=user,
    )
    activity.full_clean()
    activity.save()
    officer_ids = _officers(station, officers, "officers")
    head_ids = {int(getattr(h, "pk", h)) for h in household_heads}
    heads = list(HouseholdHead.objects.filter(pk__in=head_ids, station=station, is_active=True))
    if len(heads) != len(head_ids):
        raise ValidationError({"household_heads": _("Every household head must serve the station.")})
    if not officer_ids and not heads:
        raise ValidationError({"officers": _("Name at least one officer or household head who took part.")})
    rows = [PreventionParticipant(activity=activity, officer_id=pk) for pk in officer_ids]
    for head in heads:
        record = household_head_activity_report(
            user=user,
            head=head,
            kind=HEAD_ACTIVITY_KIND[kind],
            occurred_on=held_on,
            description=(f"{activity.get_kind_display()}: {activity.place or activity.summary}")[:500],
        )
        rows.append(PreventionParticipant(activity=activity, household_head=head, head_activity=record))
    PreventionParticipant.objects.bulk_create(rows)
    return activity


@transaction.atomic
def training_session_record(
    *,
    user: User,
    station: Station,
    skill: str,
    title: str,
    held_on: dt.date,
    attended: Iterable[Any] = (),
    failed: Iterable[Any] = (),
    trainer: str = "",
    hours: Decimal | float = Decimal("2"),
) -> TrainingSession:
    """Record a training session and who attended it (``failed``: attended but did not pass)."""
    services._require_writer(user)
    _station_in_scope(station, user)
    session = TrainingSession(
        station=station,
        skill=skill,
        title=(title or "").strip(),
        held_on=held_on,
        trainer=(trainer or "").strip(),
        hours=Decimal(str(hours)),
        recorded_by=user,
    )
    session.full_clean()
    session.save()
    attended_ids = _officers(station, attended, "attended")
    failed_ids = set(_officers(station, failed, "failed"))
    if not attended_ids:
        raise ValidationError({"attended": _("Name the officers who attended.")})
    if failed_ids - set(attended_ids):
        raise ValidationError({"failed": _("Only an officer who attended can fail the check.")})
    TrainingAttendance.objects.bulk_create(
        TrainingAttendance(session=session, officer_id=pk, passed=pk not in failed_ids) for pk in attended_ids
    )
    return session
