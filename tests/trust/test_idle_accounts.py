"""Accounts unused for ACCOUNT_MAX_IDLE_DAYS days are disabled by a nightly task; superusers are not."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from portal.schedules import BEAT_SCHEDULE
from stations import services, tasks
from stations.models import User

NOW = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)


def _set(user: User, *, last_login: dt.datetime | None, joined: dt.datetime = NOW - dt.timedelta(days=400)) -> None:
    User.objects.filter(pk=user.pk).update(last_login=last_login, date_joined=joined)


@pytest.fixture
def everyone_recent(db: None) -> None:
    User.objects.update(last_login=NOW - dt.timedelta(days=1))


def _active(username: str) -> bool:
    return User.objects.get(username=username).is_active


def test_accounts_idle_past_the_limit_are_disabled_and_recent_ones_stay(  # type: ignore[no-untyped-def]
    everyone_recent, officer, officer_b, county_staff, city_staff
) -> None:
    _set(officer, last_login=NOW - dt.timedelta(days=91))
    _set(officer_b, last_login=NOW - dt.timedelta(days=89))
    _set(county_staff, last_login=None, joined=NOW - dt.timedelta(days=120))  # never signed in
    _set(city_staff, last_login=None, joined=NOW - dt.timedelta(days=10))  # new account, never signed in yet
    AuthToken.objects.create(user=officer)

    disabled = services.users_disable_idle(now=NOW, max_idle_days=90)

    assert sorted(disabled) == ["county_staff", "officer"]
    assert not _active("officer") and not _active("county_staff")
    assert _active("officer_b") and _active("city_staff")
    assert not AuthToken.objects.filter(user=officer).exists(), "a disabled account's tokens end"
    # idempotent: a second run finds nothing more
    assert services.users_disable_idle(now=NOW, max_idle_days=90) == []


def test_zero_days_disables_the_rule(everyone_recent, officer) -> None:  # type: ignore[no-untyped-def]
    _set(officer, last_login=NOW - dt.timedelta(days=5000))
    assert services.users_disable_idle(now=NOW, max_idle_days=0) == []
    assert _active("officer")


def test_superusers_are_never_disabled(everyone_recent) -> None:  # type: ignore[no-untyped-def]
    root = User.objects.create_superuser(username="root-idle", password="x-Very-long-pass-1")
    _set(root, last_login=NOW - dt.timedelta(days=1000))
    assert services.users_disable_idle(now=NOW, max_idle_days=90) == []
    assert _active("root-idle")


def test_a_disabled_account_cannot_sign_in(everyone_recent, officer) -> None:  # type: ignore[no-untyped-def]
    _set(officer, last_login=NOW - dt.timedelta(days=200))
    services.users_disable_idle(now=NOW, max_idle_days=90)
    response = Client().post("/accounts/login/", {"username": "officer", "password": settings.DEMO_PASSWORD})
    assert response.status_code == 200  # the form again, not a redirect


def test_an_api_token_counts_as_use(officer) -> None:  # type: ignore[no-untyped-def]
    _set(officer, last_login=timezone.now() - dt.timedelta(days=200))
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "officer", "password": settings.DEMO_PASSWORD}, format="json"
    )
    assert response.status_code == 200
    assert "officer" not in services.users_disable_idle(now=timezone.now(), max_idle_days=90)
    assert _active("officer")


def test_the_nightly_task_uses_the_setting(officer, settings) -> None:  # type: ignore[no-untyped-def]
    User.objects.update(last_login=timezone.now() - dt.timedelta(days=1))
    _set(officer, last_login=timezone.now() - dt.timedelta(days=31))
    settings.ACCOUNT_MAX_IDLE_DAYS = 60
    assert tasks.disable_idle_accounts() == 0 and _active("officer")
    settings.ACCOUNT_MAX_IDLE_DAYS = 30
    assert tasks.disable_idle_accounts() == 1 and not _active("officer")


def test_the_task_is_scheduled_daily() -> None:
    entries = [entry for entry in BEAT_SCHEDULE.values() if entry["task"] == "stations.tasks.disable_idle_accounts"]
    assert len(entries) == 1
    schedule = entries[0]["schedule"]  # once a night, every day of the week
    assert len(schedule.hour) == 1 and len(schedule.minute) == 1 and len(schedule.day_of_week) == 7
