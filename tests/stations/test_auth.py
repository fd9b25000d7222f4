"""Sign-in and safety: lockout, session lifetime, API tokens, revocation, passwords, audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from common.audit import audit_context
from stations import services
from stations.api.throttling import PerTokenRateThrottle
from stations.models import Station
from stations.services import SESSION_LOGIN_AT_KEY

PASSWORD = settings.DEMO_PASSWORD
LOGIN_URL = "/accounts/login/"
TOKEN_URL = "/api/v1/auth/token/"


def _login(client: Client, username: str, password: str):  # type: ignore[no-untyped-def]
    return client.post(LOGIN_URL, {"username": username, "password": password})


def _token(username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return APIClient().post(TOKEN_URL, {"username": username, "password": password}, format="json")


def _signed_in(client: Client) -> bool:
    response = client.get(reverse("home"))
    return response.status_code == 200


@pytest.fixture(autouse=True)
def _no_lockouts(db: None) -> None:
    AccessAttempt.objects.all().delete()


# --- the login page --------------------------------------------------------------------------------


def test_login_page_says_use_is_monitored(client: Client) -> None:
    response = client.get(LOGIN_URL, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert b'name="password"' in response.content
    assert b"monitored" in response.content


def test_signing_in_lands_on_home(client: Client, officer) -> None:  # type: ignore[no-untyped-def]
    response = _login(client, "officer", PASSWORD)
    assert response.status_code == 302
    assert _signed_in(client)
    assert client.session[SESSION_LOGIN_AT_KEY]


def test_anonymous_pages_redirect_to_login(client: Client) -> None:
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN_URL)


# --- lockout: 5 consecutive failures per username, 10 minutes ------------------------------------------


def test_five_bad_passwords_lock_the_login_page(client: Client, officer) -> None:  # type: ignore[no-untyped-def]
    for _ in range(4):
        assert _login(client, "officer", "wrong-password").status_code == 200  # form redisplayed
    assert _login(client, "officer", PASSWORD).status_code == 302  # 4 failures: not yet locked
    client.post(reverse("logout"))
    for _ in range(5):
        _login(client, "officer", "wrong-password")
    locked = _login(client, "officer", PASSWORD)  # right password, but locked
    assert locked.status_code == 429
    assert not _signed_in(client)


def test_lock_is_per_username_not_per_address(client: Client, officer, officer_b) -> None:  # type: ignore[no-untyped-def]
    for _ in range(5):
        _login(client, "officer", "wrong-password")
    assert _login(client, "officer_b", PASSWORD).status_code == 302


def test_lock_lifts_after_ten_minutes(client: Client, officer) -> None:  # type: ignore[no-untyped-def]
    for _ in range(5):
        _login(client, "officer", "wrong-password")
    assert _login(client, "officer", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=11))
    assert _login(client, "officer", PASSWORD).status_code == 302


def test_token_endpoint_counts_toward_the_same_lock(client: Client, officer) -> None:  # type: ignore[no-untyped-def]
    for _ in range(4):
        assert _token("officer", "wrong-password").status_code == 400
    assert _token("officer", "wrong-password").status_code == 429  # the fifth failure locks
    assert _token("officer").status_code == 429  # even with the right password
    assert _login(client, "officer", PASSWORD).status_code == 429


# --- sessions: 30 minutes idle, 12 hours at most, ended by logout elsewhere ---------------------------


def test_idle_session_expires_after_thirty_minutes(client: Client, officer) -> None:  # type: ignore[no-untyped-def]
    _login(client, "officer", PASSWORD)
    assert client.session.get_expiry_age() == 30 * 60
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    assert not _signed_in(client)


def test_activity_renews_the_idle_window(client: Client, officer) -> None:  # type: ignore[no-untyped-def]
    _login(client, "officer", PASSWORD)
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + timedelta(minutes=1))
    assert _signed_in(client)
    renewed = Session.objects.get(session_key=key).expire_date
    assert renewed > timezone.now() + timedelta(minutes=29)


def test_session_ends_after_twelve_hours_even_when_active(client: Client, officer) -> None:  # type: ignore[no-untyped-def]
    _login(client, "officer", PASSWORD)
    session = client.session
    session[SESSION_LOGIN_AT_KEY] = (timezone.now() - timedelta(hours=12, minutes=1)).isoformat()
    session.save()
    assert not _signed_in(client)


def test_logout_ends_every_session_and_token(officer) -> None:  # type: ignore[no-untyped-def]
    # A user has one live browser session (a new sign-in ends the others:
    # tests/trust/test_sessions.py); signing out ends it and every API token.
    phone = Client()
    _login(phone, "officer", PASSWORD)
    tokens = [_token("officer").json()["token"] for _ in range(2)]
    apis = [APIClient(HTTP_AUTHORIZATION=f"Token {token}") for token in tokens]
    assert all(api.get("/api/v1/stations/").status_code == 200 for api in apis)
    assert _signed_in(phone)

    phone.post(reverse("logout"))

    assert not _signed_in(phone)
    assert [api.get("/api/v1/stations/").status_code for api in apis] == [401, 401]


def test_disabling_a_user_ends_sessions_and_tokens(client: Client, officer) -> None:  # type: ignore[no-untyped-def]
    _login(client, "officer", PASSWORD)
    token = _token("officer").json()["token"]
    services.user_disable(user=officer)
    assert not _signed_in(client)
    assert APIClient(HTTP_AUTHORIZATION=f"Token {token}").get("/api/v1/stations/").status_code == 401
    assert _login(Client(), "officer", PASSWORD).status_code == 200  # refused: form shown again


# --- API tokens ------------------------------------------------------------------------------------


def test_token_grants_api_access(officer) -> None:  # type: ignore[no-untyped-def]
    response = _token("officer")
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {"token", "expiry"}
    api = APIClient(HTTP_AUTHORIZATION=f"Token {body['token']}")
    stations = api.get("/api/v1/stations/").json()["results"]
    assert [s["id"] for s in stations] == [officer.home_station_id]


def test_no_credentials_is_401() -> None:
    assert APIClient().get("/api/v1/stations/").status_code == 401
    assert APIClient(HTTP_AUTHORIZATION="Token not-a-real-token").get("/api/v1/stations/").status_code == 401


def test_wrong_password_is_a_clear_400(officer) -> None:  # type: ignore[no-untyped-def]
    response = _token("officer", "wrong-password")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    missing = APIClient().post(TOKEN_URL, {"username": "officer"}, format="json")
    assert missing.status_code == 400 and "password" in missing.json()


def test_tokens_expire(officer) -> None:  # type: ignore[no-untyped-def]
    token = _token("officer").json()["token"]
    assert AuthToken.objects.filter(user=officer).get().expiry <= timezone.now() + settings.REST_KNOX["TOKEN_TTL"]
    AuthToken.objects.filter(user=officer).update(expiry=timezone.now() - timedelta(seconds=1))
    assert APIClient(HTTP_AUTHORIZATION=f"Token {token}").get("/api/v1/stations/").status_code == 401


def test_a_token_can_be_revoked(officer) -> None:  # type: ignore[no-untyped-def]
    token = _token("officer").json()["token"]
    api = APIClient(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.post("/api/v1/auth/logout/").status_code == 204
    assert api.get("/api/v1/stations/").status_code == 401


def test_a_token_beyond_the_limit_ends_the_oldest(officer) -> None:  # type: ignore[no-untyped-def]
    limit = settings.REST_KNOX["TOKEN_LIMIT_PER_USER"]
    tokens = [_token("officer").json()["token"] for _ in range(limit + 1)]
    assert AuthToken.objects.filter(user=officer).count() == limit
    assert APIClient(HTTP_AUTHORIZATION=f"Token {tokens[0]}").get("/api/v1/stations/").status_code == 401
    for token in tokens[1:]:
        assert APIClient(HTTP_AUTHORIZATION=f"Token {token}").get("/api/v1/stations/").status_code == 200


def test_expired_tokens_are_purged(officer) -> None:  # type: ignore[no-untyped-def]
    _token("officer")
    _token("officer")
    first = AuthToken.objects.filter(user=officer).order_by("created").first()
    AuthToken.objects.filter(pk=first.pk).update(expiry=timezone.now() - timedelta(minutes=1))
    assert services.api_tokens_purge_expired() == 1
    assert AuthToken.objects.filter(user=officer).count() == 1


def test_each_token_has_its_own_rate_limit(officer, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(PerTokenRateThrottle, "THROTTLE_RATES", {"token": "3/min"})
    first = APIClient(HTTP_AUTHORIZATION=f"Token {_token('officer').json()['token']}")
    second = APIClient(HTTP_AUTHORIZATION=f"Token {_token('officer').json()['token']}")
    responses = [first.get("/api/v1/stations/") for _ in range(4)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert 0 < int(responses[-1]["Retry-After"]) <= 60  # when the minute's window closes
    assert second.get("/api/v1/stations/").status_code == 200


# --- passwords and audit ---------------------------------------------------------------------------


@pytest.mark.parametrize("weak", ["short1", "password123", "1234567890123", "qwertyuiop"])
def test_weak_passwords_are_refused(weak: str, officer) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError):
        validate_password(weak, user=officer)


def test_bulk_updates_are_audited_with_who(officer) -> None:  # type: ignore[no-untyped-def]
    from stations.models import StationEvent  # type: ignore[attr-defined]

    station = officer.home_station
    with audit_context(user=officer.pk, source="test"):
        Station.objects.filter(pk=station.pk).update(phone="0931-1234567")
    event = StationEvent.objects.filter(pgh_obj_id=station.pk, pgh_label="update").latest("pgh_id")
    assert event.phone == "0931-1234567"
    assert event.pgh_context.metadata["user"] == officer.pk
