"""Browser fixtures: Playwright driving Debian's chromium against a live server of the portal.

Playwright's own browser download does not work on these machines; ``make test`` installs Debian's
``chromium`` (scripts/ensure-debian.sh) and the tests skip, saying why, only where it is missing.
The server is ``tests.live.serve_in_transaction``: its requests run in the test's transaction,
so these are plain ``db`` tests, nothing is committed and the database is not flushed after them.
Static files reach the browser through the staticfiles handler (the finders), so the tests need
neither DEBUG nor a collected STATIC_ROOT.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import live

isolated_cache = live.isolated_cache
live_server_in_transaction = live.live_server_in_transaction

CHROMIUM = Path(os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless chromium for the module's tests.

    Playwright's sync API keeps an asyncio loop marked as running on this thread. Django then refuses
    ORM calls ("You cannot call this from an async context"), and asgiref, which keeps Django's
    connections, switches this thread to a second, per-context set of them. The tests are synchronous,
    so the async guard is switched off while the browser is up, and the second set is pointed at the
    connection the thread already has: every fixture and the live server then share one connection
    and one transaction, whichever starts first, and no connection is left open afterwards."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    from django.db import DEFAULT_DB_ALIAS, connections
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    wrapper = connections[DEFAULT_DB_ALIAS]
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        connections[DEFAULT_DB_ALIAS] = wrapper  # now that the loop counts as running: the async-side slot
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class BrowserSession:
    """Opens pages in fresh browser contexts and records what went wrong in them."""

    def __init__(self, browser: Any, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.contexts: list[Any] = []
        self.failed_requests: list[str] = []
        self.console_errors: list[str] = []

    def new_page(self, *, viewport: dict[str, int] = DESKTOP) -> Any:
        context = self.browser.new_context(base_url=self.base_url, viewport=viewport, locale="zh-CN")
        context.set_default_timeout(15_000)
        self.contexts.append(context)
        page = context.new_page()
        page.on("response", self._record_response)
        page.on("console", self._record_console)
        return page

    def _record_response(self, response: Any) -> None:
        if response.status >= 400:
            self.failed_requests.append(f"{response.status} {response.url}")

    def _record_console(self, message: Any) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def browser_session(
    browser: Any, live_server_in_transaction: str, isolated_cache: str
) -> Iterator[BrowserSession]:
    """Fresh browser contexts on a live server that runs inside the test's transaction."""
    session = BrowserSession(browser, live_server_in_transaction)
    try:
        yield session
    finally:
        session.close()
