"""Sentiment reports (社情民意): the triage workflow as one table of pure functions, and the writes.

An officer (or a security household head, through an officer) reports a concern; it waits for the
station head's decision: handle it locally, pass it to another department (named), or report it up
to the county or the city. A county may pass a report on up to the city or send it back to be
handled locally; a department's report may be taken back. Closing ends it. Every step is a
``SentimentStep`` row: dated, attributed, with its note.

Recording a report needs a writing role; deciding on one (every move) needs the station head's
(or province staff's) role: an officer reports, the head decides.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from disputes import services
from disputes.choices import ReporterKind, SentimentState, Urgency
from disputes.models import SentimentReport, SentimentStep
from stations.choices import Role
from stations.jurisdiction import scope
from stations.models import Officer, Station, User

S = SentimentState
DECIDER_ROLES = {Role.STATION_HEAD, Role.PROVINCE_STAFF}


@dataclass(frozen=True)
class Move:
    label: Promise
    note_required: bool = False
    department_required: bool = False


_LOCAL = Move(gettext_lazy("Handle locally"))
_PASS = Move(gettext_lazy("Pass to another department"), note_required=False, department_required=True)
_COUNTY = Move(gettext_lazy("Report up to the county"), note_required=True)
_CITY = Move(gettext_lazy("Report up to the city"), note_required=True)
_CLOSE = Move(gettext_lazy("Close: dealt with"))

# from state → {to state: Move}: the one table of the triage.
TABLE: dict[str, dict[str, Move]] = {
    S.PENDING: {
        S.LOCAL: _LOCAL,
        S.PASSED: _PASS,
        S.REPORTED_COUNTY: _COUNTY,
        S.REPORTED_CITY: _CITY,
        S.CLOSED: Move(gettext_lazy("Close: nothing to act on"), note_required=True),
    },
    S.LOCAL: {S.PASSED: _PASS, S.REPORTED_COUNTY: _COUNTY, S.REPORTED_CITY: _CITY, S.CLOSED: _CLOSE},
    S.PASSED: {
        S.LOCAL: Move(gettext_lazy("Take back to handle locally"), note_required=True),
        S.CLOSED: _CLOSE,
    },
    S.REPORTED_COUNTY: {
        S.REPORTED_CITY: _CITY,
        S.LOCAL: Move(gettext_lazy("Sent back: handle locally"), note_required=True),
        S.CLOSED: _CLOSE,
    },
    S.REPORTED_CITY: {
        S.LOCAL: Move(gettext_lazy("Sent back: handle locally"), note_required=True),
        S.CLOSED: _CLOSE,
    },
    S.CLOSED: {},
}
OPEN_STATES = tuple(state for state in S.values if state != S.CLOSED)


def allowed_moves(state: str) -> dict[str, Move]:
    return dict(TABLE.get(state, {}))


def triage_error(from_state: str, to_state: str) -> str | None:
    """Why ``from_state`` → ``to_state`` is not allowed, or ``None`` when it is."""
    if to_state not in S.values:
        return _("“%(state)s” is not a report state.") % {"state": to_state}
    if from_state == S.CLOSED:
        return _("The report is closed.")
    if to_state == from_state:
        return _("The report is already in this state.")
    if to_state == S.PENDING:
        return _("A report waits for a decision only when it is first recorded.")
    if to_state in TABLE.get(from_state, {}):
        return None
    return _("This step is not allowed from the report's current state.")


def can_decide(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and getattr(user, "role", None) in DECIDER_ROLES


# --- writes -------------------------------------------------------------------------------------


def _lock(report: SentimentReport, user: Any) -> SentimentReport:
    locked = (
        scope(SentimentReport.objects.all(), user)
        .select_for_update(of=("self",))
        .filter(pk=report.pk)
        .first()
    )
    if locked is None:
        raise services.OutOfScope
    return locked


@transaction.atomic
def sentiment_report_create(
    *,
    user: User,
    station: Station,
    category: str,
    title: str,
    account: str,
    reported_on: dt.date,
    urgency: str = Urgency.ROUTINE,
    reporter_kind: str = ReporterKind.OFFICER,
    officer: Officer | None = None,
    household_head: Any = None,
    place: str = "",
    people: str = "",
    people_count: int | None = None,
    beat: Any = None,
    community: Any = None,
    now: dt.datetime | None = None,
) -> SentimentReport:
    """Record a sentiment report, waiting for the station head's decision."""
    services._require_writer(user)
    now = now or timezone.now()
    if not scope(Station.objects.filter(pk=station.pk), user).exists():
        raise ValidationError({"station": _("This station is not in your jurisdiction.")})
    if officer is None and reporter_kind == ReporterKind.OFFICER:
        officer = services._officer_of(user)
    report = SentimentReport(
        station=station,
        beat=beat,
        community=community,
        reporter_kind=reporter_kind,
        officer=officer,
        household_head=household_head,
        category=category,
        urgency=urgency,
        title=(title or "").strip(),
        place=(place or "").strip(),
        people=(people or "").strip(),
        people_count=people_count,
        account=(account or "").strip(),
        reported_on=reported_on,
        state=S.PENDING,
        created_by=user,
        last_action_at=services.day_at(reported_on, now=now),
    )
    report.full_clean()
    report.save()
    step = SentimentStep(
        report=report,
        from_state="",
        to_state=S.PENDING,
        at=report.last_action_at,
        note=_("Reported."),
        user=user,
        officer=services._officer_of(user),
    )
    step.full_clean()
    step.save()
    return report


@transaction.atomic
def sentiment_triage(
    *,
    user: User,
    report: SentimentReport,
    to: str,
    note: str = "",
    department: str = "",
    at: dt.datetime | None = None,
) -> SentimentStep:
    """Move ``report`` to ``to`` (a decision of the station head), dated ``at`` (default now), with
    the attributed step row. The report row is locked first: of two concurrent decisions the second
    sees the state the first left."""
    if not can_decide(user):
        raise PermissionDenied(_("Only the station head decides on sentiment reports."))
    now = timezone.now()
    locked = _lock(report, user)
    error = triage_error(locked.state, to)
    if error:
        raise ValidationError({"to": [error]})
    move = TABLE[locked.state][to]
    note = (note or "").strip()
    department = (department or "").strip()
    errors: dict[str, list[str]] = {}
    if move.note_required and not note:
        errors["note"] = [_("Say why: this step needs a note.")]
    if move.department_required and not department:
        errors["department"] = [_("Name the department it is passed to.")]
    if len(department) > 100:
        errors["department"] = [_("Keep the department's name under 100 characters.")]
    last = (
        SentimentStep.objects.filter(report=locked)
        .order_by("-at", "-id")
        .values_list("at", flat=True)
        .first()
    )
    if at is None:
        at = max(now, last) if last else now
    if at > now + services.CLOCK_SKEW:
        errors["at"] = [_("A step cannot be dated in the future.")]
    elif last is not None and at < last:
        errors["at"] = [_("A step cannot be dated before the report's previous step.")]
    if errors:
        raise ValidationError(errors)
    step = SentimentStep(
        report=locked,
        from_state=locked.state,
        to_state=to,
        at=at,
        note=note,
        department=department if to == S.PASSED else "",
        user=user,
        officer=services._officer_of(user),
    )
    step.full_clean()
    step.save()
    locked.state = to
    if to == S.PASSED:
        locked.department = department
    locked.closed_on = timezone.localtime(at).date() if to == S.CLOSED else None
    locked.last_action_at = max(locked.last_action_at, at)
    locked.save(update_fields=["state", "department", "closed_on", "last_action_at", "updated_at"])
    for name in ("state", "department", "closed_on", "last_action_at"):
        setattr(report, name, getattr(locked, name))
    return step
