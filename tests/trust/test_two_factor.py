"""Two-factor sign-in (TOTP, django-otp): required of county, city and province staff and for revealing
a person's full data when TWO_FACTOR_REQUIRED is on; a code is good only once. Codes are computed here
from the device's key, as an authenticator app would."""

from __future__ import annotations

import time

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from registry.models import Person

PASSWORD = django_settings.DEMO_PASSWORD
ENROL = "/accounts/two-factor/enrol/"
VERIFY = "/accounts/two-factor/"


@pytest.fixture(autouse=True)
def _no_lockouts(db: None) -> None:
    AccessAttempt.objects.all().delete()


@pytest.fixture
def two_factor_on(settings) -> None:  # type: ignore[no-untyped-def]
    settings.TWO_FACTOR_REQUIRED = True


def code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows now (or ``steps_ahead`` 30-second steps later)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def after_a_failure() -> None:
    """django-otp throttles a device after a wrong code (1 s, doubling with each failure)."""
    time.sleep(1.1)


def wrong_code(device: TOTPDevice) -> str:
    valid = {code(device, k) for k in (-2, -1, 0, 1, 2)}
    return next(f"{n:06d}" for n in range(1, 100) if f"{n:06d}" not in valid)


def _login(client: Client, username: str) -> None:
    assert client.post("/accounts/login/", {"username": username, "password": PASSWORD}).status_code == 302


def _home(client: Client) -> int:
    return client.get("/").status_code


def test_staff_enrol_on_first_sign_in_and_the_page_shows_the_otpauth_uri(two_factor_on, county_staff) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    _login(client, "county_staff")
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(ENROL), "no page before the second factor"
    assert client.get("/api/v1/stations/").status_code == 403, "nor the API with that session"

    page = client.get(ENROL)
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=county_staff, confirmed=False)
    assert device.config_url.encode() in page.content.replace(b"&amp;", b"&")
    assert b"otpauth://totp/" in page.content

    assert client.post(ENROL, {"otp_token": wrong_code(device)}).status_code == 200  # refused, page again
    assert _home(client) == 302
    after_a_failure()
    assert client.post(ENROL, {"otp_token": code(device), "next": "/"}).status_code == 302
    assert _home(client) == 200
    device.refresh_from_db()
    assert device.confirmed


@pytest.mark.parametrize("username", ["county_staff", "city_staff", "province_admin"])
def test_staff_with_an_authenticator_must_give_its_code(two_factor_on, username) -> None:  # type: ignore[no-untyped-def]
    from stations.models import User

    device = TOTPDevice.objects.create(user=User.objects.get(username=username), name="app", confirmed=True)
    client = Client()
    _login(client, username)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    assert client.post(VERIFY, {"otp_token": wrong_code(device)}).status_code == 200
    assert _home(client) == 302
    after_a_failure()
    assert client.post(VERIFY, {"otp_token": code(device)}).status_code == 302
    assert _home(client) == 200


def test_a_code_is_accepted_only_once(two_factor_on, county_staff) -> None:  # type: ignore[no-untyped-def]
    device = TOTPDevice.objects.create(user=county_staff, name="app", confirmed=True)
    first, second = Client(), Client()
    _login(first, "county_staff")
    used = code(device)
    assert first.post(VERIFY, {"otp_token": used}).status_code == 302
    device.refresh_from_db()
    assert device.last_t >= 0  # django-otp remembers the time step used

    _login(second, "county_staff")
    assert second.post(VERIFY, {"otp_token": used}).status_code == 200, "a replayed code must be refused"
    assert _home(second) == 302
    after_a_failure()
    assert second.post(VERIFY, {"otp_token": code(device, steps_ahead=1)}).status_code == 302  # the next code works
    assert _home(second) == 200


def test_station_officers_sign_in_with_a_password(two_factor_on, officer) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    _login(client, "officer")
    assert _home(client) == 200


def test_the_token_endpoint_asks_staff_for_a_code(two_factor_on, county_staff) -> None:  # type: ignore[no-untyped-def]
    url = "/api/v1/auth/token/"
    body = {"username": "county_staff", "password": PASSWORD}
    assert APIClient().post(url, body, format="json").status_code == 400  # not enrolled: no token at all
    device = TOTPDevice.objects.create(user=county_staff, name="app", confirmed=True)
    refused = APIClient().post(url, body, format="json")
    assert refused.status_code == 400 and "otp_token" in refused.json()
    assert APIClient().post(url, {**body, "otp_token": wrong_code(device)}, format="json").status_code == 400
    after_a_failure()
    assert APIClient().post(url, {**body, "otp_token": code(device)}, format="json").status_code == 200


def test_full_person_data_needs_a_verified_second_factor(two_factor_on, officer) -> None:  # type: ignore[no-untyped-def]
    person = Person.objects.for_user(officer).filter(deleted=False).exclude(national_id="").first()
    assert person is not None
    client = Client()
    client.force_login(officer)
    url = f"/api/v1/registry/persons/{person.pk}/"
    masked = client.get(url).json()["national_id"]
    assert masked != person.national_id and "*" in masked, "an unverified session sees the ID masked"

    device = TOTPDevice.objects.create(user=officer, name="app", confirmed=True)
    assert client.post(VERIFY, {"otp_token": code(device)}).status_code == 302
    assert client.get(url).json()["national_id"] == person.national_id


def test_with_two_factor_off_officers_see_their_people_and_staff_need_no_code(settings, officer, county_staff) -> None:  # type: ignore[no-untyped-def]
    settings.TWO_FACTOR_REQUIRED = False
    person = Person.objects.for_user(officer).filter(deleted=False).exclude(national_id="").first()
    client = Client()
    client.force_login(officer)
    assert client.get(f"/api/v1/registry/persons/{person.pk}/").json()["national_id"] == person.national_id
    staff = Client()
    _login(staff, "county_staff")
    assert _home(staff) == 200


def test_the_login_page_says_when_two_factor_is_off(settings) -> None:  # type: ignore[no-untyped-def]
    settings.TWO_FACTOR_REQUIRED = False
    assert b'id="two-factor-off"' in Client().get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en").content
    settings.TWO_FACTOR_REQUIRED = True
    assert b'id="two-factor-off"' not in Client().get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en").content


# --- the account menu offers two-factor sign-in where it is optional -------------------------------------

MENU_LINK = f'href="{ENROL}"'


def test_officers_are_offered_two_factor_in_the_account_menu_and_see_it_on_once_enrolled(
    two_factor_on, officer
) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    _login(client, "officer")
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert MENU_LINK in english and "Turn on two-factor sign-in" in english
    assert "Two-factor sign-in is on" not in english
    chinese = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert MENU_LINK in chinese and "开启双因素登录" in chinese

    assert client.get(ENROL).status_code == 200  # the link's page: a new authenticator to confirm
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    assert client.post(ENROL, {"otp_token": code(device)}).status_code == 302

    enrolled = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert MENU_LINK not in enrolled and "双因素登录已开启" in enrolled
    assert "Two-factor sign-in is on" in client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_staff_who_must_use_two_factor_see_it_on_and_no_link(two_factor_on, county_staff) -> None:  # type: ignore[no-untyped-def]
    device = TOTPDevice.objects.create(user=county_staff, name="app", confirmed=True)
    client = Client()
    _login(client, "county_staff")
    assert client.post(VERIFY, {"otp_token": code(device)}).status_code == 302
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Two-factor sign-in is on" in page and MENU_LINK not in page


def test_with_two_factor_off_everyone_without_an_authenticator_is_offered_it(settings, county_staff) -> None:  # type: ignore[no-untyped-def]
    settings.TWO_FACTOR_REQUIRED = False
    client = Client()
    _login(client, "county_staff")
    assert MENU_LINK in client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
