"""An officer signs in with a real browser and reaches their station; the layout works on a phone."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from stations.models import User
from tests.e2e.conftest import PHONE, BrowserSession

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "portal-demo"


def sign_in(page: Any, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(reverse("login"))
    form = page.locator("form", has=page.locator('input[name="password"]'))
    form.locator('input[name="username"]').fill(username)
    form.locator('input[name="password"]').fill(password)
    form.locator('[type="submit"]').click()
    page.wait_for_url(re.compile(re.escape(reverse("home")) + "$"))


def assert_page_healthy(session: BrowserSession) -> None:
    """Every script, style and request loaded, and nothing broke the content security policy."""
    assert session.failed_requests == []
    assert session.console_errors == []


def test_officer_signs_in_and_opens_their_station(browser_session: BrowserSession, officer: User) -> None:
    station = officer.home_station
    assert station is not None
    page = browser_session.new_page()

    sign_in(page, officer.username)

    # On a desktop the navigation is laid out in full, no toggler.
    assert not page.locator("nav .navbar-toggler").is_visible()
    assert page.locator(f'#portal-nav a.nav-link[href="{reverse("home")}"]').is_visible()

    # Stations are under the "Stations & force" menu; the officer's scope lists their own station.
    stations_href = f'a[href="{reverse("station_list")}"]'
    menu = page.locator("#portal-nav li.dropdown", has=page.locator(stations_href))
    menu.locator(".dropdown-toggle").click()
    menu.locator(stations_href).click()
    page.wait_for_url(re.compile(re.escape(reverse("station_list")) + "$"))
    page.get_by_role("link", name=station.name, exact=True).click()

    page.wait_for_url(re.compile(re.escape(reverse("station_detail", args=[station.pk])) + "$"))
    assert page.locator("h1").first.inner_text().strip().startswith(station.name)
    assert_page_healthy(browser_session)


def test_navbar_collapses_on_a_phone(browser_session: BrowserSession, officer: User) -> None:
    page = browser_session.new_page(viewport=PHONE)
    sign_in(page, officer.username)

    toggler = page.locator("nav .navbar-toggler")
    menu = page.locator("#portal-nav")
    home_link = menu.locator(f'a.nav-link[href="{reverse("home")}"]')
    assert toggler.is_visible()
    assert not home_link.is_visible()

    toggler.click()
    home_link.wait_for(state="visible")
    assert toggler.get_attribute("aria-expanded") == "true"

    # Nothing runs off the side of the screen.
    page.goto(reverse("station_detail", args=[officer.home_station_id]))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_page_healthy(browser_session)
