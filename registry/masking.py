"""Masking of personal data, and the access log of every unmasked read.

Who sees what (DESIGN.md):

* a station's officers and head (roles ``officer`` and ``station_head``) see *their own station's*
  people in full;
* everyone else — county, city and province staff, the auditor and API tokens — sees national IDs as
  ``620102********123X`` and phones as ``138****5678``, unless explicitly granted the permission
  ``registry.view_unmasked_person`` (on the user or one of their groups; superusers have it).

The decision is made in one place, :class:`MaskingPolicy` (built once per request by
:func:`policy_for`), so the trust work can add conditions — e.g. require a recent second factor in
the session before the permission counts — without touching the serializers, pages or look-ups.

Every response that shows at least one person unmasked (an API list or detail, a page, an "enter
once" look-up) writes ONE :class:`~registry.models.AccessLog` row for the whole request, holding the
ids of the persons shown unmasked, the user and their home station/region, the action, the path and
the *purpose*: the ``purpose`` query parameter of the API (``?purpose=case%202024-117``) or the
``purpose`` field of the search form / query string of the pages. Masked reads are not logged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from stations.choices import Role
from stations.twofactor import second_factor_verified

UNMASK_PERMISSION = "registry.view_unmasked_person"
STATION_ROLES = frozenset({Role.OFFICER, Role.STATION_HEAD})
PURPOSE_MAX = 200


def mask_national_id(value: str | None) -> str:
    """``620102199001011234`` → ``620102********1234``: region code and the last four kept, the birth
    date hidden. Shorter values keep less (and a value of fewer than 8 characters nothing)."""
    if not value:
        return ""
    n = len(value)
    if n >= 15:
        return value[:6] + "*" * (n - 10) + value[-4:]
    if n >= 8:
        return value[:2] + "*" * (n - 4) + value[-2:]
    return "*" * n


def mask_phone(value: str | None) -> str:
    """``13812345678`` → ``138****5678``; landlines alike (``093****3456``)."""
    if not value:
        return ""
    n = len(value)
    if n >= 11:
        return value[:3] + "*" * (n - 7) + value[-4:]
    if n >= 7:
        return value[:2] + "*" * (n - 4) + value[-2:]
    return "*" * n


@dataclass
class MaskingPolicy:
    """Whether one user, in one request, sees a record of a given station unmasked."""

    user: Any
    granted: bool
    home_station_id: int | None
    station_role: bool
    revealed: set[int] = field(default_factory=set)
    revealed_national_ids: set[str] = field(default_factory=set)

    def unmasked(self, station_id: int | None) -> bool:
        if self.granted:
            return True
        return self.station_role and station_id is not None and station_id == self.home_station_id

    def reveal(self, person_ids: Iterable[int]) -> None:
        """Note persons shown unmasked in this response (written to the access log at the end)."""
        self.revealed.update(pid for pid in person_ids if pid is not None)

    def reveal_national_ids(self, national_ids: Iterable[str]) -> None:
        """Note national IDs shown unmasked outside a person record (a house's owner, a unit's legal
        representative); they are logged as the registered persons holding them."""
        self.revealed_national_ids.update(nid for nid in national_ids if nid)


def policy_for(user: Any, request: Any = None) -> MaskingPolicy:
    """The masking policy of ``user`` for this request (``request`` is where a second-factor check
    will look)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return MaskingPolicy(user=user, granted=False, home_station_id=None, station_role=False)
    station_role = user.role in STATION_ROLES and user.home_station_id is not None
    # has_perm costs a query (cached on the user object); a station officer never needs it for their
    # own people, but may hold the grant for people elsewhere — which they cannot see anyway.
    granted = bool(user.is_superuser) or (not station_role and _has_unmask_grant(user))
    if (granted or station_role) and not second_factor_verified(user, request):
        # TWO_FACTOR_REQUIRED: full data only with a verified second factor (stations/twofactor.py).
        granted = station_role = False
    return MaskingPolicy(user=user, granted=granted, home_station_id=user.home_station_id, station_role=station_role)


_MODEL_BACKENDS = (
    ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"],
    ["django.contrib.auth.backends.ModelBackend"],
)


@cache
def _grant_sql() -> str:
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    from stations.models import User

    user_perms = User.user_permissions.through._meta.db_table
    user_groups = User.groups.through._meta.db_table
    group_perms = Group.permissions.through._meta.db_table
    return f"""
SELECT EXISTS (
    SELECT 1 FROM {Permission._meta.db_table} p JOIN {ContentType._meta.db_table} ct ON ct.id = p.content_type_id
    WHERE ct.app_label = %(app_label)s AND p.codename = %(codename)s AND (
        EXISTS (SELECT 1 FROM {user_perms} up WHERE up.permission_id = p.id AND up.user_id = %(user)s)
        OR EXISTS (SELECT 1 FROM {group_perms} gp JOIN {user_groups} ug ON ug.group_id = gp.group_id
                   WHERE gp.permission_id = p.id AND ug.user_id = %(user)s)))
"""


def _has_unmask_grant(user: Any) -> bool:
    """``user.has_perm(UNMASK_PERMISSION)`` in one EXISTS query (the direct grant or a group's). ``has_perm`` loads every permission of
    the user and of their groups (two queries and a set built on every API request); with only the
    model backend granting permissions the answer is the same. Any other backend: ask ``has_perm``."""
    from django.conf import settings
    from django.db import connection

    if list(settings.AUTHENTICATION_BACKENDS) not in _MODEL_BACKENDS:
        return bool(user.has_perm(UNMASK_PERMISSION))
    if not user.is_active:
        return False
    cached = getattr(user, "_perm_cache", None)
    if cached is not None:
        return UNMASK_PERMISSION in cached
    app_label, codename = UNMASK_PERMISSION.split(".")
    with connection.cursor() as cursor:  # raw: compiling the ORM's five-table EXISTS cost more than running it
        cursor.execute(_grant_sql(), {"app_label": app_label, "codename": codename, "user": user.pk})
        return bool(cursor.fetchone()[0])


def purpose_of(request: Any) -> str:
    """The declared purpose of a read: ``purpose`` in the query string or the posted form."""
    if request is None:
        return ""
    value = request.GET.get("purpose") or (request.POST.get("purpose") if request.method == "POST" else "") or ""
    return str(value).replace("\x00", "").strip()[:PURPOSE_MAX]  # PostgreSQL text cannot hold NUL


NATIONAL_ID_IN_TEXT = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")


def log_unmasked_read(*, policy: MaskingPolicy, action: str, path: str, purpose: str = "") -> None:
    """Write the one access-log row of a request, if it showed anyone unmasked."""
    from registry.models import AccessLog, Person

    if policy.revealed_national_ids:
        policy.revealed.update(
            Person.objects.filter(national_id__in=sorted(policy.revealed_national_ids)).values_list("pk", flat=True)
        )
        policy.revealed_national_ids.clear()
    if not policy.revealed:
        return
    user = policy.user
    station = getattr(user, "home_station", None)
    AccessLog.objects.create(
        user=user,
        station_id=user.home_station_id,
        # A station user's region is their station's county, so auditors above it find the row.
        region_id=station.county_id if station is not None else getattr(user, "home_region_id", None),
        action=action[:20],
        person_ids=sorted(policy.revealed),
        # person_ids say whom was read; a search's query string must not keep the ID it searched for.
        path=NATIONAL_ID_IN_TEXT.sub(lambda match: mask_national_id(match.group()), path)[:300],
        purpose=purpose[:PURPOSE_MAX],
    )
    policy.revealed.clear()
