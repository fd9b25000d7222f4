"""An officer checks in from the phone page with a faked geolocation (Playwright on Debian's
chromium against a live server) and sees the result; the beat page draws its chart. The server
answers inside the test's transaction, so the check-ins it records are rolled back afterwards."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from beats.choices import CheckInFlag
from beats.models import CheckIn
from stations.models import User
from tests.beats.conftest import beat_of, point_inside, point_outside
from tests.e2e.conftest import PHONE, BrowserSession

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "portal-demo"


def sign_in(page: Any, username: str) -> None:
    page.goto(reverse("login"))
    form = page.locator("form", has=page.locator('input[name="password"]'))
    form.locator('input[name="username"]').fill(username)
    form.locator('input[name="password"]').fill(DEMO_PASSWORD)
    form.locator('[type="submit"]').click()
    page.wait_for_url(re.compile(re.escape(reverse("home")) + "$"))


def located_phone(session: BrowserSession, *, lon: float, lat: float, accuracy: float = 15) -> Any:
    page = session.new_page(viewport=PHONE)
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": lat, "longitude": lon, "accuracy": accuracy})
    return page


def zh(message: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(message)


def check_in(page: Any) -> Any:
    page.goto(reverse("beats:checkin"))
    page.locator("#checkin-button").click()
    result = page.locator("#checkin-result[data-inside]")
    result.wait_for(state="visible")
    return result


def test_officer_checks_in_inside_the_beat_from_a_phone(browser_session: BrowserSession, officer: User) -> None:
    beat = beat_of(officer)
    lon, lat = point_inside(beat)
    before = CheckIn.objects.filter(officer=officer.officer).count()
    page = located_phone(browser_session, lon=lon, lat=lat)
    sign_in(page, officer.username)

    result = check_in(page)

    assert result.get_attribute("data-inside") == "true"
    assert result.get_attribute("data-flags") == ""
    assert page.locator("#checkin-verdict").inner_text().strip() == zh("Inside your beat")
    latest = CheckIn.objects.filter(officer=officer.officer).order_by("-id").first()
    assert CheckIn.objects.filter(officer=officer.officer).count() == before + 1
    assert latest is not None and latest.inside_beat and latest.counts and latest.beat_id == beat.pk
    assert abs(latest.lat - lat) < 1e-6 and abs(latest.lon - lon) < 1e-6
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert browser_session.failed_requests == []
    assert browser_session.console_errors == []


def test_a_check_in_outside_the_beat_is_shown_flagged(browser_session: BrowserSession, officer: User) -> None:
    lon, lat = point_outside(beat_of(officer))
    page = located_phone(browser_session, lon=lon, lat=lat, accuracy=20)
    sign_in(page, officer.username)

    result = check_in(page)

    assert result.get_attribute("data-inside") == "false"
    assert CheckInFlag.OUTSIDE_BEAT in (result.get_attribute("data-flags") or "").split()
    assert page.locator("#checkin-verdict").inner_text().strip() == zh("Outside your beat")
    assert zh(str(CheckInFlag.OUTSIDE_BEAT.label)) in page.locator("#checkin-flags").inner_text()
    assert CheckIn.objects.filter(officer=officer.officer).order_by("-id").first().flags[:1] == [CheckInFlag.OUTSIDE_BEAT]
    assert browser_session.console_errors == []


def test_beat_page_draws_the_boundary_chart(browser_session: BrowserSession, officer: User) -> None:
    beat = beat_of(officer)
    page = browser_session.new_page()
    sign_in(page, officer.username)
    page.goto(reverse("beats:beat_detail", args=[beat.pk]))
    page.locator("#beat-chart canvas").first.wait_for(state="attached")
    size = page.evaluate("(() => { const c = document.querySelector('#beat-chart canvas'); return [c.width, c.height]; })()")
    assert size[0] > 100 and size[1] > 100
    assert browser_session.failed_requests == []
    assert browser_session.console_errors == []
