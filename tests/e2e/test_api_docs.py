"""Swagger UI at /api/v1/docs/ renders in a real browser under the portal's content security policy."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.e2e.conftest import BrowserSession

pytestmark = pytest.mark.browser


def test_swagger_ui_renders_the_api_under_the_csp(browser_session: BrowserSession) -> None:
    page = browser_session.new_page()
    page.goto(reverse("api-docs"))

    # Swagger UI draws the API title and an operation block once its script has run and read the schema.
    try:
        page.locator(".swagger-ui .info .title").wait_for(state="visible")
    except PlaywrightTimeoutError:
        pytest.fail(
            "Swagger UI did not render. Browser console errors: "
            f"{browser_session.console_errors}; failed requests: {browser_session.failed_requests}"
        )
    assert page.locator(".swagger-ui .opblock").count() > 0
    assert browser_session.failed_requests == []
    assert browser_session.console_errors == []
