"""Masking of household heads' personal data for callers whose role does not grant it."""

from __future__ import annotations

from typing import Any

from stations.choices import Role

UNMASKED_ROLES = {Role.OFFICER, Role.STATION_HEAD}


def mask_national_id(value: str) -> str:
    """``620102199001011234`` → ``620102********1234``."""
    return value[:6] + "*" * 8 + value[-4:] if len(value) == 18 else "*" * len(value)


def mask_phone(value: str) -> str:
    """``13812345678`` → ``138****5678``."""
    return value[:3] + "****" + value[-4:] if len(value) >= 8 else "*" * len(value)


def sees_personal_data(user: Any) -> bool:
    """Station officers and heads work with household heads by name and number; above the station,
    and for API clients, national IDs and phones are masked."""
    return bool(getattr(user, "home_station_id", None) and getattr(user, "role", None) in UNMASKED_ROLES)
