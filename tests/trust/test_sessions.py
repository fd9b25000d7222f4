"""One live browser session per user: a new sign-in ends the user's other sessions; API tokens stay."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

PASSWORD = settings.DEMO_PASSWORD


@pytest.fixture(autouse=True)
def _no_lockouts(db: None) -> None:
    AccessAttempt.objects.all().delete()


def _login(client: Client, username: str) -> None:
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, "sign-in failed"


def _signed_in(client: Client) -> bool:
    return client.get(reverse("home")).status_code == 200


def test_a_new_sign_in_ends_the_users_other_browser_sessions(officer, officer_b) -> None:  # type: ignore[no-untyped-def]
    phone, desktop, colleague = Client(), Client(), Client()
    _login(phone, "officer")
    _login(colleague, "officer_b")
    assert _signed_in(phone)

    _login(desktop, "officer")

    assert _signed_in(desktop)
    assert not _signed_in(phone), "the older session of the same user must end"
    assert _signed_in(colleague), "another user's session is not touched"
    # the ended session stays ended, and the new one keeps working on later requests
    assert not _signed_in(phone)
    assert _signed_in(desktop)


def test_signing_in_again_keeps_api_tokens(officer) -> None:  # type: ignore[no-untyped-def]
    token = APIClient().post(
        "/api/v1/auth/token/", {"username": "officer", "password": PASSWORD}, format="json"
    ).json()["token"]
    api = APIClient(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/stations/").status_code == 200

    _login(Client(), "officer")
    _login(Client(), "officer")

    assert api.get("/api/v1/stations/").status_code == 200
