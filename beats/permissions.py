"""Who may do what in community policing (in addition to jurisdiction, which decides what is seen).

* Reading: anyone signed in, within their jurisdiction.
* Checking in: a user linked to an officer who is dedicated to a beat.
* Entering household-head activities: any writing role (``stations.api.permissions.can_write``).
* Managing — assigning officers to beats, rooms, household heads, eight-nos breaches and
  certification, reviewing check-ins and confirming activities: the station head, province staff,
  and API clients granted writes.
* Setting the check-in policy: province staff.
"""

from __future__ import annotations

from typing import Any

from stations.api.permissions import can_write
from stations.choices import Role

MANAGER_ROLES = {Role.STATION_HEAD, Role.PROVINCE_STAFF}


def can_manage(user: Any) -> bool:
    if not can_write(user):
        return False
    return user.role in MANAGER_ROLES or user.role == Role.API_CLIENT


def can_enter(user: Any) -> bool:
    return can_write(user)


def can_set_policy(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role == Role.PROVINCE_STAFF)
