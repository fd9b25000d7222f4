"""The community-policing part of the demo province: beat areas with polygon boundaries around their
stations, dedicated officers with some assignment history, police rooms in the province's reported
split, communities/villages with this year's eight-nos standing and the breaches behind it, security
household heads with their activities, and a month of location check-ins judged by the real rules.

At ``province`` scale: 6,840 beats, 4,951 rooms (1,303 urban, 3,648 rural, 667 named after their
officer), 4,957 communities holding the first four nos, 65,000 household heads. ``small`` is the same
proportions for its stations; ``tiny`` (tests) two beats a station and a few of everything, always
with objects at the personas' stations. Everything is written with ``bulk_create``."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import pgtrigger
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.models import Model
from django.utils import timezone
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

from beats import rules
from beats.choices import (
    ALL_EIGHT,
    FIRST_FOUR,
    ActivityKind,
    ActivityStatus,
    AreaKind,
    CheckInSource,
    HeadSource,
)
from beats.geometry import offset, parse_boundary, star_polygon
from beats.models.eightnos import status_field
from common.demo import DemoContext
from stations.choices import OfficerKind, StationKind

PROVINCE = {"beats": 6840, "rooms_urban": 1303, "rooms_rural": 3648, "rooms_named": 667, "first_four": 4957,
            "heads": 65000}
PROVINCE_STATIONS = 1000
GANSU_CENTRE = (36.0611, 103.8343)  # Lanzhou (latitude, longitude), when a station has no coordinates
BATCH = 5000
# Choice values, computed once (an enum's ``.values`` is rebuilt on every access).
SOURCES = tuple(CheckInSource.values)
HEAD_SOURCES = tuple(HeadSource.values)
ACTIVITY_KINDS = tuple(ActivityKind.values)

URBAN_PLACES = (
    "东岗", "西站", "雁滩", "南关", "北街", "中山", "民主", "建设", "和平", "文化", "光明", "新华", "金城", "广武门",
    "渭源路", "白银路", "团结", "火车站", "五泉", "皋兰路", "拱星墩", "盐场", "草场街", "铁路", "伏龙坪", "靖远路",
)
VILLAGE_PARTS = (
    "王家", "李家", "张家", "马家", "杨家", "何家", "新民", "红旗", "团结", "东风", "前进", "石门", "柳树", "杏花",
    "沙河", "大湾", "上川", "下川", "西坪", "东岔", "南沟", "北山", "黄家", "赵家", "牟家", "安家", "韩家", "鲁家",
)
VILLAGE_ENDS = ("村", "湾村", "沟村", "坪村", "庄村", "川村", "岔村", "坡村", "塬村", "堡村")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "建国军华明伟强平刚军民东海玉兰秀英桂芳红霞德福贵成永生志文斌海龙俊杰"
OPENING_HOURS = ("周一至周五 8:30-17:30", "每日 8:00-20:00", "全天值守", "周一至周六 9:00-17:00")
ACTIVITY_TEXT = {
    ActivityKind.JOINT_PATROL: "与驻村民警开展夜间联合巡逻。",
    ActivityKind.INFORMATION: "报告村内陌生人员和可疑车辆情况。",
    ActivityKind.DISPUTE_HELP: "协助调解邻里宅基地纠纷。",
    ActivityKind.LEGAL_PUBLICITY: "在村广场开展反电诈法治宣传。",
    ActivityKind.TRAFFIC: "在学校门口协助疏导交通。",
    ActivityKind.EPIDEMIC: "协助开展返乡人员登记和防疫宣传。",
}
BREACH_TEXT = {
    "homicide": "发生一起故意杀人案件。",
    "gangs": "查处一个涉黑涉恶团伙。",
    "telecom_fraud": "村民被电信网络诈骗。",
    "drugs": "查获吸毒人员一名。",
    "cults": "发现邪教宣传品散发。",
    "pyramid_selling": "发现传销人员活动。",
    "public_safety_disasters": "发生一起火灾事故。",
    "mass_incidents": "发生群体性上访事件。",
}


@dataclass
class _Beat:
    code: str
    name: str
    kind: str
    station_id: int
    county_code: str
    lon: float
    lat: float
    radius_m: float
    boundary: dict[str, Any]
    officer: Any = None
    full_time: bool = False


def _spiral(n: int) -> list[tuple[int, int]]:
    """The first ``n`` cells of a square spiral around (0, 0)."""
    cells = [(0, 0)]
    ring = 1
    while len(cells) < n:
        for x in range(-ring, ring + 1):
            for y in range(-ring, ring + 1):
                if max(abs(x), abs(y)) == ring:
                    cells.append((x, y))
        ring += 1
    return cells[:n]


def _allocate(total: int, weights: Sequence[float], minimum: int = 0) -> list[int]:
    """Split ``total`` into integers proportional to ``weights`` (largest remainder), each at least
    ``minimum`` while the total allows."""
    n = len(weights)
    if n == 0:
        return []
    base = min(minimum, total // n)
    rest = total - base * n
    whole = sum(weights) or 1
    exact = [rest * w / whole for w in weights]
    counts = [int(x) for x in exact]
    order = sorted(range(n), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in order[: rest - sum(counts)]:
        counts[i] += 1
    return [base + c for c in counts]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")


def _phone(rng: random.Random) -> str:
    return rng.choice(("138", "139", "150", "151", "177", "180", "189", "199")) + f"{rng.randrange(10**8):08d}"


@lru_cache(maxsize=4096)
def _place_valid(code: str, year: int) -> bool:
    try:
        ric.get_birth_place(f"{code}{year}01010000")
    except StdnumError:
        return False
    return True


def _national_id(rng: random.Random, county_code: str, used: set[str]) -> str:
    """A valid GB 11643 number of someone born 1958–1995 in (or near) ``county_code``."""
    while True:
        year = rng.randint(1958, 1995)
        code = next(
            (c for c in (county_code, county_code[:4] + "21", "620102", "620121") if _place_valid(c, year)), "620102"
        )
        if not _place_valid(code, year):
            continue
        born = dt.date(year, 1, 1) + dt.timedelta(days=rng.randint(0, 364))
        body = f"{code}{born:%Y%m%d}{rng.randrange(1000):03d}"
        number = body + ric.calc_check_digit(body + "0")
        if number not in used:
            used.add(number)
            return number


def bulk_create_audited(model: type[Model], rows: list[Any], batch_size: int = BATCH) -> list[Any]:
    """``bulk_create`` with the same audit trail as row-by-row inserts, much faster.

    pghistory's insert trigger writes an event row per inserted row from a PL/pgSQL function; over
    the province's hundreds of thousands of rows that per-row work dominated the load (about 2 ms a
    row against 0.1 ms for the insert itself). Here the trigger is skipped for this insert only
    (``pgtrigger.ignore``, this session) and the same events — every tracked column, label
    ``insert``, the load's audit context — are written with one ``INSERT … SELECT`` per chunk."""
    if not rows:
        return []
    with pgtrigger.ignore(f"{model._meta.label}:insert_insert"):
        created = model._default_manager.bulk_create(rows, batch_size=batch_size)
    event_model = apps.get_model(model._meta.app_label, f"{model.__name__}Event")
    quote = connection.ops.quote_name
    columns, values = [], []
    for field in event_model._meta.concrete_fields:
        if field.name == "pgh_id":
            continue
        columns.append(quote(field.column))
        values.append({
            "pgh_created_at": "NOW()",
            "pgh_label": "'insert'",
            "pgh_obj": quote("id"),
            "pgh_context": "%s",
        }.get(field.name) or quote(model._meta.get_field(field.name).column))
    sql = (
        f"INSERT INTO {quote(event_model._meta.db_table)} ({', '.join(columns)}) "
        f"SELECT {', '.join(values)} FROM {quote(model._meta.db_table)} WHERE {quote('id')} = ANY(%s)"
    )
    ids = [row.pk for row in created]
    with connection.cursor() as cursor:
        cursor.execute("SELECT _pgh_attach_context()")
        context_id = cursor.fetchone()[0]
        for start in range(0, len(ids), 20_000):
            cursor.execute(sql, [context_id, ids[start:start + 20_000]])
    return created


def _targets(ctx: DemoContext, n_stations: int) -> dict[str, int]:
    if ctx.scale == "province":
        return dict(PROVINCE)
    factor = n_stations / PROVINCE_STATIONS
    return {key: max(1, round(value * factor)) for key, value in PROVINCE.items()}


def build(ctx: DemoContext) -> None:
    """Write the beats demo. Needs ``ctx.data`` from the stations demo; adds "beats"."""
    from beats.models import (
        Beat,
        BeatAssignment,
        CheckIn,
        Community,
        EightNosBreach,
        EightNosStatus,
        HouseholdHead,
        HouseholdHeadActivity,
        PoliceRoom,
    )
    from beats.services import compliance_snapshot

    rng = ctx.rng("beats")
    today = ctx.today
    stations = list(ctx.data["stations"])
    officers = list(ctx.data["officers"])
    users = ctx.data["users"]
    officer_station = ctx.data["officer_station"]
    officer_b_station = ctx.data["officer_b_station"]
    persona_officer = users["officer"].officer
    persona_b = users["officer_b"].officer
    head_persona = users["station_head"].officer if "station_head" in users else None
    county_code = {s.pk: s.county.code for s in stations}

    # --- who may be a beat's dedicated officer: the active police of each station
    police: dict[int, list[Any]] = defaultdict(list)
    for officer in sorted(officers, key=lambda o: o.badge_number):
        if officer.kind == OfficerKind.POLICE and officer.station_id and officer.is_active:
            police[officer.station_id].append(officer)
    personas = (persona_officer.pk, persona_b.pk)
    for pool in police.values():
        # The personas first (they must have a beat); the station head (first by badge) last.
        head_pk = pool[0].pk
        pool.sort(key=lambda o: (o.pk not in personas, o.pk == head_pk or (head_persona is not None and o.pk == head_persona.pk)))

    # --- beats per station, in proportion to its police
    if ctx.scale == "tiny":
        per_station = [2] * len(stations)
        targets = {"rooms_urban": 0, "rooms_rural": 0, "rooms_named": 0}
    else:
        targets = _targets(ctx, len(stations))
        per_station = _allocate(targets["beats"], [max(1, len(police[s.pk])) for s in stations], minimum=1)

    planned: list[_Beat] = []
    for station, count in zip(stations, per_station, strict=True):
        lat0 = float(station.latitude) if station.latitude is not None else GANSU_CENTRE[0] + rng.uniform(-1, 1)
        lon0 = float(station.longitude) if station.longitude is not None else GANSU_CENTRE[1] + rng.uniform(-1, 1)
        urban_station = station.kind == StationKind.URBAN
        for index, (x, y) in enumerate(_spiral(count), start=1):
            urban = urban_station if rng.random() < 0.85 else not urban_station
            radius = rng.uniform(450, 800) if urban_station else rng.uniform(1800, 3500)
            spacing = 2.3 * (800 if urban_station else 3500)
            lon, lat = offset(lon=lon0, lat=lat0, east_m=x * spacing, north_m=y * spacing)
            radii = [rng.uniform(0.78, 1.0) for _ in range(rng.randint(7, 12))]
            boundary = star_polygon(lon=lon, lat=lat, radius_m=radius, radii=radii)
            planned.append(_Beat(
                code=f"{station.code}{index:03d}",
                name=(f"{rng.choice(URBAN_PLACES)}社区警务区" if urban
                      else f"{rng.choice(VILLAGE_PARTS)}{rng.choice(VILLAGE_ENDS)}警务区"),
                kind=AreaKind.URBAN if urban else AreaKind.RURAL,
                station_id=station.pk, county_code=county_code[station.pk],
                lon=lon, lat=lat, radius_m=radius, boundary=boundary,
            ))
    _special_shapes(rng, planned, persona_station_ids=(officer_station.pk, officer_b_station.pk))

    # --- dedicated officers: one beat each, the personas on their station's first beat
    by_station: dict[int, list[_Beat]] = defaultdict(list)
    for beat in planned:
        by_station[beat.station_id].append(beat)
    for station_id, beats in by_station.items():
        pool = list(police.get(station_id, []))
        if ctx.scale == "tiny" and head_persona is not None:
            pool = [o for o in pool if o.pk != head_persona.pk]
        for beat, officer in zip(beats, pool, strict=False):
            beat.officer = officer
            beat.full_time = officer.pk in personas or rng.random() < 0.85

    beat_rows = bulk_create_audited(Beat, [
        Beat(code=b.code, name=b.name, station_id=b.station_id, kind=b.kind, boundary=b.boundary,
             officer=b.officer, officer_full_time=b.full_time)
        for b in planned
    ])
    beat_of = {b.code: row for b, row in zip(planned, beat_rows, strict=True)}

    assignments = []
    for b in planned:
        if b.officer is None:
            continue
        start = today - dt.timedelta(days=rng.randint(120, 5 * 365))
        assignments.append(BeatAssignment(beat=beat_of[b.code], officer=b.officer, full_time=b.full_time, start=start))
        others = [o for o in police.get(b.station_id, []) if o.pk != b.officer.pk]
        if others and rng.random() < 0.25:  # an earlier officer of the same beat
            earlier_end = start - dt.timedelta(days=1)
            assignments.append(BeatAssignment(
                beat=beat_of[b.code], officer=rng.choice(others), full_time=True,
                start=earlier_end - dt.timedelta(days=rng.randint(200, 1500)), end=earlier_end,
            ))
    bulk_create_audited(BeatAssignment, assignments)

    # --- communities / villages: one or two a beat
    communities: list[Any] = []
    community_beat: list[_Beat] = []
    for b in planned:
        for j in range(1, (2 if rng.random() < 0.3 or ctx.scale == "tiny" else 1) + 1):
            name = (f"{rng.choice(URBAN_PLACES)}社区" if b.kind == AreaKind.URBAN
                    else f"{rng.choice(VILLAGE_PARTS)}{rng.choice(VILLAGE_ENDS)}")
            communities.append(Community(code=f"{b.code}{j:02d}", name=name, kind=b.kind, station_id=b.station_id,
                                         beat=beat_of[b.code]))
            community_beat.append(b)
    communities = bulk_create_audited(Community, communities)
    _eight_nos(ctx, rng, communities, targets, EightNosStatus, EightNosBreach)

    # --- police rooms in the reported split
    _rooms(ctx, rng, planned, beat_of, targets, PoliceRoom, persona_station_ids=(officer_station.pk, officer_b_station.pk))

    # --- household heads and their activities
    heads = _household_heads(ctx, rng, communities, community_beat, targets, police, HouseholdHead)
    _activities(ctx, rng, heads, HouseholdHeadActivity)

    # --- a month of check-ins, judged by the real rules
    _check_ins(ctx, rng, planned, beat_of, CheckIn)
    months = {rules.month_start(today - dt.timedelta(days=30)), rules.month_start(today - dt.timedelta(days=1))}
    for month in sorted(months):
        compliance_snapshot(month=month)

    ctx.data["beats"] = beat_rows


def _special_shapes(rng: random.Random, planned: list[_Beat], *, persona_station_ids: tuple[int, int]) -> None:
    """Some beats are not one simple ring: a beat with an enclave cut out (a hole), and a beat in two
    parts (a MultiPolygon) — the second beat of each persona station, and a few percent elsewhere."""
    for b in planned:
        ring = b.boundary["coordinates"][0]
        second_of = b.code.endswith("002") and b.station_id in persona_station_ids
        if (second_of and b.station_id == persona_station_ids[0]) or (not second_of and rng.random() < 0.03):
            # A hole: an enclave (a campus, a barracks) off the centre.
            hole_lon, hole_lat = offset(lon=b.lon, lat=b.lat, east_m=b.radius_m * 0.4, north_m=0)
            hole = star_polygon(lon=hole_lon, lat=hole_lat, radius_m=b.radius_m * 0.2, radii=[1.0] * 8)
            b.boundary = {"type": "Polygon", "coordinates": [ring, list(reversed(hole["coordinates"][0]))]}
        elif second_of or rng.random() < 0.02:
            # Two parts: the beat and a small detached hamlet just east of it.
            far_lon, far_lat = offset(lon=b.lon, lat=b.lat, east_m=b.radius_m * 1.15, north_m=0)
            part = star_polygon(lon=far_lon, lat=far_lat, radius_m=b.radius_m * 0.1, radii=[1.0, 0.9, 1.0, 0.85, 1.0, 0.9])
            b.boundary = {"type": "MultiPolygon", "coordinates": [[ring], part["coordinates"]]}


def _rooms(
    ctx: DemoContext, rng: random.Random, planned: list[_Beat], beat_of: dict[str, Any], targets: dict[str, int],
    model: Any, *, persona_station_ids: tuple[int, int],
) -> None:
    if ctx.scale == "tiny":
        # Every beat but one at each other station has a room; one named after its officer at the personas'.
        chosen = [(b, b.kind) for b in planned if b.code.endswith("001") or b.station_id in persona_station_ids]
        named = {b.code for b, _kind in chosen if b.station_id in persona_station_ids and b.code.endswith("001")}
    else:
        urban = [b for b in planned if b.kind == AreaKind.URBAN]
        rural = [b for b in planned if b.kind == AreaKind.RURAL]
        rng.shuffle(urban)
        rng.shuffle(rural)
        want_urban, want_rural = targets["rooms_urban"], targets["rooms_rural"]
        # Rooms of a kind sit in beats of that kind while there are enough of them.
        urban_beats, rural_beats = urban[:want_urban], rural[:want_rural]
        leftover = urban[want_urban:] + rural[want_rural:]
        rng.shuffle(leftover)
        need = max(0, want_urban - len(urban_beats))
        urban_beats, leftover = urban_beats + leftover[:need], leftover[need:]
        rural_beats += leftover[: max(0, want_rural - len(rural_beats))]
        chosen = [(b, AreaKind.URBAN) for b in urban_beats] + [(b, AreaKind.RURAL) for b in rural_beats]
        staffed = [b for b, _kind in chosen if b.officer is not None]
        named = {b.code for b in rng.sample(staffed, min(targets["rooms_named"], len(staffed)))}
        persona_first = [b for b, _kind in chosen if b.station_id in persona_station_ids and b.officer is not None]
        for b in persona_first[:2]:
            if b.code not in named and named:
                named.discard(next(iter(named)))
                named.add(b.code)
    rows = []
    for b, kind in chosen:
        is_named = b.code in named and b.officer is not None
        rows.append(model(
            code=f"{b.code}R", kind=kind, station_id=b.station_id, beat=beat_of[b.code],
            name=f"{b.officer.name}警务室" if is_named else b.name.replace("警务区", "警务室"),
            address=b.name.replace("警务区", "") + f"{rng.randint(1, 200)}号",
            latitude=round(b.lat, 6), longitude=round(b.lon, 6), opening_hours=rng.choice(OPENING_HOURS),
            named_after=b.officer if is_named else None,
        ))
    bulk_create_audited(model, rows)


def _eight_nos(
    ctx: DemoContext, rng: random.Random, communities: list[Any], targets: dict[str, int], status_model: Any,
    breach_model: Any,
) -> None:
    """This year's standing: ``first_four`` communities hold the first four (at province scale
    4,957), about four in five of those all eight, most of those certified; the others broke one
    (a breach with a date this year)."""
    year = ctx.today.year
    jan1 = dt.date(year, 1, 1)
    span = (ctx.today - jan1).days
    n = len(communities)
    if ctx.scale == "tiny":
        holding_four = max(1, round(n * 0.6))
    else:
        holding_four = min(n, round(targets["first_four"]))
    order = list(range(n))
    rng.shuffle(order)
    if ctx.scale == "tiny":
        # At least one broken and one certified community at the personas' stations.
        order.sort(key=lambda i: i % 2)
    four = set(order[:holding_four])
    statuses, breaches = [], []
    for i, community in enumerate(communities):
        broken: list[str] = []
        if i not in four:
            broken.append(rng.choice(FIRST_FOUR))
            if rng.random() < 0.3:
                broken.append(rng.choice(ALL_EIGHT))
        elif rng.random() < 0.2:
            broken.append(rng.choice(ALL_EIGHT[4:]))
        standing = rules.eight_nos_standing(broken)
        certified = None
        if rules.holds_all_eight(standing) and rng.random() < 0.75:
            certified = jan1 + dt.timedelta(days=rng.randint(0, span))
        statuses.append(status_model(
            community=community, year=year, certified_on=certified,
            **{status_field(item): held for item, held in standing.items()},
        ))
        for item in dict.fromkeys(broken):
            breaches.append(breach_model(
                community=community, item=item, occurred_on=jan1 + dt.timedelta(days=rng.randint(0, span)),
                case_number=f"A{community.code[-8:]}{rng.randrange(10000):04d}", description=BREACH_TEXT[item],
            ))
    bulk_create_audited(status_model, statuses)
    bulk_create_audited(breach_model, breaches)


def _household_heads(
    ctx: DemoContext, rng: random.Random, communities: list[Any], community_beat: list[_Beat], targets: dict[str, int],
    police: dict[int, list[Any]], model: Any,
) -> list[Any]:
    if ctx.scale == "tiny":
        per = [2] * len(communities)
    else:
        weights = [3.0 if c.kind == AreaKind.RURAL else 1.0 for c in communities]
        per = _allocate(targets["heads"], weights)
    used: set[str] = set()
    rows = []
    for community, beat, count in zip(communities, community_beat, per, strict=True):
        appointer = beat.officer or (police.get(community.station_id) or [None])[0]
        for k in range(count):
            active = k > 0 or rng.random() < 0.92
            appointed = ctx.today - dt.timedelta(days=rng.randint(60, 6 * 365))
            rows.append(model(
                national_id=_national_id(rng, beat.county_code, used), name=_name(rng), phone=_phone(rng),
                community=community, station_id=community.station_id,
                source=rng.choices(HEAD_SOURCES, weights=(3, 5, 2))[0],
                appointed_by=appointer, appointed_on=appointed, is_active=active,
                ended_on=None if active else min(ctx.today, appointed + dt.timedelta(days=rng.randint(30, 700))),
            ))
    return bulk_create_audited(model, rows)


def _activities(ctx: DemoContext, rng: random.Random, heads: list[Any], model: Any) -> None:
    rows = []
    statuses = (ActivityStatus.CONFIRMED, ActivityStatus.REJECTED, ActivityStatus.REPORTED)
    now = timezone.now()
    for head in heads:
        n = 2 if ctx.scale == "tiny" else (1 if rng.random() < 0.5 else 0)
        for k in range(n):
            last = head.ended_on or ctx.today
            first = max(head.appointed_on, last - dt.timedelta(days=90))
            occurred = first + dt.timedelta(days=rng.randint(0, max(0, (last - first).days)))
            kind = rng.choice(ACTIVITY_KINDS)
            # Tiny: each head has one confirmed and one awaiting confirmation.
            status = (statuses[0] if k == 0 else statuses[2]) if ctx.scale == "tiny" else rng.choices(statuses, (6, 1, 3))[0]
            decided = status != ActivityStatus.REPORTED
            rows.append(model(
                head=head, station_id=head.station_id, kind=kind, occurred_on=occurred,
                description=ACTIVITY_TEXT[kind], status=status, decided_at=now if decided else None,
                decision_note="" if status != ActivityStatus.REJECTED else "情况不实。",
            ))
    bulk_create_audited(model, rows)


def _check_ins(ctx: DemoContext, rng: random.Random, planned: list[_Beat], beat_of: dict[str, Any], model: Any) -> None:
    """The last 30 days (not today) of every staffed beat's officer: most days a check-in inside the
    beat between 8 and 18 o'clock; now and then one outside, a vague fix, a stale device time or a
    second check-in an implausible distance away within the hour — judged by ``rules``."""
    tz = ZoneInfo(settings.TIME_ZONE)
    thresholds = rules.Thresholds()
    rows = []
    for b in planned:
        if b.officer is None:
            continue
        geometry = parse_boundary(b.boundary)
        diligence = 0.97 if ctx.scale == "tiny" else rng.uniform(0.45, 0.98)
        previous: rules.PreviousCheckIn | None = None
        for back in range(30, 0, -1):
            day = ctx.today - dt.timedelta(days=back)
            if rng.random() > diligence:
                continue
            at = dt.datetime.combine(day, dt.time(8, 0), tzinfo=tz) + dt.timedelta(minutes=rng.randint(0, 600))
            fixes: list[tuple[dt.datetime, float, float, float, dt.datetime | None]] = []
            roll = rng.random()
            if roll < 0.05:  # outside the beat
                angle = rng.uniform(0, 2 * math.pi)
                lon, lat = offset(lon=b.lon, lat=b.lat, east_m=math.cos(angle) * b.radius_m * 1.6,
                                  north_m=math.sin(angle) * b.radius_m * 1.6)
            else:
                angle, dist = rng.uniform(0, 2 * math.pi), rng.uniform(0, 0.6) * b.radius_m
                lon, lat = offset(lon=b.lon, lat=b.lat, east_m=math.cos(angle) * dist, north_m=math.sin(angle) * dist)
            accuracy = rng.uniform(150, 800) if 0.05 <= roll < 0.09 else rng.uniform(5, 60)
            device = at - dt.timedelta(hours=3) if 0.09 <= roll < 0.1 else at - dt.timedelta(seconds=rng.randint(1, 20))
            fixes.append((at, lon, lat, accuracy, device))
            if 0.1 <= roll < 0.105:  # a spoofed-looking jump 80 km away within the hour
                far_lon, far_lat = offset(lon=lon, lat=lat, east_m=80_000, north_m=0)
                fixes.append((at + dt.timedelta(minutes=40), far_lon, far_lat, 20.0, None))
            for when, fx_lon, fx_lat, fx_acc, fx_device in fixes:
                verdict = rules.judge_check_in(
                    fix=rules.Fix(lat=fx_lat, lon=fx_lon, accuracy_m=fx_acc, device_time=fx_device),
                    boundary=geometry, previous=previous, thresholds=thresholds, now=when,
                )
                rows.append(model(
                    officer=b.officer, beat=beat_of[b.code], station_id=b.station_id, at=when, day=day,
                    device_time=fx_device, lat=round(fx_lat, 7), lon=round(fx_lon, 7), accuracy=round(fx_acc, 1),
                    inside_beat=verdict.inside_beat, flags=list(verdict.flags),
                    distance_from_previous_m=verdict.distance_from_previous_m, speed_kmh=verdict.speed_kmh,
                    counts=verdict.counts, source=rng.choice(SOURCES),
                ))
                previous = rules.PreviousCheckIn(lat=fx_lat, lon=fx_lon, accuracy_m=fx_acc, at=when)
    bulk_create_audited(model, rows)
