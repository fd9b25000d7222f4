"""Writes of the stations app: sign-in bookkeeping, session and token revocation, postings."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import login as django_login
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from knox.models import AuthToken

from stations.models import Officer, Posting, Region, Station, User

SESSION_LOGIN_AT_KEY = "portal_login_at"


def user_login(*, request: HttpRequest, user: User) -> None:
    """Start a browser session and stamp when it began (for the absolute session cap)."""
    django_login(request, user)
    request.session[SESSION_LOGIN_AT_KEY] = timezone.now().isoformat()


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


def api_token_issue(*, user: User) -> tuple[AuthToken, str]:
    """Issue an expiring API token; the plain token is returned once and only its digest is stored."""
    return AuthToken.objects.create(user=user)


@transaction.atomic
def officer_post(
    *, officer: Officer, station: Station | None, region: Region | None = None, on: dt.date
) -> Posting:
    """Move ``officer`` to a station (or to a region's bureau when ``station`` is None) from ``on``.

    Closes the open posting the day before, opens the new one and keeps the officer's current
    station/region equal to it, so counts on any date read the history."""
    if station is None and region is None:
        raise ValueError("a posting needs a station or a region")
    target_region = station.county if station is not None else region
    assert target_region is not None
    open_posting = Posting.objects.select_for_update().filter(officer=officer, end__isnull=True).first()
    if open_posting is not None:
        if open_posting.start >= on:
            open_posting.delete()
        else:
            open_posting.end = on - dt.timedelta(days=1)
            open_posting.save(update_fields=["end"])
    posting = Posting(officer=officer, station=station, region=target_region, start=on)
    posting.full_clean()
    posting.save()
    Officer.objects.filter(pk=officer.pk).update(station=station, region=target_region)
    officer.station, officer.region = station, target_region
    return posting


def api_tokens_purge_expired(*, now: dt.datetime | None = None) -> int:
    deleted, _ = AuthToken.objects.filter(expiry__lt=now or timezone.now()).delete()
    return deleted
