"""The production posture: Django's deployment checks pass, and pages carry the security headers."""

from __future__ import annotations

import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _production_env() -> dict[str, str]:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PYTEST_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        PORTAL_PRODUCTION="1",
        SECRET_KEY="".join(secrets.choice(alphabet) for _ in range(60)),
        ALLOWED_HOSTS="portal.police.example",
        CSRF_TRUSTED_ORIGINS="https://portal.police.example",
    )
    return env


def test_check_deploy_is_clean_with_production_settings() -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=PROJECT_ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_a_weak_secret_key() -> None:
    env = {**_production_env(), "SECRET_KEY": "short"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def _directives(policy: str) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        directives[name.lower()] = sources
    return directives


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/api/v1/docs/"])
def test_pages_carry_security_headers(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200

    policy = _directives(response.headers["Content-Security-Policy"])
    assert "'self'" in policy["script-src"]
    for unsafe in ("'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:", "data:"):
        assert unsafe not in policy["script-src"], f"script-src allows {unsafe}"
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
