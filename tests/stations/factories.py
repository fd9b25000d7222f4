"""Small builders for hand-made org trees in tests. They use codes of another province (63xxxx) so
they never collide with the demo province (Gansu, 62xxxx) loaded into every test database."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from stations.choices import OfficerKind, RegionLevel, Role, StationKind
from stations.models import Officer, Posting, Region, Station, User

_badges = itertools.count(1)


def region(code: str, name: str | None = None, parent: Region | None = None) -> Region:
    if parent is None:
        level = RegionLevel.PROVINCE
    elif parent.level == RegionLevel.PROVINCE:
        level = RegionLevel.CITY
    else:
        level = RegionLevel.COUNTY
    return Region.objects.create(code=code, name=name or f"R{code}", level=level, parent=parent)


def station(county: Region, number: int, kind: str = StationKind.URBAN, name: str | None = None) -> Station:
    return Station.objects.create(
        code=f"{county.code}52{number:04d}", name=name or f"S{county.code}-{number}", county=county, kind=kind
    )


Where = Station | Region


def officer(
    *postings: tuple[Where, dt.date, dt.date | None],
    kind: str = OfficerKind.POLICE,
    active: bool = True,
    **fields: Any,
) -> Officer:
    """An officer with the given postings ``(station or region, start, end)``, oldest first; the
    officer's current station/region follow the last one."""
    last = postings[-1][0]
    station_obj = last if isinstance(last, Station) else None
    region_obj = last.county if isinstance(last, Station) else last
    badge = fields.pop("badge_number", f"T{next(_badges):06d}")
    obj = Officer.objects.create(
        badge_number=badge, name=fields.pop("name", badge), kind=kind, station=station_obj, region=region_obj,
        is_active=active, **fields,
    )
    for where, start, end in postings:
        Posting.objects.create(
            officer=obj,
            station=where if isinstance(where, Station) else None,
            region=where.county if isinstance(where, Station) else where,
            start=start,
            end=end,
        )
    return obj


def user(username: str, home: Where | None, role: str = Role.COUNTY_STAFF, **fields: Any) -> User:
    return User.objects.create_user(
        username,
        password=None,
        role=role,
        home_station=home if isinstance(home, Station) else None,
        home_region=home if isinstance(home, Region) else None,
        **fields,
    )
