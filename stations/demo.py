"""The stations part of the demo province: Gansu's real divisions, its stations and officers with
their posting history, station facilities, the public-service catalogue, escort officers, ideas and
one demo user per role.

Two steps, so the data can be checked without a database:

* :func:`plan` is a pure function of the context (scale, seed, today): it decides every row as
  plain data. The same seed gives the same plan; nothing in it depends on the clock or the database.
* :func:`build` writes the plan with ``bulk_create`` (a handful of statements per table, batched)
  and leaves in ``ctx.data`` what later apps' builders need.

The figures follow DESIGN.md: about 48 % of the police are posted in stations today, and the police in
stations are up about 18 % on the same day a year ago because officers were moved down from county and
city bureaus during the year (with a few recruits and retirements besides). At ``province`` scale there
are about 1,000 stations, 13,000 police officers plus auxiliaries, 570 electric-heating retrofits of
rural stations and 502 escort officers; the catalogue always has the province's 69 service items.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from stdnum.cn import uscc

from common.demo import DemoContext
from stations.choices import FacilityKind, Funder, IdeaStatus, OfficerKind, RegionLevel, Role, StationKind
from stations.selectors import year_before

DATA = Path(__file__).resolve().parent / "data"

PROVINCE_CODE = "620000"
SHARE_IN_STATIONS = 0.4845  # of the police, posted in stations today (DESIGN.md)
IN_STATIONS_GROWTH = 0.184  # police in stations on the same day a year ago → today
CHURN = 0.015  # recruits in the last year, and as many retirements, as a share of the police
PROVINCE_STATIONS = 1000
PROVINCE_RETROFITS = 570
PROVINCE_ESCORTS = 502
BATCH = 2000

# Tiny scale (tests): four counties in two cities; the first station of 城关区 is the officer's, the
# first of 秦州区 is officer_b's (another county and another city).
TINY_STATIONS: dict[str, tuple[str, ...]] = {
    "620102": (StationKind.URBAN, StationKind.URBAN),  # 兰州市城关区
    "620123": (StationKind.RURAL,),  # 兰州市榆中县
    "620502": (StationKind.RURAL, StationKind.URBAN),  # 天水市秦州区
    "620521": (StationKind.RURAL,),  # 天水市清水县
}
OFFICER_COUNTY = "620102"
OFFICER_B_COUNTY = "620502"

AREA_CODES = {
    "620100": "0931", "620200": "0937", "620300": "0935", "620400": "0943", "620500": "0938",
    "620600": "0935", "620700": "0936", "620800": "0933", "620900": "0937", "621000": "0934",
    "621100": "0932", "621200": "0939", "622900": "0930", "623000": "0941",
}

URBAN_PLACES = (
    "东岗", "西关", "南关", "北关", "东关", "广武门", "火车站", "五泉", "伏龙坪", "拱星墩", "铁路东村",
    "团结新村", "渭源路", "酒泉路", "张掖路", "白银路", "临夏路", "皋兰路", "草场街", "盐场", "雁滩",
    "焦家湾", "东街", "西街", "南街", "北街", "中山路", "人民路", "解放路", "建设路", "新华路",
    "文化路", "胜利路", "友谊路", "北京路", "滨河路", "河滨", "站前", "新区", "五里铺", "七里河",
    "西湖", "敦煌路", "秀川", "晏家坪", "龚家湾", "土门墩", "西站", "东湖", "新城", "长庆路", "公园路",
)
RURAL_PLACES = (
    "新集", "马坞", "石门", "柳沟", "红崖", "金沟", "大营", "土门", "黄羊", "三岔", "龙泉", "平峰",
    "古城", "高崖", "河口", "杨家", "王家", "李家", "张家", "刘家", "马家", "何家", "新店", "峡口",
    "石川", "沙河", "白杨", "青岗", "大湾", "中川", "西川", "东川", "南川", "北山", "红山", "上川",
    "下川", "水泉", "石佛", "梁家", "罗家", "连城", "甘草店", "蒲川", "武家", "阳洼", "草滩", "十里店",
    "官滩", "新庄", "碱滩", "岔口", "双城", "安远", "朱王堡", "清泉", "柳园", "马营", "花寨", "韩集",
    "尕海", "麻当", "铁木", "盐锅峡", "八里", "苗家", "城川", "景家店", "大寨", "小寨", "洪水", "六坝",
)
OTHER_PLACES = ("经济开发区", "高新区", "林区", "水上", "工业园区", "机场", "车站", "口岸", "矿区", "景区")

SURNAMES = (
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "胡", "朱", "郭", "何",
    "罗", "高", "林", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "董", "程", "曹", "袁", "邓", "许", "傅",
    "魏", "苏", "牛", "蒲", "石", "姚", "雷", "安", "包", "祁", "汪", "丁", "贾", "常",
)
GIVEN = (
    "伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "秀", "霞",
    "平", "刚", "桂", "文", "辉", "鹏", "华", "红", "建", "国", "海", "宁", "鑫", "斌", "飞", "亮", "俊",
    "峰", "燕", "玲", "晓", "志", "彬", "琳", "雪", "龙", "岩", "陇", "兴", "成", "荣", "瑞", "凯",
)
POLICE_RANKS = (
    ("一级警员", 14), ("三级警司", 12), ("二级警司", 16), ("一级警司", 20), ("三级警督", 16),
    ("二级警督", 12), ("一级警督", 7), ("三级警监", 2), ("二级警员", 1),
)
HEAD_RANKS = ("三级警督", "二级警督", "一级警督")
AUXILIARY_RANKS = (("三级辅警", 45), ("二级辅警", 35), ("一级辅警", 20))
MOBILE_PREFIXES = ("133", "138", "139", "153", "177", "180", "181", "189", "191", "199", "136", "151")

FACILITY_ODDS = {
    FacilityKind.CANTEEN: 0.9,
    FacilityKind.BATHROOM: 0.8,
    FacilityKind.LIBRARY: 0.75,
    FacilityKind.GYM: 0.6,
    FacilityKind.GARDEN: 0.5,
    FacilityKind.ROOM_AND_BED: 0.85,
}

# The province's catalogue of 69 public-service items: (category, name, online, self-service).
SERVICE_ITEMS: tuple[tuple[str, str, bool, bool], ...] = (
    ("户政", "出生登记", True, False),
    ("户政", "死亡注销户口", True, False),
    ("户政", "户口迁入（投靠）", True, False),
    ("户政", "户口迁出", True, False),
    ("户政", "户口登记项目变更更正", True, False),
    ("户政", "居民身份证首次申领", False, False),
    ("户政", "居民身份证换领", True, True),
    ("户政", "居民身份证补领", True, True),
    ("户政", "临时居民身份证申领", False, True),
    ("户政", "居住证申领", True, True),
    ("户政", "居住证签注", True, True),
    ("户政", "居住登记", True, True),
    ("户政", "户籍证明开具", True, True),
    ("户政", "分户", True, False),
    ("户政", "立户", True, False),
    ("户政", "姓名变更", False, False),
    ("户政", "出国（境）定居注销户口", True, False),
    ("户政", "大中专院校学生户口迁移", True, False),
    ("户政", "服兵役注销户口", True, False),
    ("户政", "退役军人恢复户口", True, False),
    ("户政", "收养登记落户", False, False),
    ("户政", "亲属关系证明开具", True, False),
    ("出入境", "普通护照申领", True, True),
    ("出入境", "往来港澳通行证及签注", True, True),
    ("出入境", "往来台湾通行证及签注", True, True),
    ("出入境", "出入境证件挂失", True, False),
    ("出入境", "外国人居留许可", False, False),
    ("出入境", "外国人住宿登记", True, True),
    ("出入境", "出入境记录查询", True, True),
    ("出入境", "护照加注", True, False),
    ("交管", "机动车注册登记", True, False),
    ("交管", "机动车转移登记", True, False),
    ("交管", "机动车注销登记", True, False),
    ("交管", "机动车检验合格标志核发", True, True),
    ("交管", "补换领机动车号牌", True, False),
    ("交管", "驾驶证换证", True, True),
    ("交管", "驾驶证补证", True, True),
    ("交管", "驾驶证审验", True, True),
    ("交管", "交通违法处理", True, True),
    ("交管", "交通事故快处快赔", True, False),
    ("交管", "临时号牌核发", True, True),
    ("交管", "驾驶人考试预约", True, True),
    ("交管", "电动自行车登记", True, False),
    ("治安", "无犯罪记录证明开具", True, True),
    ("治安", "保安员证核发", True, False),
    ("治安", "旅馆业特种行业许可", True, False),
    ("治安", "公章刻制业特种行业许可", True, False),
    ("治安", "印章刻制备案", True, True),
    ("治安", "大型群众性活动安全许可", True, False),
    ("治安", "烟花爆竹燃放许可", True, False),
    ("治安", "民用爆炸物品购买许可", False, False),
    ("治安", "民用爆炸物品运输许可", False, False),
    ("治安", "剧毒化学品购买许可", False, False),
    ("治安", "剧毒化学品道路运输通行证", True, False),
    ("治安", "典当业特种行业许可", True, False),
    ("治安", "犬只登记", True, False),
    ("治安", "报警回执查询", True, True),
    ("治安", "本人违法犯罪记录查询", True, True),
    ("网安", "互联网上网服务营业场所信息网络安全审核", True, False),
    ("网安", "网络安全等级保护备案", True, False),
    ("网安", "互联网站公安联网备案", True, True),
    ("禁毒", "易制毒化学品购买备案", True, False),
    ("禁毒", "易制毒化学品运输备案", True, False),
    ("禁毒", "社区戒毒社区康复人员报到", False, False),
    ("综合", "失物招领查询", True, True),
    ("综合", "网上报警求助", True, True),
    ("综合", "违法犯罪线索举报", True, True),
    ("综合", "治安调解申请", False, False),
    ("综合", "案件办理进度查询", True, True),
)
CATEGORY_CODES = {"户政": "HZ", "出入境": "CRJ", "交管": "JG", "治安": "ZA", "网安": "WA", "禁毒": "JD", "综合": "ZH"}

BRANDS = (
    "陇原", "祁连", "黄河", "丝路", "敦煌", "金川", "崆峒", "麦积", "河西", "陇东", "飞天", "雪山", "天马",
    "西部", "长城", "阳关", "玉门", "莫高", "焉支", "岷山", "洮河", "渭水", "泾川", "河州", "甘南",
)
TRADES = (
    "化工", "新能源", "建材", "农业科技", "物流", "矿业", "食品", "药业", "电力", "水泥", "果业", "牧业",
    "光伏", "风电", "商贸", "冶金", "酒业", "纺织", "旅游开发", "中药材",
)
COMPANY_FORMS = ("有限公司", "有限责任公司", "股份有限公司")

IDEA_TOPICS = (
    ("推行户籍业务“一窗通办”", "把户籍、居住证和证明开具合并到一个窗口，群众只取一次号、只跑一次。"),
    ("用警务通现场核验身份", "入户走访时用警务通直接核验人员信息，减少回所补录。"),
    ("建立村级治安户长微信群", "每个行政村建一个治安户长群，民警在群里发布预警、收集线索。"),
    ("农村派出所电采暖节能管理", "电采暖按作息分时段运行，夜间值班室单独控温，降低电费。"),
    ("矛盾纠纷“早发现”台账", "走访中发现的苗头性纠纷当天录入，所长每周过一遍。"),
    ("护企警官定期走访清单", "为每家联系企业列出走访事项，走访后在系统中勾选。"),
    ("“五小”设施共享排班", "小食堂、小图书室按班次开放，方便轮休民警使用。"),
    ("辅警岗位技能分级培训", "按接处警、巡逻、窗口服务三类岗位分级培训辅警。"),
    ("警务室错时服务", "社区警务室在下班后和周末错时开放，方便上班族办事。"),
    ("电动自行车防盗登记进社区", "在社区集中登记电动自行车并加装防盗芯片。"),
    ("防范电信诈骗“敲门行动”", "对老年人和学生家庭逐户上门宣传，留下民警联系方式。"),
    ("重点场所清查随机派单", "由系统随机生成清查时间和场所，避免规律性检查。"),
    ("驻村民警定位打卡提醒", "民警离开警务区时间过长时自动提醒，保证在岗。"),
    ("寄递物流实名制抽查", "每周随机抽查辖区寄递网点的实名登记情况。"),
    ("流动人口信息快速采集表", "把流动人口登记项目压缩成一页，走访时扫码填报。"),
)


# --- the plan: plain data ------------------------------------------------------------------------


@dataclass(frozen=True)
class RegionPlan:
    code: str
    name: str
    level: str
    parent_code: str | None


@dataclass(frozen=True)
class StationPlan:
    code: str
    name: str
    county_code: str
    kind: str
    address: str
    latitude: Decimal
    longitude: Decimal
    phone: str


@dataclass(frozen=True)
class PostingPlan:
    station_code: str | None  # None: posted at the region's bureau
    region_code: str
    start: dt.date
    end: dt.date | None = None


@dataclass
class OfficerPlan:
    badge_number: str
    name: str
    kind: str
    rank: str
    phone: str
    postings: list[PostingPlan]
    terminal_number: str = ""
    is_active: bool = True

    @property
    def current(self) -> PostingPlan:
        """The open posting, or the last one of an officer no longer in service."""
        return self.postings[-1]


@dataclass(frozen=True)
class FacilityPlan:
    station_code: str
    kind: str
    available_since: dt.date


@dataclass(frozen=True)
class RetrofitPlan:
    station_code: str
    completed_on: dt.date
    funded_by: str
    amount_yuan: Decimal


@dataclass(frozen=True)
class ServiceItemPlan:
    code: str
    name: str
    category: str
    online: bool
    self_service: bool


@dataclass(frozen=True)
class EscortPlan:
    officer_badge: str
    business_name: str
    business_code: str
    start: dt.date


@dataclass(frozen=True)
class IdeaPlan:
    officer_badge: str
    title: str
    body: str
    submitted_on: dt.date
    status: str
    review_note: str


@dataclass(frozen=True)
class UserPlan:
    username: str
    role: str
    display_name: str
    home_station_code: str | None = None
    home_region_code: str | None = None
    officer_badge: str | None = None
    is_staff: bool = False


@dataclass
class DemoPlan:
    regions: list[RegionPlan]
    stations: list[StationPlan]
    officers: list[OfficerPlan]
    facilities: list[FacilityPlan]
    retrofits: list[RetrofitPlan]
    service_items: list[ServiceItemPlan]
    escorts: list[EscortPlan]
    ideas: list[IdeaPlan]
    users: list[UserPlan]
    officer_station_code: str
    officer_b_station_code: str
    figures: dict[str, int] = field(default_factory=dict)


def load_divisions() -> list[RegionPlan]:
    """Gansu's 14 prefecture-level and 86 county-level divisions (GB/T 2260), province first."""
    rows = json.loads((DATA / "gansu_divisions.json").read_text(encoding="utf-8"))
    regions = []
    for row in rows:
        code = row["code"]
        if code == PROVINCE_CODE:
            regions.append(RegionPlan(code, row["name"], RegionLevel.PROVINCE, None))
        elif code.endswith("00"):
            regions.append(RegionPlan(code, row["name"], RegionLevel.CITY, PROVINCE_CODE))
        else:
            regions.append(RegionPlan(code, row["name"], RegionLevel.COUNTY, code[:4] + "00"))
    return regions


def load_centres() -> dict[str, tuple[float, float]]:
    """Seat coordinates (latitude, longitude) of every division."""
    centres = json.loads((DATA / "gansu_centres.json").read_text(encoding="utf-8"))["centres"]
    return {code: (lat, lon) for code, (lat, lon) in centres.items()}


def _weighted(rng: random.Random, pairs: Sequence[tuple[str, int]]) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def _allocate(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` into integers proportional to ``weights`` (largest remainder)."""
    if total <= 0 or not weights:
        return [0] * len(weights)
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    counts = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _person_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def _mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def _org_code(rng: random.Random) -> str:
    """A nine-character organisation code with its GB 11714 check character."""
    body = f"{rng.randrange(10**8):08d}"
    total = sum(int(c) * w for c, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def _uscc(rng: random.Random, region_code: str) -> str:
    """A well-formed unified social credit code of a company registered in ``region_code``."""
    number = "91" + region_code + _org_code(rng)
    return number + uscc.calc_check_digit(number)


def _station_kinds(rng: random.Random, unit: RegionPlan, count: int) -> list[str]:
    """The first station of a unit sits in its seat (urban); the rest depend on the unit's kind."""
    if unit.name.endswith("区") or unit.level == RegionLevel.CITY:
        odds = ((StationKind.URBAN, 60), (StationKind.RURAL, 35), (StationKind.OTHER, 5))
    elif unit.name.endswith("市"):
        odds = ((StationKind.URBAN, 45), (StationKind.RURAL, 50), (StationKind.OTHER, 5))
    else:
        odds = ((StationKind.URBAN, 4), (StationKind.RURAL, 92), (StationKind.OTHER, 4))
    return [StationKind.URBAN] + [_weighted(rng, odds) for _ in range(count - 1)]


def _station_counts(ctx: DemoContext, rng: random.Random, units: list[RegionPlan]) -> dict[str, int]:
    if ctx.scale == "tiny":
        return {code: len(kinds) for code, kinds in TINY_STATIONS.items()}
    if ctx.scale == "small":
        return {unit.code: rng.randint(2, 4) for unit in units}
    weights = []
    for unit in units:
        if unit.name.endswith("区"):
            base = 1.6 if unit.code.startswith("6201") else 1.3
        elif unit.level == RegionLevel.CITY:
            base = 1.0
        elif unit.name.endswith("市"):
            base = 0.9
        else:
            base = 1.0
        weights.append(base * rng.uniform(0.8, 1.2))
    counts = _allocate(PROVINCE_STATIONS, weights)
    return {unit.code: count for unit, count in zip(units, counts, strict=True)}


def _station_force(ctx: DemoContext, rng: random.Random, kind: str) -> tuple[int, int]:
    """(police, auxiliaries) of one station."""
    if ctx.scale == "tiny":
        return rng.randint(3, 4), rng.randint(2, 3)
    ranges = {
        "small": {StationKind.URBAN: ((8, 12), (8, 13)), StationKind.RURAL: ((6, 9), (7, 11)), StationKind.OTHER: ((5, 7), (6, 8))},
        "province": {StationKind.URBAN: ((7, 10), (8, 14)), StationKind.RURAL: ((4, 7), (5, 9)), StationKind.OTHER: ((3, 6), (3, 6))},
    }[ctx.scale][kind]
    return rng.randint(*ranges[0]), rng.randint(*ranges[1])


def plan(ctx: DemoContext) -> DemoPlan:
    """Decide the whole stations demo for ``ctx`` as plain data (no database)."""
    rng = ctx.rng("stations")
    today = ctx.today
    ago = year_before(today)
    regions = load_divisions()
    by_code = {r.code: r for r in regions}
    centres = load_centres()
    has_counties = {r.parent_code for r in regions if r.level == RegionLevel.COUNTY}
    # Units that hold stations: every county, and a city without counties (嘉峪关市) itself.
    station_units = [
        r for r in regions
        if r.level == RegionLevel.COUNTY or (r.level == RegionLevel.CITY and r.code not in has_counties)
    ]
    if ctx.scale == "tiny":
        station_units = [by_code[code] for code in TINY_STATIONS]

    def city_of(unit_code: str) -> str:
        unit = by_code[unit_code]
        return unit.code if unit.level == RegionLevel.CITY else unit.parent_code or PROVINCE_CODE

    # --- stations
    counts = _station_counts(ctx, rng, station_units)
    stations: list[StationPlan] = []
    for unit in station_units:
        count = counts[unit.code]
        if count == 0:
            continue
        kinds = list(TINY_STATIONS[unit.code]) if ctx.scale == "tiny" else _station_kinds(rng, unit, count)
        pools = {
            StationKind.URBAN: rng.sample(URBAN_PLACES, len(URBAN_PLACES)),
            StationKind.RURAL: rng.sample(RURAL_PLACES, len(RURAL_PLACES)),
            StationKind.OTHER: rng.sample(OTHER_PLACES, len(OTHER_PLACES)),
        }
        seat_name = None if unit.name.endswith("区") or unit.level == RegionLevel.CITY else "城关"
        used: set[str] = set()
        city = by_code[city_of(unit.code)]
        lat0, lon0 = centres[unit.code]
        for index, kind in enumerate(kinds, start=1):
            if index == 1 and seat_name is not None:
                place = seat_name
            else:
                pool = pools[kind] or pools[StationKind.RURAL]
                place = pool.pop()
                while place in used and pool:
                    place = pool.pop()
            used.add(place)
            spread = 0.04 if kind == StationKind.URBAN else 0.15
            county_part = "" if unit.level == RegionLevel.CITY else unit.name
            if kind == StationKind.RURAL:
                street = f"{place}镇{rng.choice(('新街', '中街', '东街', '西街', '南街', '北街'))}{rng.randint(1, 99)}号"
            else:
                street = f"{place}{'' if place[-1] in '路街区园场站岸' else '路'}{rng.randint(1, 399)}号"
            stations.append(StationPlan(
                code=f"{unit.code}52{index:04d}",
                name=f"{place}派出所",
                county_code=unit.code,
                kind=kind,
                address=f"甘肃省{city.name}{county_part}{street}",
                latitude=Decimal(f"{lat0 + rng.uniform(-spread, spread):.6f}"),
                longitude=Decimal(f"{lon0 + rng.uniform(-spread, spread):.6f}"),
                phone=f"{AREA_CODES[city.code]}-{rng.randint(2000000, 8999999)}",
            ))
    officer_station = next(s for s in stations if s.county_code == OFFICER_COUNTY)
    officer_b_station = next(s for s in stations if s.county_code == OFFICER_B_COUNTY)

    # --- officers: the force of each station, then the bureaus above the stations
    def hired() -> dt.date:
        return today - dt.timedelta(days=rng.randint(400, 30 * 365))

    officers: list[OfficerPlan] = []
    station_police: dict[str, list[OfficerPlan]] = defaultdict(list)
    for station in stations:
        police, auxiliaries = _station_force(ctx, rng, station.kind)
        for i in range(police):
            rank = rng.choice(HEAD_RANKS) if i == 0 else _weighted(rng, POLICE_RANKS)
            officer = OfficerPlan("", _person_name(rng), OfficerKind.POLICE, rank, _mobile(rng),
                                  [PostingPlan(station.code, station.county_code, hired())])
            officers.append(officer)
            station_police[station.code].append(officer)
        for _i in range(auxiliaries):
            officers.append(OfficerPlan("", _person_name(rng), OfficerKind.AUXILIARY, _weighted(rng, AUXILIARY_RANKS),
                                        _mobile(rng), [PostingPlan(station.code, station.county_code, hired())]))
    in_stations_now = sum(len(v) for v in station_police.values())
    station_auxiliaries = len(officers) - in_stations_now
    police_total = round(in_stations_now / SHARE_IN_STATIONS)
    bureau_police = police_total - in_stations_now

    # Bureaus: the province's department, the city bureaus and the county bureaus (70 %), by stations.
    unit_stations = defaultdict(int)
    for station in stations:
        unit_stations[station.county_code] += 1
    cities = sorted({city_of(u.code) for u in station_units})
    city_stations = defaultdict(int)
    for code, n in unit_stations.items():
        city_stations[city_of(code)] += n
    county_units = sorted(unit_stations)
    province_n = round(bureau_police * 0.06)
    city_n = round(bureau_police * 0.24)
    county_n = bureau_police - province_n - city_n
    bureau_slots: list[str] = [PROVINCE_CODE] * province_n
    for code, n in zip(cities, _allocate(city_n, [city_stations[c] for c in cities]), strict=True):
        bureau_slots += [code] * n
    for code, n in zip(county_units, _allocate(county_n, [unit_stations[c] for c in county_units]), strict=True):
        bureau_slots += [code] * n
    bureau_officers: list[OfficerPlan] = []
    for region_code in bureau_slots:
        officer = OfficerPlan("", _person_name(rng), OfficerKind.POLICE, _weighted(rng, POLICE_RANKS), _mobile(rng),
                              [PostingPlan(None, region_code, hired())])
        officers.append(officer)
        bureau_officers.append(officer)
    aux_at_bureaus = _allocate(round(station_auxiliaries * 0.2), [unit_stations[c] for c in county_units])
    for code, n in zip(county_units, aux_at_bureaus, strict=True):
        for _i in range(n):
            officers.append(OfficerPlan("", _person_name(rng), OfficerKind.AUXILIARY, _weighted(rng, AUXILIARY_RANKS),
                                        _mobile(rng), [PostingPlan(None, code, hired())]))

    # Personas: the head and a community officer of the officer's station; officer_b at theirs.
    head, officer_persona = station_police[officer_station.code][:2]
    officer_b_persona = station_police[officer_b_station.code][1]
    personas = {id(head), id(officer_persona), id(officer_b_persona)}

    def recently() -> dt.date:
        """A day in the last year, after the same day a year ago."""
        return ago + dt.timedelta(days=rng.randint(1, (today - ago).days - 1))

    # Recruits of the last year (no posting a year ago), some in stations, some in bureaus.
    churn = max(1, round(police_total * CHURN))
    keep = personas | {id(force[0]) for force in station_police.values()}  # personas and station heads
    movable = [o for o in officers if o.kind == OfficerKind.POLICE and id(o) not in keep]
    recruits = rng.sample(movable, churn)
    for officer in recruits:
        first = officer.postings[0]
        officer.postings[0] = PostingPlan(first.station_code, first.region_code, recently())
        officer.rank = "二级警员"
    recruits_in_stations = sum(1 for o in recruits if o.postings[0].station_code)
    # Retirements of the last year: extra officers, no longer in service.
    retirees_in_stations = 0
    for i in range(churn):
        if i % 2 == 0:
            station = rng.choice(stations)
            station_code, region_code = station.code, station.county_code
            retirees_in_stations += 1
        else:
            station_code, region_code = None, rng.choice(bureau_slots or [PROVINCE_CODE])
        officers.append(OfficerPlan(
            "", _person_name(rng), OfficerKind.POLICE, rng.choice(HEAD_RANKS), _mobile(rng),
            [PostingPlan(station_code, region_code, today - dt.timedelta(days=rng.randint(10000, 12000)), recently())],
            is_active=False,
        ))
    # Moved down from a county (or city) bureau to a station during the year, so that the police in
    # stations a year ago were fewer by IN_STATIONS_GROWTH.
    last_year_in_stations = round(in_stations_now / (1 + IN_STATIONS_GROWTH))
    moves = in_stations_now - recruits_in_stations + retirees_in_stations - last_year_in_stations
    recruit_ids = {id(o) for o in recruits}
    city_pull = {code: rng.uniform(0.5, 1.5) for code in cities}
    candidates = [
        o for station in stations for o in station_police[station.code] if id(o) not in recruit_ids
    ]
    weights = [city_pull[city_of(o.postings[0].region_code)] for o in candidates]
    moved: list[OfficerPlan] = []
    moved_ids: set[int] = set()
    while len(moved) < min(moves, len(candidates)):
        officer = rng.choices(candidates, weights=weights)[0]
        if id(officer) not in moved_ids:
            moved_ids.add(id(officer))
            moved.append(officer)
    for officer in moved:
        posting = officer.postings[0]
        on = recently()
        bureau = posting.region_code if rng.random() < 0.75 else city_of(posting.region_code)
        officer.postings = [
            PostingPlan(None, bureau, posting.start, on - dt.timedelta(days=1)),
            PostingPlan(posting.station_code, posting.region_code, on),
        ]

    # Badges, in a fixed order: police then auxiliaries.
    police_seq = aux_seq = 0
    for officer in officers:
        if officer.kind == OfficerKind.POLICE:
            police_seq += 1
            officer.badge_number = f"{100000 + police_seq}"
        else:
            aux_seq += 1
            officer.badge_number = f"FJ{aux_seq:06d}"

    # Mobile police terminals: most officers in stations, fewer in bureaus; always the personas.
    terminal_seq = 0
    for officer in officers:
        if not officer.is_active:
            continue
        in_station = officer.current.station_code is not None
        odds = (0.95 if in_station else 0.35) if officer.kind == OfficerKind.POLICE else (0.75 if in_station else 0.2)
        if id(officer) in personas or rng.random() < odds:
            terminal_seq += 1
            officer.terminal_number = f"GSJWT{terminal_seq:07d}"

    # --- facilities: the "five small" and "a room and a bed"
    facilities: list[FacilityPlan] = []
    for station in stations:
        persona_station = station.code in (officer_station.code, officer_b_station.code)
        for kind, odds in FACILITY_ODDS.items():
            if kind == FacilityKind.GARDEN:
                odds = 0.75 if station.kind == StationKind.RURAL else 0.2
            if persona_station or rng.random() < odds:
                facilities.append(FacilityPlan(station.code, kind, today - dt.timedelta(days=rng.randint(30, 4 * 365))))

    # --- electric-heating retrofits of rural stations (and, at tiny scale, the officer's station so
    # every station-scoped model has a row there for the jurisdiction tests)
    rural = [s for s in stations if s.kind == StationKind.RURAL]
    retrofit_count = min(len(rural), ctx.pick(len(rural), round(len(rural) * 0.8), PROVINCE_RETROFITS))
    chosen = sorted(rng.sample(rural, retrofit_count), key=lambda s: s.code)
    if ctx.scale == "tiny" and officer_station not in chosen:
        chosen.insert(0, officer_station)
    funders = ((Funder.PROVINCE, 50), (Funder.CITY, 20), (Funder.COUNTY, 25), (Funder.OTHER, 5))
    retrofits = [
        RetrofitPlan(s.code, today - dt.timedelta(days=rng.randint(20, 700)), _weighted(rng, funders),
                     Decimal(rng.randrange(30000, 150000, 500)))
        for s in chosen
    ]

    # --- the service catalogue
    seq: dict[str, int] = defaultdict(int)
    service_items = []
    for category, name, online, self_service in SERVICE_ITEMS:
        seq[category] += 1
        service_items.append(ServiceItemPlan(f"GA-{CATEGORY_CODES[category]}-{seq[category]:02d}", name, category,
                                             online, self_service))

    # --- escort officers: a police officer of a station per business
    escort_total = ctx.pick(2, 120, PROVINCE_ESCORTS)
    first_escorts = [station_police[officer_station.code][2], station_police[officer_b_station.code][2]]
    others = [o for s in stations for o in station_police[s.code] if o.is_active and o not in first_escorts]
    escort_officers = first_escorts + rng.sample(others, min(len(others), escort_total - len(first_escorts)))
    escorts = []
    for officer in escort_officers:
        unit = by_code[officer.current.region_code]
        prefix = rng.choice(("甘肃", city_name_short(by_code[city_of(unit.code)].name), unit.name[:2]))
        escorts.append(EscortPlan(
            officer.badge_number,
            f"{prefix}{rng.choice(BRANDS)}{rng.choice(TRADES)}{rng.choice(COMPANY_FORMS)}",
            _uscc(rng, unit.code),
            today - dt.timedelta(days=rng.randint(10, 730)),
        ))

    # --- ideas (金点子)
    idea_total = ctx.pick(4, 60, 400)
    statuses = (
        (IdeaStatus.SUBMITTED, 30), (IdeaStatus.UNDER_REVIEW, 25), (IdeaStatus.ADOPTED, 20),
        (IdeaStatus.IMPLEMENTED, 15), (IdeaStatus.REJECTED, 10),
    )
    notes = {
        IdeaStatus.ADOPTED: "已采纳，拟在全市推广。",
        IdeaStatus.IMPLEMENTED: "已在辖区试行，效果良好。",
        IdeaStatus.REJECTED: "与现行规定不符，暂不采纳。",
    }
    active = [o for o in officers if o.is_active]
    authors = [officer_persona, head, officer_b_persona] + [rng.choice(active) for _ in range(max(0, idea_total - 3))]
    ideas = []
    for author in authors[:idea_total]:
        title, body = rng.choice(IDEA_TOPICS)
        status = _weighted(rng, statuses)
        ideas.append(IdeaPlan(author.badge_number, title, body, today - dt.timedelta(days=rng.randint(1, 300)),
                              status, notes.get(status, "")))

    # --- demo users, one per role
    city_code = city_of(officer_station.county_code)
    users = [
        UserPlan("province_admin", Role.PROVINCE_STAFF, "省厅管理员", home_region_code=PROVINCE_CODE, is_staff=True),
        UserPlan("city_staff", Role.CITY_STAFF, f"{by_code[city_code].name}公安局", home_region_code=city_code),
        UserPlan("county_staff", Role.COUNTY_STAFF, f"{by_code[officer_station.county_code].name}公安分局",
                 home_region_code=officer_station.county_code),
        UserPlan("station_head", Role.STATION_HEAD, head.name, home_station_code=officer_station.code,
                 officer_badge=head.badge_number),
        UserPlan("officer", Role.OFFICER, officer_persona.name, home_station_code=officer_station.code,
                 officer_badge=officer_persona.badge_number),
        UserPlan("officer_b", Role.OFFICER, officer_b_persona.name, home_station_code=officer_b_station.code,
                 officer_badge=officer_b_persona.badge_number),
        UserPlan("auditor", Role.AUDITOR, "审计员", home_region_code=PROVINCE_CODE),
        UserPlan("api_client", Role.API_CLIENT, "接口客户端", home_region_code=city_code),
    ]
    return DemoPlan(
        regions=regions,
        stations=stations,
        officers=officers,
        facilities=facilities,
        retrofits=retrofits,
        service_items=service_items,
        escorts=escorts,
        ideas=ideas,
        users=users,
        officer_station_code=officer_station.code,
        officer_b_station_code=officer_b_station.code,
        figures={"moves": len(moved), "recruits": len(recruits), "retirees": churn},
    )


def city_name_short(name: str) -> str:
    """兰州市 → 兰州; 临夏回族自治州 → 临夏."""
    for suffix in ("回族自治州", "藏族自治州", "市"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def posted_on(officer: OfficerPlan, day: dt.date) -> PostingPlan | None:
    """The posting of ``officer`` open on ``day``, if any."""
    for posting in officer.postings:
        if posting.start <= day and (posting.end is None or posting.end >= day):
            return posting
    return None


# --- writing the plan ----------------------------------------------------------------------------


def _batched(items: Sequence[object], size: int = BATCH) -> Iterable[Sequence[object]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def build(ctx: DemoContext) -> None:
    """Write the stations demo for ``ctx`` and fill ``ctx.data`` ("regions", "stations", "officers",
    "users", "officer_station", "officer_b_station")."""
    from stations.models import (
        EscortAssignment,
        Facility,
        HeatingRetrofit,
        Idea,
        Officer,
        Posting,
        Region,
        ServiceItem,
        Station,
        User,
    )

    p = plan(ctx)

    regions: dict[str, Region] = {}
    for level in (RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY):
        batch = []
        for r in p.regions:
            if r.level != level:
                continue
            parent = regions[r.parent_code] if r.parent_code else None
            batch.append(Region(code=r.code, name=r.name, level=r.level, parent=parent,
                                path=(parent.path if parent else "") + f"{r.code}/"))
        for region in Region.objects.bulk_create(batch):
            regions[region.code] = region

    stations = Station.objects.bulk_create(
        [
            Station(code=s.code, name=s.name, county=regions[s.county_code], kind=s.kind, address=s.address,
                    latitude=s.latitude, longitude=s.longitude, phone=s.phone)
            for s in p.stations
        ],
        batch_size=BATCH,
    )
    station_by_code = {s.code: s for s in stations}

    officers = Officer.objects.bulk_create(
        [
            Officer(
                badge_number=o.badge_number, name=o.name, kind=o.kind, rank=o.rank, phone=o.phone,
                station=station_by_code[o.current.station_code] if o.current.station_code else None,
                region=regions[o.current.region_code], terminal_number=o.terminal_number, is_active=o.is_active,
            )
            for o in p.officers
        ],
        batch_size=BATCH,
    )
    officer_by_badge = {o.badge_number: o for o in officers}
    Posting.objects.bulk_create(
        [
            Posting(officer=officer, station=station_by_code[posting.station_code] if posting.station_code else None,
                    region=regions[posting.region_code], start=posting.start, end=posting.end)
            for plan_officer, officer in zip(p.officers, officers, strict=True)
            for posting in plan_officer.postings
        ],
        batch_size=BATCH * 2,
    )
    Facility.objects.bulk_create(
        [Facility(station=station_by_code[f.station_code], kind=f.kind, available_since=f.available_since)
         for f in p.facilities],
        batch_size=BATCH,
    )
    HeatingRetrofit.objects.bulk_create(
        [HeatingRetrofit(station=station_by_code[r.station_code], completed_on=r.completed_on, funded_by=r.funded_by,
                         amount_yuan=r.amount_yuan) for r in p.retrofits],
        batch_size=BATCH,
    )
    ServiceItem.objects.bulk_create(
        [ServiceItem(code=i.code, name=i.name, category=i.category, online=i.online, self_service=i.self_service)
         for i in p.service_items]
    )
    EscortAssignment.objects.bulk_create(
        [EscortAssignment(officer=officer_by_badge[e.officer_badge], business_name=e.business_name,
                          business_code=e.business_code, start=e.start) for e in p.escorts],
        batch_size=BATCH,
    )
    Idea.objects.bulk_create(
        [
            Idea(title=i.title, body=i.body, officer=officer_by_badge[i.officer_badge],
                 station=officer_by_badge[i.officer_badge].station, region=officer_by_badge[i.officer_badge].region,
                 submitted_on=i.submitted_on, status=i.status, review_note=i.review_note)
            for i in p.ideas
        ],
        batch_size=BATCH,
    )

    # Demo users. The password is hashed once and shared: hashing is deliberately slow.
    users: dict[str, User] = {}
    for u in p.users:
        user = User.objects.create_user(
            u.username,
            password=None,
            first_name=u.display_name,
            role=u.role,
            home_station=station_by_code[u.home_station_code] if u.home_station_code else None,
            home_region=regions[u.home_region_code] if u.home_region_code else None,
            officer=officer_by_badge[u.officer_badge] if u.officer_badge else None,
            is_staff=u.is_staff,
        )
        users[u.username] = user
    password = make_password(ctx.password)
    User.objects.filter(pk__in=[u.pk for u in users.values()]).update(password=password)
    for user in users.values():
        user.password = password
    admins, _created = Group.objects.get_or_create(name="Province administrators")
    admins.permissions.set(Permission.objects.filter(content_type__app_label="stations"))
    users["province_admin"].groups.add(admins)

    ctx.data.update(
        regions=regions,
        stations=stations,
        officers=officers,
        users=users,
        officer_station=station_by_code[p.officer_station_code],
        officer_b_station=station_by_code[p.officer_b_station_code],
    )
