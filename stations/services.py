"""Writes of the stations app: sign-in bookkeeping, session and token revocation; officers and their
postings, terminals, station facilities and retrofits, the service catalogue, escort assignments and
ideas."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import django_otp
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model, Q
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from stations.choices import DeniedOutcome, IdeaStatus, OfficerKind
from stations.jurisdiction import is_in_scope
from stations.models import (
    DeniedAccess,
    EscortAssignment,
    Facility,
    HeatingRetrofit,
    Idea,
    Officer,
    Posting,
    Region,
    ServiceItem,
    Station,
    User,
)

SESSION_LOGIN_AT_KEY = "portal_login_at"


def session_stamp_login(*, request: HttpRequest, user: User | None = None, now: dt.datetime | None = None) -> None:
    """Record when a browser session began, for the absolute session cap, and make it the user's only
    live browser session. Called on every sign-in (``user_logged_in``), whichever view signed the user in.

    One live session per user: every browser session of ``user`` that began before this sign-in ends
    (``sessions_revoked_at`` is moved to the new session's start; ``SessionLifetimeMiddleware`` ends
    any session that began earlier on its next request). API tokens are not sessions and stay."""
    now = now or timezone.now()
    if user is not None and user.pk is not None:
        User.objects.filter(pk=user.pk).update(sessions_revoked_at=now)
        user.sessions_revoked_at = now
    request.session[SESSION_LOGIN_AT_KEY] = now.isoformat()


@transaction.atomic
def user_end_all_sessions(*, user: User) -> int:
    """End every browser session and revoke every API token of ``user`` at once.

    Returns the number of API tokens revoked."""
    User.objects.filter(pk=user.pk).update(sessions_revoked_at=timezone.now())
    deleted, _ = AuthToken.objects.filter(user=user).delete()
    return deleted


@transaction.atomic
def user_disable(*, user: User) -> None:
    """Disable an account: it can no longer sign in, and its sessions and tokens end now."""
    User.objects.filter(pk=user.pk).update(is_active=False)
    user_end_all_sessions(user=user)


def users_disable_idle(*, now: dt.datetime, max_idle_days: int) -> list[str]:
    """Disable every active account unused for more than ``max_idle_days`` days before ``now``; 0 disables
    the rule. Returns the user names disabled.

    "Used" is the last sign-in (``last_login``: the login page, or an API token issued), or, for an
    account never used, when it was created. Each account goes through :func:`user_disable`, so its
    sessions and tokens end too. Superusers are left out: they are the break-glass accounts that
    re-enable everyone else, kept few and protected by the second factor; locking the last of them
    out by a nightly job would leave nobody to recover the site (docs/security.md)."""
    if max_idle_days <= 0:
        return []
    cutoff = now - dt.timedelta(days=max_idle_days)
    idle = (
        User.objects.filter(is_active=True, is_superuser=False)
        .filter(Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff))
        .order_by("pk")
    )
    disabled = []
    for user in idle:
        user_disable(user=user)
        disabled.append(user.username)
    return disabled


def denied_access_record(
    *, user: User, path: str, method: str, model: str, object_id: str, out_of_scope: bool
) -> DeniedAccess:
    """Append one row to the log of 404s on single objects (see :func:`stations.jurisdiction.record_404`).
    Written in its own savepoint, so a failing log write never turns the 404 into a 500."""
    station = user.home_station
    row = DeniedAccess(
        user=user,
        station=station,
        # A station user's region is their station's county, so auditors above it find the row.
        region_id=station.county_id if station is not None else user.home_region_id,
        path=path[:300],
        method=method[:10],
        model=model[:100],
        object_id=object_id[:100],
        outcome=DeniedOutcome.DENIED if out_of_scope else DeniedOutcome.NOT_FOUND,
    )
    with transaction.atomic():
        row.save()
    return row


def totp_device_start(*, user: User) -> TOTPDevice:
    """Begin enrolling a TOTP authenticator: a new secret, unconfirmed until a code from it is given.
    An enrolment left half-done is replaced."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name="portal", confirmed=False)


def totp_device_confirm(*, user: User, token: str) -> TOTPDevice | None:
    """Confirm the authenticator being enrolled with a code from it. It replaces any earlier device,
    and the API tokens issued before it end (they were issued without a second factor). Returns the
    device, or None when the code is wrong."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-pk").first()
        if device is None or not device.verify_token(token):
            return None
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        AuthToken.objects.filter(user=user).delete()
        return device


def totp_verify(*, user: User, token: str) -> TOTPDevice | None:
    """Check a code against the user's confirmed authenticator. A code is good once: the device keeps
    the last time step used (``last_t``) and refuses that step and earlier ones."""
    from stations.twofactor import confirmed_device

    device = confirmed_device(user)
    if device is None:
        return None
    return django_otp.verify_token(user, device.persistent_id, str(token or "").strip())


def api_token_issue(*, user: User) -> tuple[AuthToken, str]:
    """Issue an expiring API token; the plain token is returned once and only its digest is stored.

    A user holds at most ``REST_KNOX["TOKEN_LIMIT_PER_USER"]`` live tokens: issuing one more ends the
    oldest, so a client that lost its token can always get a new one and old tokens do not pile up."""
    limit = settings.REST_KNOX.get("TOKEN_LIMIT_PER_USER")
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()  # one issuer at a time per user
        if limit:
            live = AuthToken.objects.filter(user=user, expiry__gt=timezone.now()).order_by("-created")
            stale = list(live.values_list("pk", flat=True)[limit - 1 :])
            if stale:
                AuthToken.objects.filter(pk__in=stale).delete()
        # Issuing a token is a sign-in: it counts as use of the account (``users_disable_idle``).
        User.objects.filter(pk=user.pk).update(last_login=timezone.now())
        return AuthToken.objects.create(user=user)


def api_tokens_purge_expired(*, now: dt.datetime | None = None) -> int:
    deleted, _ = AuthToken.objects.filter(expiry__lt=now or timezone.now()).delete()
    return deleted


# --- Officers, postings, facilities, the catalogue, escorts and ideas ----------------------------------
#
# Every write below is atomic and validates with ``full_clean()``; the audit trail is written by the
# database triggers in the same transaction. ``by`` (optional) is the user on whose behalf the write
# is made: when given, every object the write touches must lie in their jurisdiction, checked inside
# the transaction, or the write raises ``Http404`` (as a view would for an object it cannot see).


def _ensure_in_scope(by: User | None, *objects: Model | None) -> None:
    if by is None:
        return
    for obj in objects:
        if obj is None:
            continue
        # A station's staff see the regions above their station, but a region's bureau is not theirs to change.
        if isinstance(obj, Region) and by.home_station_id is not None and not by.is_superuser:
            raise Http404("outside the jurisdiction")
        if not is_in_scope(obj, by):
            raise Http404("outside the jurisdiction")


def _ensure_province(by: User | None) -> None:
    """Province-wide data (the service catalogue) is changed by province staff only."""
    if by is None or by.is_superuser:
        return
    region = by.home_region
    if region is None or region.parent_id is not None:
        raise PermissionDenied("province-wide data is kept by the province")


@transaction.atomic
def officer_create(
    *,
    badge_number: str,
    name: str,
    kind: str = OfficerKind.POLICE,
    station: Station | None = None,
    region: Region | None = None,
    on: dt.date,
    rank: str = "",
    phone: str = "",
    terminal_number: str = "",
    by: User | None = None,
) -> Officer:
    """Enrol an officer posted at ``station`` (or at ``region``'s bureau) from ``on``, with the
    opening :class:`Posting`."""
    if station is None and region is None:
        raise ValidationError(_("A posting needs a station or a region."))
    _ensure_in_scope(by, station, region)
    target_region = station.county if station is not None else region
    officer = Officer(
        badge_number=badge_number, name=name, kind=kind, rank=rank, phone=phone, station=station,
        region=target_region, terminal_number=terminal_number,
    )
    officer.full_clean()
    officer.save()
    Posting.objects.create(officer=officer, station=station, region=target_region, start=on)
    return officer


@transaction.atomic
def officer_post(
    *, officer: Officer, station: Station | None, region: Region | None = None, on: dt.date, by: User | None = None
) -> Posting:
    """Move ``officer`` to a station (or to a region's bureau when ``station`` is None) from ``on``.

    Closes the open posting the day before, opens the new one and keeps the officer's current
    station/region equal to it, so counts on any date read the history. A posting on the day the
    open one began replaces it (a correction); one before it is refused, as is a move of an officer
    no longer in service. Posting the officer where they already are changes nothing."""
    if station is None and region is None:
        raise ValueError("a posting needs a station or a region")
    target_region = station.county if station is not None else region
    assert target_region is not None
    locked = Officer.objects.select_for_update().get(pk=officer.pk)
    _ensure_in_scope(by, locked, station, target_region if station is None else None)
    if not locked.is_active:
        raise ValidationError(_("This officer is no longer in service."))
    open_posting = Posting.objects.filter(officer=locked, end__isnull=True).first()
    if open_posting is not None:
        if open_posting.station_id == (station.pk if station else None) and open_posting.region_id == target_region.pk:
            return open_posting
        if open_posting.start > on:
            raise ValidationError(_("A new posting cannot start before the officer's current posting."))
        if open_posting.start == on:
            open_posting.delete()
        else:
            open_posting.end = on - dt.timedelta(days=1)
            open_posting.save(update_fields=["end"])
    posting = Posting(officer=locked, station=station, region=target_region, start=on)
    posting.full_clean()
    posting.save()
    Officer.objects.filter(pk=officer.pk).update(station=station, region=target_region)
    officer.station, officer.region = station, target_region
    return posting


@transaction.atomic
def officer_retire(*, officer: Officer, on: dt.date, by: User | None = None) -> None:
    """Take ``officer`` out of service from ``on`` (their last day is the day before): the open posting
    and any open escort assignment end, and the officer stays listed where they last served."""
    locked = Officer.objects.select_for_update().get(pk=officer.pk)
    _ensure_in_scope(by, locked)
    if not locked.is_active:
        return
    last_day = on - dt.timedelta(days=1)
    open_posting = Posting.objects.filter(officer=locked, end__isnull=True).first()
    if open_posting is not None:
        if open_posting.start > last_day:
            raise ValidationError(_("An officer cannot leave before their current posting begins."))
        open_posting.end = last_day
        open_posting.save(update_fields=["end"])
    EscortAssignment.objects.filter(officer=locked, end__isnull=True, start__lte=last_day).update(end=last_day)
    EscortAssignment.objects.filter(officer=locked, end__isnull=True, start__gt=last_day).delete()
    Officer.objects.filter(pk=locked.pk).update(is_active=False, terminal_number="")
    officer.is_active, officer.terminal_number = False, ""


@transaction.atomic
def officer_issue_terminal(*, officer: Officer, terminal_number: str, by: User | None = None) -> Officer:
    """Record the mobile police terminal issued to ``officer`` (one terminal per officer)."""
    locked = Officer.objects.select_for_update().get(pk=officer.pk)
    _ensure_in_scope(by, locked)
    terminal_number = terminal_number.strip()
    if not terminal_number:
        raise ValidationError({"terminal_number": _("Give the terminal's serial number.")})
    if not locked.is_active:
        raise ValidationError(_("This officer is no longer in service."))
    if Officer.objects.filter(terminal_number=terminal_number).exclude(pk=locked.pk).exists():
        raise ValidationError({"terminal_number": _("This terminal is issued to another officer.")})
    locked.terminal_number = terminal_number
    locked.full_clean()
    locked.save(update_fields=["terminal_number"])
    officer.terminal_number = terminal_number
    return locked


@transaction.atomic
def officer_return_terminal(*, officer: Officer, by: User | None = None) -> None:
    """The officer handed their mobile police terminal back."""
    _ensure_in_scope(by, officer)
    Officer.objects.filter(pk=officer.pk).update(terminal_number="")
    officer.terminal_number = ""


@transaction.atomic
def facility_record(
    *,
    station: Station,
    kind: str,
    available_since: dt.date | None = None,
    note: str = "",
    by: User | None = None,
) -> Facility:
    """Record that ``station`` has a facility of ``kind`` (one of the "five small", or "a room and a
    bed"); recording it again updates the date and note."""
    _ensure_in_scope(by, station)
    facility = Facility.objects.filter(station=station, kind=kind).first() or Facility(station=station, kind=kind)
    facility.available_since, facility.note = available_since, note
    facility.full_clean()
    facility.save()
    return facility


@transaction.atomic
def facility_remove(*, station: Station, kind: str, by: User | None = None) -> bool:
    """The station no longer has this facility. Returns whether it had it."""
    _ensure_in_scope(by, station)
    deleted, _rows = Facility.objects.filter(station=station, kind=kind).delete()
    return bool(deleted)


@transaction.atomic
def heating_retrofit_record(
    *,
    station: Station,
    completed_on: dt.date,
    funded_by: str,
    amount_yuan: Decimal | None = None,
    by: User | None = None,
) -> HeatingRetrofit:
    """Record the electric-heating retrofit of ``station`` (once per station; recording it again
    corrects it)."""
    _ensure_in_scope(by, station)
    retrofit = HeatingRetrofit.objects.filter(station=station).first() or HeatingRetrofit(station=station)
    retrofit.completed_on, retrofit.funded_by, retrofit.amount_yuan = completed_on, funded_by, amount_yuan
    retrofit.full_clean()
    retrofit.save()
    return retrofit


@transaction.atomic
def service_item_update(
    *,
    item: ServiceItem,
    online: bool | None = None,
    self_service: bool | None = None,
    is_active: bool | None = None,
    by: User | None = None,
) -> ServiceItem:
    """Change how a catalogue item is offered (online, self-service, offered at all)."""
    _ensure_province(by)
    for name, value in (("online", online), ("self_service", self_service), ("is_active", is_active)):
        if value is not None:
            setattr(item, name, value)
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def escort_assign(
    *,
    officer: Officer,
    business_name: str,
    business_code: str = "",
    start: dt.date,
    by: User | None = None,
) -> EscortAssignment:
    """Make ``officer`` the escort officer (护企警官) of a business from ``start``."""
    _ensure_in_scope(by, officer)
    if not officer.is_active:
        raise ValidationError(_("This officer is no longer in service."))
    assignment = EscortAssignment(
        officer=officer, business_name=business_name.strip(), business_code=business_code.strip().upper(), start=start
    )
    assignment.full_clean()
    assignment.save()
    return assignment


@transaction.atomic
def escort_end(*, assignment: EscortAssignment, on: dt.date, by: User | None = None) -> EscortAssignment:
    """End an escort assignment on ``on`` (its last day)."""
    _ensure_in_scope(by, assignment)
    assignment.end = on
    assignment.full_clean()
    assignment.save(update_fields=["end"])
    return assignment


@transaction.atomic
def idea_submit(*, officer: Officer, title: str, body: str, on: dt.date, by: User | None = None) -> Idea:
    """An officer sends in an idea (金点子); it belongs to where the officer serves now."""
    _ensure_in_scope(by, officer)
    idea = Idea(
        officer=officer, station=officer.station, region=officer.region, title=title.strip(), body=body.strip(),
        submitted_on=on,
    )
    idea.full_clean()
    idea.save()
    return idea


IDEA_TRANSITIONS: dict[str, frozenset[str]] = {
    IdeaStatus.SUBMITTED: frozenset({IdeaStatus.UNDER_REVIEW, IdeaStatus.ADOPTED, IdeaStatus.REJECTED}),
    IdeaStatus.UNDER_REVIEW: frozenset({IdeaStatus.ADOPTED, IdeaStatus.REJECTED}),
    IdeaStatus.ADOPTED: frozenset({IdeaStatus.IMPLEMENTED}),
    IdeaStatus.IMPLEMENTED: frozenset(),
    IdeaStatus.REJECTED: frozenset(),
}


@transaction.atomic
def idea_review(*, idea: Idea, status: str, note: str = "", by: User | None = None) -> Idea:
    """Move an idea on: submitted → under review → adopted → implemented, or → rejected."""
    locked = Idea.objects.select_for_update().get(pk=idea.pk)
    _ensure_in_scope(by, locked)
    if status not in IDEA_TRANSITIONS.get(locked.status, frozenset()):
        raise ValidationError({"status": _("An idea cannot move from %(old)s to %(new)s.") % {
            "old": locked.get_status_display(), "new": IdeaStatus(status).label if status in IdeaStatus.values else status,
        }})
    locked.status = status
    if note:
        locked.review_note = note
    locked.full_clean()
    locked.save(update_fields=["status", "review_note"])
    idea.status, idea.review_note = locked.status, locked.review_note
    return locked
