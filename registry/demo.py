"""The registry part of the demo province: standard addresses under every station (township →
village/community → road → number → building → room, the villages being the beats app's communities
where it has them, with their beats), a house at every dwelling address, persons with valid national
IDs (check character, Gansu region codes valid in the birth year, gender and birth date agreeing),
floating population with inflow, outflow and residence history, units with the key trades, and a
realistic few percent of flawed records (missing fields, bad phones, unlinked addresses, stale or no
verification, a gender that contradicts the ID, a mistyped check character, likely duplicates) so the
quality rates and the failing lists mean something.

The rows are audited as one load (``load_demo``'s audit context), not row by row: the demo is loaded
the way an import is, and per-row insert events would double the cost of millions of rows.

Sizes: ``tiny`` about 60 persons per station (a few hundred in all, a second), ``small`` 30,000
persons, ``province`` 1,000,000 persons, 40 stations at a time. Every table is written with ``COPY``
(``_Writer`` can fall back to ``bulk_create``); ids are reserved from the sequences up front, so the
rows of every table go in whole batches without reading ids back.

``ctx.data`` gets ``persons_by_station``, ``houses_by_station``, ``units_by_station``,
``key_venues_by_station``, ``addresses_by_station`` (dwelling addresses) — station id → list of ids
(at ``province`` scale at most 500 per station) — and ``registry_counts``; then the operations
demo (``registry/demo_ops.py``: inspections and quality rates) runs on top.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import io
import json
import math
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

import pgtrigger
from django.db import connection, models, transaction
from django.utils import timezone
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

from common.demo import DemoContext
from registry.choices import AddressLevel, Gender, HouseUse, PersonCategory, ResidenceRelation, UnitKind
from registry.matching import to_pinyin
from registry.validation import national_id_is_valid

BATCH = 5000
PERSONS_TOTAL = {"small": 30_000, "province": 1_000_000}
TINY_PER_STATION = 60
KEEP_IDS = {"tiny": None, "small": None, "province": 500}  # ids kept per station in ctx.data
STATIONS_PER_CHUNK = {"tiny": 10_000, "small": 10_000, "province": 40}

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "建国军华明伟强平刚民东海玉兰秀英桂芳红霞德福贵成永生志文斌龙俊杰静丽娟敏燕慧婷雪梅涛鹏飞宇浩然欣怡子轩"
ETHNICITIES = (("汉", 880), ("回", 60), ("藏", 20), ("东乡", 20), ("土", 6), ("裕固", 4), ("保安", 3), ("撒拉", 3), ("蒙古", 4))
MOBILE_PREFIXES = ("130", "131", "133", "135", "136", "138", "139", "150", "151", "153", "177", "180", "181", "186", "189", "199")
ROADS = "东岗西路 张掖路 庆阳路 酒泉路 金昌路 天水路 民主路 静宁路 白银路 平凉路 滨河路 雁滩路 五泉路 和平路 建设路 解放路 人民路 中山路 南昌路 广场路".split()
TOWNSHIPS_URBAN = "张掖路 酒泉路 白银路 皋兰路 广武门 伏龙坪 东岗西路 团结新村 渭源路 铁路东村".split()
TOWNSHIPS_RURAL = "城关 和平 金崖 夏官营 连搭 新营 青城 甘草店 清水驿 中连川".split()
VILLAGES = "新华 团结 红星 五星 向阳 东风 联合 光明 前进 胜利 和平 幸福 建设 新民 永丰 丰收".split()
FLOATING_ORIGINS = (
    ("510106", "四川省成都市金牛区"), ("610113", "陕西省西安市雁塔区"), ("410105", "河南省郑州市金水区"),
    ("640104", "宁夏回族自治区银川市兴庆区"), ("630102", "青海省西宁市城东区"), ("500103", "重庆市渝中区"),
    ("622901", "甘肃省临夏市"), ("621102", "甘肃省定西市安定区"), ("650102", "新疆维吾尔自治区乌鲁木齐市天山区"),
)
DESTINATIONS = ("广东省深圳市", "浙江省杭州市", "新疆维吾尔自治区乌鲁木齐市", "陕西省西安市", "江苏省苏州市", "北京市")
UNIT_NAMES = {
    UnitKind.HOTEL: ("宾馆", "快捷酒店", "大酒店", "旅社"),
    UnitKind.INTERNET_CAFE: ("网咖", "网吧", "电竞馆"),
    UnitKind.LOGISTICS: ("快递服务部", "物流有限公司", "速运营业点"),
    UnitKind.ENTERTAINMENT: ("KTV", "歌舞厅", "娱乐会所"),
    UnitKind.OTHER: ("商贸有限公司", "便利店", "餐饮店", "五金建材部", "药店", "汽修厂"),
}
UNIT_WORDS = "金城 黄河 陇原 丝路 华夏 鑫源 同德 兴隆 瑞丰 安泰 宏达 万家 吉祥 和顺".split()


# --- ids, names and numbers ------------------------------------------------------------------------


def _weighted(rng: random.Random, pairs: Iterable[tuple[str, int]]) -> str:
    items = list(pairs)
    return rng.choices([k for k, _w in items], weights=[w for _k, w in items])[0]


@lru_cache(maxsize=65536)
def _place_valid(code: str, year: int) -> bool:
    try:
        ric.get_birth_place(f"{code}{year}01010000")
    except (StdnumError, KeyError):  # KeyError: stdnum on a code without a county entry
        return False
    return True


def _region_code(code: str, year: int) -> str:
    """A region code a person born in ``year`` near ``code`` may hold (valid in ``cn.ric``'s table)."""
    for candidate in (code, code[:4] + "20", code[:4] + "21", code[:4] + "22", "620121", "620122", "620123"):
        if _place_valid(candidate, year):
            return candidate
    return "620121"


def _national_id(rng: random.Random, *, code: str, born: dt.date, gender: str, used: set[str]) -> str:
    """A valid GB 11643 number: region code, birth date, sequence whose parity is the gender, check."""
    region = _region_code(code, born.year)
    while True:
        seq = rng.randrange(500) * 2 + (1 if gender == Gender.MALE else 0)
        body = f"{region}{born:%Y%m%d}{seq:03d}"
        number = body + ric.calc_check_digit(body + "0")
        if number not in used:
            used.add(number)
            return number


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")


def _mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def _uscc(rng: random.Random, region_code: str, used: set[str]) -> str:
    while True:
        body = f"{rng.randrange(10**8):08d}"
        total = sum(int(c) * w for c, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
        check = 11 - total % 11
        number = "91" + region_code + body + {10: "X", 11: "0"}.get(check, str(check))
        number += uscc.calc_check_digit(number)
        if number not in used:
            used.add(number)
            return number


@lru_cache(maxsize=65536)
def _py(text: str) -> str:
    return to_pinyin(text)


# --- writing ---------------------------------------------------------------------------------------


def _reserve_ids(model: type[models.Model], n: int) -> list[int]:
    """A block of ``n`` ids from the table's sequence (single writer: the demo)."""
    if n <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        seq = cursor.fetchone()[0]
        cursor.execute("SELECT setval(%s, nextval(%s) + %s - 1)", [seq, seq, n])
        last = cursor.fetchone()[0]
    return list(range(last - n + 1, last + 1))


@dataclass
class _Rows:
    model: type[models.Model]
    rows: list[dict[str, Any]] = field(default_factory=list)


class _Writer:
    """Rows by table, written with ``bulk_create`` or ``COPY``, each table in one go per chunk."""

    def __init__(self, *, copy: bool) -> None:
        self.copy = copy
        self.tables: dict[str, _Rows] = {}

    def add(self, model: type[models.Model], row: dict[str, Any]) -> None:
        self.tables.setdefault(model._meta.label, _Rows(model)).rows.append(row)

    def flush(self, order: Iterable[type[models.Model]]) -> dict[str, int]:
        written: dict[str, int] = {}
        for model in order:
            entry = self.tables.pop(model._meta.label, None)
            if entry is None or not entry.rows:
                continue
            if self.copy:
                self._copy(model, entry.rows)
            else:
                model._default_manager.bulk_create([model(**row) for row in entry.rows], batch_size=BATCH)
            written[model._meta.label] = len(entry.rows)
        return written

    @staticmethod
    def _copy(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
        now = timezone.now()
        fields = list(model._meta.concrete_fields)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        buffer = io.StringIO()
        for row in rows:
            values = []
            for f in fields:
                if f.name in ("created_at", "updated_at") and row.get(f.name) is None:
                    value: Any = now
                elif f.attname in row:
                    value = row[f.attname]
                else:
                    value = row.get(f.name, f.get_default())
                if isinstance(f, models.JSONField):
                    value = json.dumps(value if value is not None else {}, ensure_ascii=False)
                values.append(_copy_text(value))
            buffer.write("\t".join(values) + "\n")
        buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(f"COPY {model._meta.db_table} ({columns}) FROM STDIN", buffer)


def _copy_text(value: Any) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


# --- the plan of one station -----------------------------------------------------------------------


@dataclass
class _StationPlan:
    station: Any
    persons: int
    urban: bool
    communities: list[Any]
    beats: list[Any]
    heads: list[Any]


def _shape(plan: _StationPlan, rng: random.Random) -> tuple[int, int, int, int, int]:
    """Townships, villages per township, roads per village, numbers per road, dwellings per number."""
    dwellings_needed = max(4, math.ceil(plan.persons / 2.4))
    townships = 1 if plan.persons < 300 else rng.randint(1, 3)
    villages = max(1, min(4, math.ceil(len(plan.communities) / townships))) if plan.communities else 2
    roads = 2
    per_number = 12 if plan.urban else 1  # 2 buildings × 6 rooms, or the number itself
    numbers = max(1, math.ceil(dwellings_needed / (townships * villages * roads * per_number)))
    return townships, villages, roads, numbers, per_number


class _Builder:
    def __init__(self, ctx: DemoContext) -> None:
        self.ctx = ctx
        self.rng = ctx.rng("registry")
        self.today = ctx.today
        self.now = timezone.now()
        self.used_ids: set[str] = set()
        self.used_uscc: set[str] = set()
        self.township_seq: dict[int, int] = defaultdict(int)  # county id → last township number
        self.writer = _Writer(copy=True)
        regions = ctx.data["regions"]
        self.region_by_id = {r.pk: r for r in regions.values()}
        self.users = ctx.data.get("users", {})
        self.keep = KEEP_IDS[ctx.scale]
        self.out: dict[str, dict[int, list[int]]] = {
            k: defaultdict(list) for k in ("persons", "houses", "units", "key_venues", "addresses")
        }
        self.counts: dict[str, int] = defaultdict(int)

    # -- helpers
    def prefix(self, county_id: int) -> str:
        names = []
        node = self.region_by_id.get(county_id)
        while node is not None:
            names.append(node.name)
            node = self.region_by_id.get(node.parent_id)
        return "".join(reversed(names))

    def verifier(self, station: Any) -> Any:
        for name in ("officer", "station_head", "officer_b"):
            user = self.users.get(name)
            if user is not None and user.home_station_id == station.pk:
                return user
        return None

    def remember(self, kind: str, station_id: int, pk: int) -> None:
        bucket = self.out[kind][station_id]
        if self.keep is None or len(bucket) < self.keep:
            bucket.append(pk)

    # -- one station
    def station(self, plan: _StationPlan, *, persona: bool) -> None:
        from registry.models import Address, House, Person, Residence, Unit

        rng, st = self.rng, plan.station
        county = self.region_by_id[st.county_id]
        townships, villages, roads, numbers, per_number = _shape(plan, rng)
        n_addr = townships * (1 + villages * (1 + roads * (1 + numbers * (1 + (2 * 7 if plan.urban else 0)))))
        address_ids = iter(_reserve_ids(Address, n_addr))
        base_text = self.prefix(county.pk)
        base_py = _py(base_text)
        lat0 = float(st.latitude or Decimal("36.06"))
        lon0 = float(st.longitude or Decimal("103.83"))
        verifier = self.verifier(st)

        def address(parent: dict[str, Any] | None, level: str, name: str, code: str, beat_id: int | None,
                    coords: bool = False) -> dict[str, Any]:
            row = {
                "id": next(address_ids), "code": code, "level": level, "parent_id": parent["id"] if parent else None,
                "county_id": county.pk, "station_id": st.pk, "beat_id": beat_id, "name": name,
                "full_text": (parent["full_text"] if parent else base_text) + name,
                "pinyin": f"{parent['pinyin'] if parent else base_py} {_py(name)}".strip(),
                "latitude": Decimal(f"{lat0 + rng.uniform(-0.02, 0.02):.6f}") if coords else None,
                "longitude": Decimal(f"{lon0 + rng.uniform(-0.02, 0.02):.6f}") if coords else None,
                "verified_at": self.now - dt.timedelta(days=rng.randint(1, 200)), "verified_by_id": None,
                "deleted": False, "import_job_id": None,
            }
            self.writer.add(Address, row)
            return row

        dwellings: list[dict[str, Any]] = []
        numbers_rows: list[dict[str, Any]] = []
        communities = list(plan.communities)
        names_t = TOWNSHIPS_URBAN if plan.urban else TOWNSHIPS_RURAL
        for t in range(townships):
            self.township_seq[county.pk] += 1
            seq = self.township_seq[county.pk]
            suffix = "街道" if plan.urban else ("镇" if t == 0 else "乡")
            tname = f"{names_t[(seq - 1) % len(names_t)]}{suffix}" if seq <= len(names_t) else f"第{seq}{suffix}"
            township = address(None, AddressLevel.TOWNSHIP, tname, f"{county.code}{seq:03d}", None)
            for v in range(villages):
                community = communities.pop(0) if communities else None
                beat_id = community.beat_id if community else (plan.beats[v % len(plan.beats)].pk if plan.beats else None)
                vname = community.name if community else f"{VILLAGES[(t * villages + v) % len(VILLAGES)]}{'社区' if plan.urban else '村'}"
                village = address(township, AddressLevel.VILLAGE, vname, f"{township['code']}{v + 1:03d}", beat_id)
                for r in range(roads):
                    rname = ROADS[(t * 7 + v * 3 + r) % len(ROADS)] if plan.urban else f"{r + 1}组"
                    road = address(village, AddressLevel.ROAD, rname, f"{village['code']}{r + 1:03d}", beat_id)
                    for n in range(numbers):
                        number = address(road, AddressLevel.NUMBER, f"{n * 2 + 1}号", f"{road['code']}{n + 1:04d}", beat_id, coords=True)
                        numbers_rows.append(number)
                        if not plan.urban:
                            dwellings.append(number)
                            continue
                        for b in range(2):
                            building = address(number, AddressLevel.BUILDING, f"{b + 1}号楼", f"{number['code']}{b + 1:03d}", beat_id)
                            for k in range(6):
                                room = f"{(k // 2) + 1}0{(k % 2) + 1}室"
                                dwellings.append(address(building, AddressLevel.ROOM, room, f"{building['code']}{k + 1:04d}", beat_id))
        for row in dwellings[: (self.keep or len(dwellings))]:
            self.remember("addresses", st.pk, row["id"])

        # Houses: one per dwelling.
        house_ids = iter(_reserve_ids(House, len(dwellings)))
        houses: list[dict[str, Any]] = []
        for d in dwellings:
            use = _weighted(rng, ((HouseUse.RESIDENCE, 70), (HouseUse.RENTAL, 20), (HouseUse.VACANT, 5), (HouseUse.SHOP, 3), (HouseUse.OFFICE, 2)))
            house = {
                "id": next(house_ids), "address_id": d["id"], "station_id": st.pk, "use": use,
                "owner_national_id": "", "owner_name": "", "owner_phone": "", "is_rented": use == HouseUse.RENTAL,
                "area_m2": Decimal(f"{rng.uniform(35, 160):.1f}"),
                "verified_at": self.now - dt.timedelta(days=rng.randint(1, 400)), "verified_by_id": verifier.pk if verifier else None,
                "deleted": False, "import_job_id": None,
            }
            houses.append(house)
            self.remember("houses", st.pk, house["id"])

        # Persons: residents of the houses (vacant ones stay empty), household heads among them.
        person_ids = iter(_reserve_ids(Person, plan.persons + len(plan.heads) + 4))
        residence_rows: list[dict[str, Any]] = []
        occupied = [h for h in houses if h["use"] != HouseUse.VACANT] or houses
        made: list[dict[str, Any]] = []
        heads = list(plan.heads)
        for i in range(plan.persons + len(heads)):
            head = heads.pop() if heads else None
            house = occupied[i % len(occupied)] if i < len(occupied) * 3 else rng.choice(occupied)
            made.append(self.person(plan, county, house, next(person_ids), head=head, index=i, persona=persona,
                                    verifier=verifier, residences=residence_rows))
        if persona:  # likely duplicates for the queue: same name and birth date, another (valid) ID
            for original in made[5:7]:
                born = original["birth_date"]
                twin = dict(original, id=next(person_ids), phone=_mobile(rng))
                twin["national_id"] = _national_id(rng, code=county.code, born=born, gender=original["gender"], used=self.used_ids)
                self.writer.add(Person, twin)
                made.append(twin)
        permanent_by_house: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for p in made:
            if p["category"] == PersonCategory.PERMANENT and p.get("_house") is not None:
                permanent_by_house[p["_house"]].append(p)
        for house in houses:
            owners = permanent_by_house.get(house["id"])
            if owners and rng.random() > 0.03:
                owner = owners[0]
                house["owner_national_id"], house["owner_name"] = owner["national_id"], owner["name"]
                house["owner_phone"] = owner["phone"] if rng.random() > 0.02 else ""
            elif house["use"] != HouseUse.VACANT:
                sex = rng.choice((Gender.MALE, Gender.FEMALE))
                born = dt.date(rng.randint(1950, 1985), 1, 1) + dt.timedelta(days=rng.randint(0, 364))
                house["owner_national_id"] = _national_id(rng, code=county.code, born=born, gender=sex, used=self.used_ids)
                house["owner_name"], house["owner_phone"] = _name(rng), _mobile(rng)
            self.writer.add(House, house)
        for p in made:
            p.pop("_house", None)
            self.remember("persons", st.pk, p["id"])
        residence_ids = iter(_reserve_ids(Residence, len(residence_rows)))
        for r in residence_rows:
            r["id"] = next(residence_ids)
            self.writer.add(Residence, r)

        # Units at street numbers: some of every key trade, more of the rest.
        n_units = max(5 if persona else 2, plan.persons // 25)
        unit_ids = iter(_reserve_ids(Unit, n_units + 1))
        kinds = [UnitKind.HOTEL, UnitKind.INTERNET_CAFE, UnitKind.LOGISTICS, UnitKind.ENTERTAINMENT] if persona else []
        for u in range(n_units):
            kind = kinds[u] if u < len(kinds) else _weighted(rng, ((UnitKind.OTHER, 70), (UnitKind.HOTEL, 8), (UnitKind.INTERNET_CAFE, 6), (UnitKind.LOGISTICS, 10), (UnitKind.ENTERTAINMENT, 6)))
            unit = self.unit(st, county, kind, next(unit_ids), rng.choice(numbers_rows), verifier)
            self.writer.add(Unit, unit)
        if persona:  # a unit registered twice under two codes
            twin = dict(unit, id=next(unit_ids), uscc=_uscc(rng, county.code, self.used_uscc))
            self.writer.add(Unit, twin)
            self.remember("units", st.pk, twin["id"])

    def person(self, plan: _StationPlan, county: Any, house: dict[str, Any], pk: int, *, head: Any, index: int,
               persona: bool, verifier: Any, residences: list[dict[str, Any]]) -> dict[str, Any]:
        from registry.models import Person

        rng, st, today = self.rng, plan.station, self.today
        category = _weighted(rng, ((PersonCategory.PERMANENT, 83), (PersonCategory.FLOATING, 16), (PersonCategory.OVERSEAS, 1)))
        if head is not None:
            category = PersonCategory.PERMANENT
        gender = rng.choice((Gender.MALE, Gender.FEMALE))
        born = dt.date(rng.randint(1940, 2018), 1, 1) + dt.timedelta(days=rng.randint(0, 364))
        origin_code, origin_text = (county.code, "")
        if category == PersonCategory.FLOATING:
            origin_code, origin_text = rng.choice(FLOATING_ORIGINS)
            born = dt.date(rng.randint(1965, 2004), 1, 1) + dt.timedelta(days=rng.randint(0, 364))
        if head is not None and head.national_id not in self.used_ids:
            national_id, name, phone = head.national_id, head.name, head.phone
            self.used_ids.add(national_id)
            born = ric.get_birth_date(national_id)
            gender = Gender.MALE if int(national_id[16]) % 2 else Gender.FEMALE
        else:
            national_id = _national_id(rng, code=origin_code, born=born, gender=gender, used=self.used_ids)
            name, phone = _name(rng), _mobile(rng)
        hukou = origin_text or self.prefix(county.pk)
        verified_days = rng.randint(0, 80) if category == PersonCategory.FLOATING else rng.randint(0, 330)
        row: dict[str, Any] = {
            "id": pk, "national_id": national_id, "name": name, "gender": gender, "birth_date": born,
            "ethnicity": _weighted(rng, ETHNICITIES), "phone": phone, "hukou_place": hukou,
            "address_id": house["address_id"], "category": category,
            "inflow_date": None, "inflow_origin": "", "outflow_date": None, "outflow_destination": "",
            "station_id": st.pk, "verified_at": self.now - dt.timedelta(days=verified_days, hours=rng.randint(0, 23)),
            "verified_by_id": verifier.pk if verifier else None, "deleted": False, "import_job_id": None,
            "_house": house["id"],
        }
        start = max(born, today - dt.timedelta(days=rng.randint(200, 20 * 365)))
        end = None
        if category == PersonCategory.FLOATING:
            inflow = today - dt.timedelta(days=rng.randint(10, 3 * 365))
            row["inflow_date"], row["inflow_origin"], start = inflow, origin_text, inflow
            if rng.random() < 0.2:  # has left again
                out = min(today, inflow + dt.timedelta(days=rng.randint(30, 600)))
                row["outflow_date"], row["outflow_destination"], end = out, rng.choice(DESTINATIONS), out
            elif rng.random() < 0.3 and len(self.out["houses"][st.pk]) > 1:  # moved within the station
                earlier = rng.choice(self.out["houses"][st.pk])
                if earlier != house["id"]:
                    moved = inflow + dt.timedelta(days=rng.randint(1, max(1, (today - inflow).days - 1)))
                    residences.append({"person_id": pk, "house_id": earlier, "relation": ResidenceRelation.TENANT,
                                       "start": inflow, "end": moved - dt.timedelta(days=1)})
                    start = moved
        relation = ResidenceRelation.TENANT if category == PersonCategory.FLOATING else (
            ResidenceRelation.OWNER if index % 3 == 0 else ResidenceRelation.FAMILY)
        residences.append({"person_id": pk, "house_id": house["id"], "relation": relation, "start": start, "end": end})

        # A realistic few percent of flawed records (and one of each at the persona's station).
        flaw = index - len(plan.heads) if persona and 0 <= index - len(plan.heads) < 6 else None
        r = rng.random()
        if flaw == 0 or (flaw is None and r < 0.02):
            row["phone"] = ""  # incomplete
        elif flaw == 1 or (flaw is None and r < 0.035):
            row["phone"] = row["phone"][:-1]  # ten digits: not a phone number
        elif flaw == 2 or (flaw is None and r < 0.05):
            row["address_id"] = None  # not linked to a standard address
        elif flaw == 3 or (flaw is None and r < 0.08):
            row["verified_at"] = self.now - dt.timedelta(days=rng.randint(500, 1200))  # stale
        elif flaw == 4 or (flaw is None and r < 0.085):
            row["gender"] = Gender.FEMALE if row["gender"] == Gender.MALE else Gender.MALE  # contradicts the ID
        elif (flaw == 5 or (flaw is None and r < 0.088)) and head is None:  # a head keeps the ID beats knows
            wrong = "0" if national_id[-1] != "0" else "1"  # a mistyped check character
            if national_id[:-1] + wrong not in self.used_ids:
                row["national_id"] = national_id[:-1] + wrong
                self.used_ids.add(row["national_id"])
        elif flaw is None and r < 0.095:
            row["verified_at"], row["verified_by_id"] = None, None  # never verified
        self.writer.add(Person, row)
        return row

    def unit(self, station: Any, county: Any, kind: str, pk: int, number: dict[str, Any], verifier: Any) -> dict[str, Any]:
        rng = self.rng
        name = f"{rng.choice(UNIT_WORDS)}{rng.choice(UNIT_NAMES[kind])}"
        details: dict[str, Any] = {}
        if kind == UnitKind.HOTEL:
            details = {"rooms": rng.randint(8, 120), "beds": rng.randint(12, 200), "special_trade_licence": f"甘公特{rng.randrange(10**6):06d}"}
        elif kind == UnitKind.INTERNET_CAFE:
            details = {"seats": rng.randint(30, 300), "culture_licence": f"甘文网{rng.randrange(10**6):06d}", "minors_policy_posted": rng.random() > 0.1}
        elif kind == UnitKind.LOGISTICS:
            details = {"express_licence": f"甘邮{rng.randrange(10**6):06d}", "vehicles": rng.randint(1, 30), "xray_machine": rng.random() > 0.4}
        elif kind == UnitKind.ENTERTAINMENT:
            details = {"rooms": rng.randint(5, 40), "max_capacity": rng.randint(50, 600), "culture_licence": f"甘文娱{rng.randrange(10**6):06d}"}
        sex = rng.choice((Gender.MALE, Gender.FEMALE))
        born = dt.date(rng.randint(1960, 1995), 1, 1) + dt.timedelta(days=rng.randint(0, 364))
        row = {
            "id": pk, "name": name, "uscc": _uscc(rng, county.code, self.used_uscc), "kind": kind,
            "address_id": number["id"] if rng.random() > 0.03 else None,
            "legal_rep_name": _name(rng),
            "legal_rep_national_id": _national_id(rng, code=county.code, born=born, gender=sex, used=self.used_ids),
            "security_contact": _name(rng), "security_phone": _mobile(rng) if rng.random() > 0.04 else "",
            "staff_count": rng.randint(2, 80), "trade_details": details, "station_id": station.pk,
            "verified_at": self.now - dt.timedelta(days=rng.randint(0, 200)), "verified_by_id": verifier.pk if verifier else None,
            "deleted": False, "import_job_id": None,
        }
        self.remember("units", station.pk, pk)
        if kind != UnitKind.OTHER:
            self.remember("key_venues", station.pk, pk)
        return row


def _per_station(ctx: DemoContext, stations: list[Any], rng: random.Random) -> list[int]:
    if ctx.scale == "tiny":
        return [TINY_PER_STATION] * len(stations)
    total = PERSONS_TOTAL[ctx.scale]
    weights = [(1.6 if s.kind == "urban" else 1.0) * rng.uniform(0.7, 1.3) for s in stations]
    whole = sum(weights)
    return [max(20, round(total * w / whole)) for w in weights]


def build(ctx: DemoContext) -> None:
    """Write the registry demo for ``ctx``; needs the stations demo's ``ctx.data`` (and uses the
    beats demo's beats, communities and household heads where they exist)."""
    from beats.models import Beat, Community
    from registry.models import Address, House, Person, Residence, Unit

    try:
        from beats.models import HouseholdHead
    except ImportError:  # the beats app without household heads yet
        HouseholdHead = None  # noqa: N806

    stations = sorted(ctx.data["stations"], key=lambda s: s.pk)
    persona_ids = {ctx.data["officer_station"].pk, ctx.data["officer_b_station"].pk}
    builder = _Builder(ctx)
    sizes = _per_station(ctx, stations, builder.rng)
    beats_by_station: dict[int, list[Any]] = defaultdict(list)
    for beat in Beat.objects.order_by("code"):
        beats_by_station[beat.station_id].append(beat)
    communities_by_station: dict[int, list[Any]] = defaultdict(list)
    for community in Community.objects.order_by("code"):
        communities_by_station[community.station_id].append(community)
    heads_by_station: dict[int, list[Any]] = defaultdict(list)
    if HouseholdHead is not None:
        for head in HouseholdHead.objects.order_by("id").only("national_id", "name", "phone", "station_id"):
            if national_id_is_valid(head.national_id):
                heads_by_station[head.station_id].append(head)
    builder.used_ids.update(h.national_id for hs in heads_by_station.values() for h in hs)

    chunk = STATIONS_PER_CHUNK[ctx.scale]
    order = (Address, House, Person, Unit, Residence)
    # The demo is loaded like an import: audited as one load (the load_demo audit context), not row
    # by row — the per-row insert events would double the cost of writing millions of rows.
    quiet = [f"{m._meta.label}:insert_insert" for m in order]
    for start in range(0, len(stations), chunk):
        with transaction.atomic(), pgtrigger.ignore(*quiet):
            with connection.cursor() as cursor:  # sets pgtrigger.ignore for the transaction (COPY too)
                cursor.execute("SELECT 1")
            for station, size in zip(stations[start:start + chunk], sizes[start:start + chunk], strict=True):
                heads = heads_by_station.get(station.pk, [])
                for head in heads:
                    builder.used_ids.discard(head.national_id)
                plan = _StationPlan(
                    station=station, persons=size, urban=station.kind == "urban",
                    communities=communities_by_station.get(station.pk, []), beats=beats_by_station.get(station.pk, []),
                    heads=heads,
                )
                builder.station(plan, persona=station.pk in persona_ids)
            for label, n in builder.writer.flush(order).items():
                builder.counts[label] += n

    ctx.data.update(
        persons_by_station=dict(builder.out["persons"]),
        houses_by_station=dict(builder.out["houses"]),
        units_by_station=dict(builder.out["units"]),
        key_venues_by_station=dict(builder.out["key_venues"]),
        addresses_by_station=dict(builder.out["addresses"]),
        registry_counts=dict(builder.counts),
    )
    # The registry's operations (inspection plans and inspections of the key venues, quality rates).
    if importlib.util.find_spec("registry.demo_ops") is not None:
        importlib.import_module("registry.demo_ops").build(ctx)
