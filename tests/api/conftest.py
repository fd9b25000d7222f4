"""Fixtures for the API contract suite: the real WSGI application and a real knox token."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client

from stations.models import User
from tests import live

isolated_cache = live.isolated_cache

DEMO_PASSWORD = "portal-demo"


class InTestWSGIHandler(WSGIHandler):
    """Django's production WSGI handler (real CSRF and middleware) that leaves the test's connection open.

    Django closes "old" database connections when a request starts and finishes; inside a test that
    would close the connection holding the test's transaction, so, as Django's test client does,
    that receiver is disconnected around each request."""

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request_started.disconnect(close_old_connections)
        try:
            response = super().__call__(environ, start_response)
        finally:
            request_started.connect(close_old_connections)
        return _KeepConnectionOnClose(response)


class _KeepConnectionOnClose:
    def __init__(self, response: Any) -> None:
        self.response = response

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.response)

    def close(self) -> None:
        request_finished.disconnect(close_old_connections)
        try:
            self.response.close()
        finally:
            request_finished.connect(close_old_connections)


@pytest.fixture
def wsgi_app(db: None, isolated_cache: str) -> WSGIHandler:
    """The portal as a WSGI application, running on the test's transaction."""
    return InTestWSGIHandler()


def obtain_token(username: str, password: str = DEMO_PASSWORD) -> str:
    response = Client().post(
        "/api/v1/auth/token/", {"username": username, "password": password}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


@pytest.fixture
def officer_token(officer: User, isolated_cache: str) -> str:
    """A knox token for persona ``officer``, issued by ``POST /api/v1/auth/token/``."""
    return obtain_token(officer.username)
