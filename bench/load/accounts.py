"""Sign-in accounts for the load scenario (``bench/load/locustfile.py``), made in a demo database.

The portal keeps one live browser session per user (a new sign-in ends the older one), so every
simulated browser needs an account of its own; the demo has one account per role. This makes, once
and idempotently, accounts named ``load-officer-NNN`` (each the user of an officer who is the
dedicated officer of a beat, so that checking in means something), ``load-analyst-NNN`` (province
staff) and ``load-client-NNN`` (read-only API clients bound to the city of persona ``officer``'s
station, like the demo's ``api_client``), all with the demo password, and returns their names in the
shape the locustfile reads from ``LOAD_ACCOUNTS``.

Run it in a configured Django (``manage.py shell -c``, or a test)::

    from bench.load.accounts import ensure_accounts
    ensure_accounts(officers=24, analysts=6, clients=2, password="portal-demo")
"""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.db import transaction

from beats.models import Beat
from stations.choices import RegionLevel, Role
from stations.models import Region, User


@transaction.atomic
def ensure_accounts(*, officers: int, analysts: int, clients: int, password: str) -> dict[str, list[str]]:
    """Make (or keep) the load accounts; their usernames by kind: ``officers``, ``analysts``, ``clients``."""
    hashed = make_password(password)  # hashed once: hashing is deliberately slow
    existing = {u.username: u for u in User.objects.filter(username__startswith="load-")}

    beats = (
        Beat.objects.filter(officer__isnull=False, officer__user__isnull=True)
        .select_related("officer", "station")
        .order_by("code")
    )
    officer_names = sorted(name for name in existing if name.startswith("load-officer-"))[:officers]
    free_beats = iter(beats)
    seen: set[int] = set()
    while len(officer_names) < officers:
        beat = next(free_beats, None)
        if beat is None:
            raise RuntimeError(f"only {len(officer_names)} beats have a dedicated officer without an account")
        if beat.officer_id in seen:  # an officer dedicated to two beats
            continue
        seen.add(beat.officer_id)
        name = f"load-officer-{len(officer_names) + 1:03d}"
        _make(name, existing, hashed, role=Role.OFFICER, home_station=beat.station, officer=beat.officer)
        officer_names.append(name)

    province = Region.objects.get(level=RegionLevel.PROVINCE)
    persona = User.objects.select_related("home_station__county__parent").get(username="officer")
    city = persona.home_station.county.parent  # type: ignore[union-attr]
    analyst_names = [f"load-analyst-{n:03d}" for n in range(1, analysts + 1)]
    client_names = [f"load-client-{n:03d}" for n in range(1, clients + 1)]
    for name in analyst_names:
        _make(name, existing, hashed, role=Role.PROVINCE_STAFF, home_region=province)
    for name in client_names:
        _make(name, existing, hashed, role=Role.API_CLIENT, home_region=city)
    return {"officers": officer_names, "analysts": analyst_names, "clients": client_names}


def _make(name: str, existing: dict[str, User], hashed: str, **fields: object) -> None:
    user = existing.get(name) or User(username=name)
    for field, value in fields.items():
        setattr(user, field, value)
    user.password = hashed
    user.is_active = True
    user.full_clean(exclude=["password"])
    user.save()
