"""Writes of the disputes app. Every write is one of these keyword-only functions: atomic, validated
with ``full_clean()``, audited by the models' triggers, and re-checking inside its transaction that
the dispute is in the writer's jurisdiction (outside it answers 404, like a missing dispute)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from disputes import transitions
from disputes.choices import (
    ESCALATED_STATES,
    OPEN_STATES,
    TRANSFERRED_STATES,
    DisputeState,
    FollowUpOutcome,
    FollowUpStatus,
    RiskLevel,
)
from disputes.figures import COUNT_FIELDS
from disputes.models import Dispute, DisputeMonth, FollowUp, MediationSession, Party, Transition
from stations.api.permissions import can_write
from stations.jurisdiction import scope
from stations.models import Officer, Station, User

# Editable details of a dispute (its station and state are not: the workflow moves the state).
EDITABLE_FIELDS = (
    "title",
    "kind",
    "found_by",
    "risk",
    "account",
    "reported_on",
    "found_on",
    "beat",
    "community",
    "officer",
)
DEFAULT_FOLLOWUP_DAYS = (7, 30)
# A step may be dated a few minutes ahead of the server clock (phones' clocks drift).
CLOCK_SKEW = dt.timedelta(minutes=5)


class OutOfScope(Http404):
    """The object is not in the user's jurisdiction (answered exactly like a missing one)."""


@dataclass(frozen=True)
class PartyInput:
    """A party as entered: a registry person (by id or national ID) or a name and a phone."""

    name: str = ""
    phone: str = ""
    role: str = "first"
    person_id: int | None = None
    national_id: str = ""


def followup_days() -> tuple[int, ...]:
    """Days after resolution at which follow-up visits are due (``DISPUTES_FOLLOWUP_DAYS``)."""
    return tuple(getattr(settings, "DISPUTES_FOLLOWUP_DAYS", DEFAULT_FOLLOWUP_DAYS))


# --- helpers ------------------------------------------------------------------------------------


def _require_writer(user: Any) -> None:
    if not can_write(user):
        raise PermissionDenied(_("Your role may not change dispute records."))


def _lock(dispute: Dispute, user: Any) -> Dispute:
    """Lock the dispute row for this transaction and re-check it is in ``user``'s jurisdiction."""
    locked = (
        scope(Dispute.objects.all(), user)
        .select_for_update(of=("self",))
        .select_related("station")
        .filter(pk=dispute.pk)
        .first()
    )
    if locked is None:
        raise OutOfScope
    return locked


def _officer_of(user: Any) -> Officer | None:
    officer_id = getattr(user, "officer_id", None)
    return Officer.objects.filter(pk=officer_id).first() if officer_id else None


def _local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def day_at(day: dt.date, *, now: dt.datetime, floor: dt.datetime | None = None) -> dt.datetime:
    """The moment to record an action dated ``day``: now for today, else the start of that day;
    never before ``floor`` (the dispute's previous step)."""
    moment = (
        now
        if day >= timezone.localtime(now).date()
        else timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    )
    return max(moment, floor) if floor is not None else moment


def _last_step_at(dispute: Dispute) -> dt.datetime | None:
    return (
        Transition.objects.filter(dispute=dispute).order_by("-at", "-id").values_list("at", flat=True).first()
    )


def _touch(dispute: Dispute, at: dt.datetime) -> None:
    if at > dispute.last_action_at:
        dispute.last_action_at = at
        Dispute.objects.filter(pk=dispute.pk).update(last_action_at=at)


def _resolve_person(user: Any, *, person_id: int | None, national_id: str) -> Any:
    """The registry person a party refers to, looked up in ``user``'s jurisdiction (or ``None``)."""
    from registry.models import Person

    persons = scope(Person.objects.filter(deleted=False), user)
    if person_id:
        person = persons.filter(pk=person_id).first()
        if person is None:
            raise ValidationError({"person": _("No such person in the registry of your jurisdiction.")})
        return person
    if national_id:
        from registry.selectors import person_by_national_id

        return person_by_national_id(user=user, national_id=national_id)
    return None


# --- disputes -----------------------------------------------------------------------------------


@transaction.atomic
def dispute_create(
    *,
    user: User,
    station: Station,
    title: str,
    kind: str,
    found_by: str,
    found_on: dt.date,
    risk: str = RiskLevel.LOW,
    account: str = "",
    reported_on: dt.date | None = None,
    beat: Any = None,
    community: Any = None,
    officer: Officer | None = None,
    parties: Sequence[PartyInput] = (),
    now: dt.datetime | None = None,
) -> Dispute:
    """Record a dispute in screening, with its parties, and open its timeline."""
    _require_writer(user)
    now = now or timezone.now()
    if not scope(Station.objects.filter(pk=station.pk), user).exists():
        raise ValidationError({"station": _("This station is not in your jurisdiction.")})
    dispute = Dispute(
        station=station,
        title=title,
        kind=kind,
        found_by=found_by,
        found_on=found_on,
        risk=risk,
        account=account,
        reported_on=reported_on,
        beat=beat,
        community=community,
        officer=officer,
        state=DisputeState.SCREENING,
        created_by=user,
        last_action_at=day_at(found_on, now=now),
    )
    dispute.full_clean()
    dispute.save()
    step = Transition(
        dispute=dispute,
        from_state="",
        to_state=DisputeState.SCREENING,
        at=dispute.last_action_at,
        note=_("Recorded."),
        user=user,
        officer=_officer_of(user),
    )
    step.full_clean()
    step.save()
    for index, party in enumerate(parties, start=1):
        try:
            party_add(user=user, dispute=dispute, party=party)
        except ValidationError as exc:
            raise ValidationError(
                {"parties": [_("Party %(n)d: %(error)s") % {"n": index, "error": " ".join(exc.messages)}]}
            ) from exc
    return dispute


@transaction.atomic
def dispute_update(*, user: User, dispute: Dispute, **changes: Any) -> Dispute:
    """Change a dispute's details (not its station or state)."""
    _require_writer(user)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in sorted(unknown)})
    locked = _lock(dispute, user)
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.full_clean()
    locked.save()
    return locked


@transaction.atomic
def dispute_transition(
    *, dispute: Dispute, to: str, note: str = "", user: User, at: dt.datetime | None = None
) -> Transition:
    """Move ``dispute`` to state ``to`` if the workflow allows it, dated ``at`` (default now), and
    write the attributed timeline row. The dispute row is locked first, so of two concurrent moves
    the second sees the state the first left."""
    _require_writer(user)
    now = timezone.now()
    locked = _lock(dispute, user)
    error = transitions.transition_error(locked.state, to)
    if error:
        raise ValidationError({"to": [error]})
    note = (note or "").strip()
    if transitions.note_required(locked.state, to) and not note:
        raise ValidationError({"note": [_("Say why: this step needs a note.")]})
    last = _last_step_at(locked)
    if at is None:
        at = max(now, last) if last else now
    if at > now + CLOCK_SKEW:
        raise ValidationError({"at": [_("A step cannot be dated in the future.")]})
    if last is not None and at < last:
        raise ValidationError({"at": [_("A step cannot be dated before the dispute's previous step.")]})
    if _local_day(at) < locked.found_on:
        raise ValidationError({"at": [_("A step cannot be dated before the dispute was found.")]})

    from_state = locked.state
    step = Transition(
        dispute=locked,
        from_state=from_state,
        to_state=to,
        at=at,
        note=note,
        user=user,
        officer=_officer_of(user),
    )
    step.full_clean()
    step.save()

    locked.state = to
    locked.closed_on = None if to in OPEN_STATES else _local_day(at)
    locked.last_action_at = max(locked.last_action_at, at)
    locked.save(update_fields=["state", "closed_on", "last_action_at", "updated_at"])

    if from_state == DisputeState.RESOLVED:
        # Reopened or escalated: the visits planned after the resolution no longer apply.
        FollowUp.objects.filter(dispute=locked, status=FollowUpStatus.PENDING).update(
            status=FollowUpStatus.CANCELLED
        )
    if to == DisputeState.RESOLVED and locked.closed_on is not None:
        FollowUp.objects.bulk_create(
            FollowUp(dispute=locked, due_on=locked.closed_on + dt.timedelta(days=days), recorded_by=user)
            for days in followup_days()
        )
    for name in ("state", "closed_on", "last_action_at"):
        setattr(dispute, name, getattr(locked, name))
    return step


# --- parties ------------------------------------------------------------------------------------


@transaction.atomic
def party_add(*, user: User, dispute: Dispute, party: PartyInput) -> Party:
    """Add a party: the registry person when one is given or found by national ID (its name and
    phone are copied), otherwise the name and phone typed in."""
    _require_writer(user)
    locked = _lock(dispute, user)
    national_id = party.national_id.strip().upper()
    if national_id:
        from stdnum.cn import ric

        if not ric.is_valid(national_id):
            raise ValidationError({"national_id": _("This is not a valid national ID.")})
    person = _resolve_person(user, person_id=party.person_id, national_id=national_id)
    name = party.name.strip() or (person.name if person is not None else "")
    phone = party.phone.strip() or (person.phone if person is not None else "")
    if not name:
        raise ValidationError({"name": _("Give the party's name, or a national ID found in the registry.")})
    row = Party(dispute=locked, role=party.role, person=person, name=name, phone=phone)
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def party_remove(*, user: User, party: Party) -> None:
    _require_writer(user)
    _lock(party.dispute, user)
    Party.objects.filter(pk=party.pk).delete()


# --- mediation ----------------------------------------------------------------------------------


@transaction.atomic
def mediation_session_record(
    *,
    user: User,
    dispute: Dispute,
    held_on: dt.date,
    method: str,
    outcome: str,
    officer: Officer | None = None,
    mediators: str = "",
    note: str = "",
    resolve: bool = False,
) -> MediationSession:
    """Record a mediation session. A dispute still in screening moves to mediation with it; with
    ``resolve`` the dispute is marked resolved after the session."""
    _require_writer(user)
    now = timezone.now()
    locked = _lock(dispute, user)
    if locked.state not in OPEN_STATES:
        raise ValidationError(
            {
                "held_on": _(
                    "Sessions are recorded while a dispute is open; reopen it first if it flared up again."
                )
            }
        )
    if officer is not None and officer.station_id != locked.station_id:
        raise ValidationError(
            {"officer": _("The mediating officer must be posted at the dispute's station.")}
        )
    session = MediationSession(
        dispute=locked,
        held_on=held_on,
        method=method,
        outcome=outcome,
        officer=officer or _officer_of(user),
        mediators=mediators,
        note=note,
        recorded_by=user,
    )
    session.full_clean()
    session.save()
    at = day_at(held_on, now=now, floor=_last_step_at(locked))
    if locked.state == DisputeState.SCREENING:
        dispute_transition(
            dispute=locked, to=DisputeState.MEDIATING, note=_("Mediation began."), user=user, at=at
        )
    if resolve:
        dispute_transition(
            dispute=locked,
            to=DisputeState.RESOLVED,
            note=note or _("Resolved by mediation."),
            user=user,
            at=at,
        )
    _touch(locked, at)
    for name in ("state", "closed_on", "last_action_at"):
        setattr(dispute, name, getattr(locked, name))
    return session


# --- follow-up visits ---------------------------------------------------------------------------


@transaction.atomic
def followup_schedule(*, user: User, dispute: Dispute, due_on: dt.date) -> FollowUp:
    """Plan another follow-up visit of a resolved dispute."""
    _require_writer(user)
    locked = _lock(dispute, user)
    if locked.state != DisputeState.RESOLVED:
        raise ValidationError({"due_on": _("Follow-up visits are planned for resolved disputes.")})
    if locked.closed_on and due_on < locked.closed_on:
        raise ValidationError({"due_on": _("A follow-up visit falls after the resolution.")})
    followup = FollowUp(dispute=locked, due_on=due_on, recorded_by=user)
    followup.full_clean()
    followup.save()
    return followup


@transaction.atomic
def followup_record(
    *,
    user: User,
    followup: FollowUp,
    done_on: dt.date,
    outcome: str,
    note: str = "",
    officer: Officer | None = None,
    reopen: bool | None = None,
) -> FollowUp:
    """Record a follow-up visit as done. When it found the dispute flared up again, the dispute is
    reopened for mediation (unless ``reopen=False``)."""
    _require_writer(user)
    now = timezone.now()
    locked = _lock(followup.dispute, user)
    row = FollowUp.objects.select_for_update().filter(pk=followup.pk, dispute=locked).first()
    if row is None:
        raise OutOfScope
    if row.status != FollowUpStatus.PENDING:
        raise ValidationError({"status": _("This follow-up visit is no longer due.")})
    if locked.closed_on and done_on < locked.closed_on:
        raise ValidationError({"done_on": _("A follow-up visit is made after the resolution.")})
    if officer is not None and officer.station_id != locked.station_id:
        raise ValidationError({"officer": _("The visiting officer must be posted at the dispute's station.")})
    row.status = FollowUpStatus.DONE
    row.done_on = done_on
    row.outcome = outcome
    row.note = note
    row.officer = officer or _officer_of(user)
    row.recorded_by = user
    row.full_clean()
    row.save()
    at = day_at(done_on, now=now, floor=_last_step_at(locked))
    if reopen is None:
        reopen = outcome == FollowUpOutcome.FLARED_UP
    if reopen:
        dispute_transition(
            dispute=locked,
            to=DisputeState.MEDIATING,
            user=user,
            at=at,
            note=note or _("Flared up again: found at a follow-up visit."),
        )
    _touch(locked, at)
    followup.status, followup.done_on, followup.outcome = row.status, row.done_on, row.outcome
    return row


# --- figures ------------------------------------------------------------------------------------

_REFRESH_LOCK = 5_172_026  # pg advisory lock key of the figures refresh


def monthly_counts() -> dict[tuple[int, dt.date], dict[str, int]]:
    """Every station's counts per month, straight from the disputes, in two grouped queries."""
    open_ = list(OPEN_STATES)
    rows: dict[tuple[int, dt.date], dict[str, int]] = {}
    found = (
        Dispute.objects.order_by()
        .values("station_id", month=TruncMonth("found_on"))
        .annotate(
            found=Count("id"),
            resolved=Count("id", filter=Q(state=DisputeState.RESOLVED)),
            transferred=Count("id", filter=Q(state__in=TRANSFERRED_STATES)),
            open_low=Count("id", filter=Q(state__in=open_, risk=RiskLevel.LOW)),
            open_medium=Count("id", filter=Q(state__in=open_, risk=RiskLevel.MEDIUM)),
            open_high=Count("id", filter=Q(state__in=open_, risk=RiskLevel.HIGH)),
        )
    )
    for row in found:
        key = (row.pop("station_id"), row.pop("month"))
        rows[key] = {name: 0 for name in COUNT_FIELDS} | row
    escalated = (
        Dispute.objects.order_by()
        .filter(state__in=ESCALATED_STATES)
        .values("station_id", month=TruncMonth("closed_on"))
        .annotate(
            criminal=Count("id", filter=Q(state=DisputeState.ESCALATED_CRIMINAL)),
            homicide=Count("id", filter=Q(state=DisputeState.ESCALATED_HOMICIDE)),
        )
    )
    for row in escalated:
        key = (row.pop("station_id"), row.pop("month"))
        rows.setdefault(key, {name: 0 for name in COUNT_FIELDS}).update(row)
    return rows


@transaction.atomic
def dispute_figures_refresh(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Bring the monthly summary up to date with the disputes: insert, update and delete only the
    rows whose counts changed (so running it twice changes nothing). Two refreshes never run at
    once: the second finds the advisory lock taken and returns at once with ``skipped``."""
    now = now or timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_REFRESH_LOCK])
        if not cursor.fetchone()[0]:
            return {"skipped": 1, "created": 0, "updated": 0, "deleted": 0}
    fresh = monthly_counts()
    existing = {(row.station_id, row.month): row for row in DisputeMonth.objects.all()}
    create, update = [], []
    for key, counts in fresh.items():
        row = existing.pop(key, None)
        if row is None:
            create.append(DisputeMonth(station_id=key[0], month=key[1], computed_at=now, **counts))
        elif any(getattr(row, name) != value for name, value in counts.items()):
            for name, value in counts.items():
                setattr(row, name, value)
            row.computed_at = now
            update.append(row)
    DisputeMonth.objects.bulk_create(create, batch_size=5000)
    DisputeMonth.objects.bulk_update(update, [*COUNT_FIELDS, "computed_at"], batch_size=5000)
    deleted = (
        DisputeMonth.objects.filter(pk__in=[row.pk for row in existing.values()]).delete()[0]
        if existing
        else 0
    )
    return {"skipped": 0, "created": len(create), "updated": len(update), "deleted": deleted}
