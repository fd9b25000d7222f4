"""Data-quality rates of the registry: completeness, accuracy and freshness, per record kind and per
unit (station → county → city → province), per day.

Definitions (DESIGN.md):

* *completeness* — share of records with every field their kind requires (:data:`RULES`, dimension
  ``completeness``; the floating population also needs its inflow date and origin);
* *accuracy* — share passing validation: national ID checksum, real birth date and region code,
  gender and birth date consistent with the ID, phone format, address linked to a live standard
  address, no open duplicate (the unit code's checksum for units);
* *freshness* — share verified within the window of their kind (:data:`FRESHNESS_DAYS`; floating
  population shorter than permanent residents; ``settings.REGISTRY_FRESHNESS_DAYS`` overrides).

How it is computed — set-based, so the number of queries never grows with the stations:
one statement per kind evaluates every rule on every record in one scan, writes each failure into
``QualityIssue`` and the per-station counts into ``QualityRate`` (a data-modifying CTE); one more
statement sums station rows into every ancestor region. Pages read only ``QualityRate``.

The ID checksum needs no Python per row: the GB 11643 and GB 32100 checksums, the birth-date and
gender digits are SQL functions (migration 0003), and the region-code check joins
:class:`~registry.models.RicPlace`, a table loaded from python-stdnum's own ``cn/loc`` data. So the
database judges an ID as ``stdnum.cn.ric.is_valid`` does (a test compares them on thousands of IDs),
always on the current row — no precomputed column to go stale when a record is edited.
The phone rule matches stored (normalised) numbers against the very patterns of ``phonenumbers``'
CN metadata that ``registry.validation.validate_phone`` uses (mobile, or ``0`` + fixed line).
Completeness uses ``registry.validation.REQUIRED_FIELDS`` (the forms' and importer's list) plus the
floating population's inflow date and origin.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from registry.choices import RecordKind
from registry.validation import REQUIRED_FIELDS

THRESHOLD = 0.98
DIMENSIONS = ("completeness", "accuracy", "freshness")

# Days a verification stays fresh, per kind (persons per category).
FRESHNESS_DAYS: dict[str, int] = {
    "persons.permanent": 365,
    "persons.floating": 90,
    "persons.overseas": 90,
    "houses": 365,
    "units": 180,
    "addresses": 730,
}


# --- pure computations -------------------------------------------------------------------------------


def rate(part: int, total: int) -> float:
    """A share in 0–1; a unit with no records of a kind has nothing wrong (1.0)."""
    if part < 0 or total < 0 or part > total:
        raise ValueError(f"bad counts {part}/{total}")
    return part / total if total else 1.0


def is_red(value: float, threshold: float = THRESHOLD) -> bool:
    """Below 98 % is flagged."""
    return value < threshold


def freshness_windows() -> dict[str, int]:
    return {**FRESHNESS_DAYS, **getattr(settings, "REGISTRY_FRESHNESS_DAYS", {})}


def freshness_cutoff(*, now: dt.datetime, days: int) -> dt.datetime:
    """Verifications at or after this instant are fresh."""
    return now - dt.timedelta(days=days)


def is_fresh(verified_at: dt.datetime | None, *, now: dt.datetime, days: int) -> bool:
    return verified_at is not None and verified_at >= freshness_cutoff(now=now, days=days)


@dataclass(frozen=True)
class Counts:
    total: int
    complete: int
    accurate: int
    fresh: int

    @property
    def completeness(self) -> float:
        return rate(self.complete, self.total)

    @property
    def accuracy(self) -> float:
        return rate(self.accurate, self.total)

    @property
    def freshness(self) -> float:
        return rate(self.fresh, self.total)

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.total + other.total,
            self.complete + other.complete,
            self.accurate + other.accurate,
            self.fresh + other.fresh,
        )


# --- rules ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    dimension: str
    code: str
    failing_sql: str  # a boolean SQL expression over the record ``r`` (and joins), true when failing
    message: Any
    field: str = ""  # the form field an officer fixes


def _phone_patterns() -> tuple[str, str]:
    import phonenumbers

    cn = phonenumbers.PhoneMetadata.metadata_for_region("CN")
    return (
        f"^(?:{cn.mobile.national_number_pattern})$",
        f"^0(?:{cn.fixed_line.national_number_pattern})$",
    )


def _bad_phone(col: str) -> str:
    return f"{col} <> '' AND {col} !~ %(mobile_re)s AND {col} !~ %(fixed_re)s"


def _required(field: str, label: Any, *, text: bool = True) -> Rule:
    condition = f"r.{field} = ''" if text else f"r.{field} IS NULL"
    name = field.removesuffix("_id")
    return Rule(
        "completeness", f"missing_{name}", condition, format_lazy(_("{field} is missing"), field=label), name
    )


def _required_rules(kind: str, model_name: str) -> tuple[Rule, ...]:
    from django.apps import apps

    model = apps.get_model("registry", model_name)
    rules = []
    for name in REQUIRED_FIELDS[kind]:
        field = model._meta.get_field(name)
        text = not (field.is_relation or field.null)
        rules.append(_required(field.column, field.verbose_name, text=text))
    return tuple(rules)


# Each record's national ID is decoded once (in ``id_columns_sql``: shape, bytes, check character,
# birth date, gender digit) and every rule reads those columns — calling the SQL functions once per
# rule made the ID rules most of the run's time.
_RIC_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_columns_sql(col: str) -> str:
    """Extra columns over a row whose national ID is ``col`` (the row's alias is ``x``)."""
    checksum = " + ".join(f"(get_byte(x._b, {i}) - 48) * {w}" for i, w in enumerate(_RIC_WEIGHTS))
    return (
        f"x._b IS NOT NULL AND substr('10X98765432', (({checksum}) %% 11) + 1, 1) = substr({col}, 18, 1) AS _fmt, "
        f"CASE WHEN x._b IS NOT NULL THEN registry_ric_birth_date({col}) END AS _born, "
        f"CASE WHEN x._b IS NOT NULL THEN CASE WHEN (get_byte(x._b, 16) - 48) %% 2 = 1 THEN 'M' ELSE 'F' END END AS _g"
    )


def id_bytes_sql(col: str) -> str:
    return f"CASE WHEN {col} ~ '^[0-9]{{17}}[0-9X]$' THEN convert_to({col}, 'UTF8') END AS _b"


def id_ok_sql(col: str) -> str:
    """True when the decoded national ID (``r._fmt``, ``r._born``) is valid as ``stdnum.cn.ric`` says: check
    character, a real birth date from 1900 to the day, a region code in use in the birth year."""
    place = (
        f"po.code IS NOT NULL OR EXISTS (SELECT 1 FROM registry_ricplace rp WHERE rp.code = substr({col}, 1, 6) "
        "AND (rp.first_year IS NULL OR rp.first_year <= extract(year FROM r._born)) "
        "AND (rp.last_year IS NULL OR rp.last_year >= extract(year FROM r._born)))"
    )
    return f"(r._fmt AND r._born BETWEEN '1900-01-01' AND %(day)s AND ({place}))"


def national_id_check_sql() -> str:
    """``SELECT n, valid FROM unnest(%(ids)s)`` with the rules' own expressions (for tests)."""
    return (
        "WITH places_open AS (SELECT DISTINCT code FROM registry_ricplace WHERE first_year IS NULL "
        "AND last_year IS NULL) "
        f"SELECT r.n, coalesce({id_ok_sql('r.n')}, false) FROM (SELECT x.*, {id_columns_sql('x.n')} FROM "
        f"(SELECT t.n, {id_bytes_sql('t.n')} FROM unnest(%(ids)s::text[]) AS t(n) OFFSET 0) x OFFSET 0) r "
        "LEFT JOIN places_open po ON po.code = substr(r.n, 1, 6)"
    )


def _duplicate_rule() -> Rule:
    return Rule("accuracy", "duplicate", "dup.id IS NOT NULL", _("Possible duplicate awaiting a decision"), "")


def _linked_and_unique_rules() -> tuple[Rule, ...]:
    """Rules every kind of place record shares: linked to a live standard address, not a suspected duplicate."""
    return (
        Rule(
            "accuracy",
            "address_not_linked",
            "a.id IS NULL OR a.deleted",
            _("Not linked to a live standard address"),
            "address",
        ),
        _duplicate_rule(),
    )


def person_rules() -> tuple[Rule, ...]:
    return (
        *_required_rules("persons", "Person"),
        Rule(
            "completeness",
            "missing_inflow_date",
            "r.category = 'floating' AND r.inflow_date IS NULL",
            _("Inflow date is missing (floating population)"),
            "inflow_date",
        ),
        Rule(
            "completeness",
            "missing_inflow_origin",
            "r.category = 'floating' AND r.inflow_origin = ''",
            _("Where they came from is missing (floating population)"),
            "inflow_origin",
        ),
        Rule(
            "accuracy",
            "bad_national_id",
            f"NOT {id_ok_sql('r.national_id')}",
            _("National ID fails its checksum, birth date or region code"),
            "national_id",
        ),
        Rule(
            "accuracy",
            "gender_mismatch",
            "r.gender <> '' AND r._fmt AND r._g <> r.gender",
            _("Gender does not match the national ID"),
            "gender",
        ),
        Rule(
            "accuracy",
            "birth_date_mismatch",
            "r.birth_date IS NOT NULL AND r._fmt AND r._born IS DISTINCT FROM r.birth_date",
            _("Birth date does not match the national ID"),
            "birth_date",
        ),
        Rule("accuracy", "bad_phone", _bad_phone("r.phone"), _("Phone number is malformed"), "phone"),
        *_linked_and_unique_rules(),
    )


def house_rules() -> tuple[Rule, ...]:
    return (
        *_required_rules("houses", "House"),
        Rule(
            "accuracy",
            "bad_owner_national_id",
            f"r.owner_national_id <> '' AND NOT {id_ok_sql('r.owner_national_id')}",
            _("Owner's national ID fails its checksum, birth date or region code"),
            "owner_national_id",
        ),
        Rule(
            "accuracy",
            "bad_owner_phone",
            _bad_phone("r.owner_phone"),
            _("Owner's phone number is malformed"),
            "owner_phone",
        ),
        *_linked_and_unique_rules(),
    )


def unit_rules() -> tuple[Rule, ...]:
    return (
        *_required_rules("units", "Unit"),
        Rule(
            "accuracy",
            "bad_uscc",
            "NOT registry_uscc_ok(r.uscc)",
            _("Unified social credit code fails its checksum"),
            "uscc",
        ),
        Rule(
            "accuracy",
            "bad_legal_rep_national_id",
            f"r.legal_rep_national_id <> '' AND NOT {id_ok_sql('r.legal_rep_national_id')}",
            _("Legal representative's national ID fails its checksum, birth date or region code"),
            "legal_rep_national_id",
        ),
        Rule(
            "accuracy",
            "bad_security_phone",
            _bad_phone("r.security_phone"),
            _("Security contact's phone number is malformed"),
            "security_phone",
        ),
        *_linked_and_unique_rules(),
    )


def address_rules() -> tuple[Rule, ...]:
    return (
        *_required_rules("addresses", "Address"),
        Rule(
            "accuracy",
            "beat_of_other_station",
            "b.id IS NOT NULL AND b.station_id <> r.station_id",
            _("Its beat area belongs to another station"),
            "beat",
        ),
        Rule(
            "accuracy",
            "parent_missing",
            "r.level <> 'township' AND (a.id IS NULL OR a.deleted)",
            _("Not linked to a live parent address"),
            "parent",
        ),
        _duplicate_rule(),
    )


FRESH_RULE = Rule(
    "freshness",
    "stale",
    "r.verified_at IS NULL OR r.verified_at < {cutoff}",
    _("Not verified within its window"),
    "verified_at",
)


@dataclass(frozen=True)
class KindSpec:
    kind: str
    table: str
    rules: Any  # () -> tuple[Rule, ...] (models must be loaded to read the required fields)
    joins: str
    id_column: str = ""  # for the po (region code) join


KINDS: dict[str, KindSpec] = {
    RecordKind.PERSONS: KindSpec(
        "persons",
        "registry_person",
        person_rules,
        "LEFT JOIN registry_address a ON a.id = r.address_id",
        "r.national_id",
    ),
    RecordKind.HOUSES: KindSpec(
        "houses",
        "registry_house",
        house_rules,
        "LEFT JOIN registry_address a ON a.id = r.address_id",
        "r.owner_national_id",
    ),
    RecordKind.UNITS: KindSpec(
        "units",
        "registry_unit",
        unit_rules,
        "LEFT JOIN registry_address a ON a.id = r.address_id",
        "r.legal_rep_national_id",
    ),
    RecordKind.ADDRESSES: KindSpec(
        "addresses",
        "registry_address",
        address_rules,
        "LEFT JOIN registry_address a ON a.id = r.parent_id LEFT JOIN beats_beat b ON b.id = r.beat_id",
    ),
}


@cache
def kind_rules(kind: str) -> tuple[Rule, ...]:
    """Every rule of a kind, freshness last."""
    return (*KINDS[kind].rules(), FRESH_RULE)


def rule_info(kind: str, code: str) -> Rule | None:
    """The rule behind an issue (its message and the field to fix), or ``None`` for an unknown code."""
    for rule in kind_rules(kind):
        if rule.code == code:
            return rule
    return None


def _freshness_cutoff_sql(kind: str) -> str:
    if kind == "persons":
        return (
            "CASE r.category WHEN 'floating' THEN %(cut_floating)s WHEN 'overseas' THEN %(cut_overseas)s "
            "ELSE %(cut_permanent)s END"
        )
    return "%(cut_kind)s"


def kind_sql(spec: KindSpec, *, partial: bool) -> str:
    """The one statement that evaluates every rule of a kind and writes issues and station rates."""
    fresh = FRESH_RULE.failing_sql.format(cutoff=_freshness_cutoff_sql(spec.kind))
    rules = (
        *kind_rules(spec.kind)[:-1],
        Rule(FRESH_RULE.dimension, FRESH_RULE.code, fresh, FRESH_RULE.message),
    )
    flags = ",\n        ".join(
        f"coalesce(({rule.failing_sql}), false) AS f{i}" for i, rule in enumerate(rules)
    )
    station_filter = "AND t.station_id = ANY(%(stations)s)" if partial else ""
    if spec.id_column:
        # OFFSET 0 keeps each level a separate plan node, so an ID is decoded once, not once per rule.
        column = spec.id_column.removeprefix("r.")
        source = (
            f"(SELECT x.*, {id_columns_sql('x.' + column)} FROM (SELECT t.*, {id_bytes_sql('t.' + column)} "
            f"FROM {spec.table} t WHERE NOT t.deleted {station_filter} OFFSET 0) x OFFSET 0)"
        )
    else:
        source = f"(SELECT t.* FROM {spec.table} t WHERE NOT t.deleted {station_filter})"
    po_join = (
        f"LEFT JOIN places_open po ON po.code = substr({spec.id_column}, 1, 6)" if spec.id_column else ""
    )
    values = ", ".join(f"('{rule.dimension}', '{rule.code}', f{i})" for i, rule in enumerate(rules))

    def failing(dimension: str) -> str:
        parts = [f"f{i}" for i, rule in enumerate(rules) if rule.dimension == dimension]
        return " OR ".join(parts) if parts else "false"

    return f"""
WITH places_open AS (
    SELECT DISTINCT code FROM registry_ricplace WHERE first_year IS NULL AND last_year IS NULL
),
dup AS (
    SELECT record_a AS id FROM registry_duplicatecandidate WHERE kind = %(kind)s AND status = 'open'
    UNION SELECT record_b FROM registry_duplicatecandidate WHERE kind = %(kind)s AND status = 'open'
),
flags AS MATERIALIZED (
    SELECT r.id, r.station_id,
        {flags}
    FROM {source} r
    {spec.joins}
    {po_join}
    LEFT JOIN dup ON dup.id = r.id
),
issues AS (
    INSERT INTO registry_qualityissue (kind, record_id, station_id, dimension, rule, detail, found_at)
    SELECT %(kind)s, flags.id, flags.station_id, v.dimension, v.rule, '', %(now)s
    FROM flags CROSS JOIN LATERAL (VALUES {values}) AS v(dimension, rule, failed)
    WHERE v.failed
),
counts AS (
    SELECT station_id, count(*) AS total,
        count(*) FILTER (WHERE NOT ({failing("completeness")})) AS complete,
        count(*) FILTER (WHERE NOT ({failing("accuracy")})) AS accurate,
        count(*) FILTER (WHERE NOT ({failing("freshness")})) AS fresh
    FROM flags GROUP BY station_id
)
INSERT INTO registry_qualityrate (day, kind, station_id, region_id, total, complete, accurate, fresh, computed_at)
SELECT %(day)s, %(kind)s, s.id, NULL, coalesce(c.total, 0), coalesce(c.complete, 0), coalesce(c.accurate, 0),
    coalesce(c.fresh, 0), %(now)s
FROM stations_station s LEFT JOIN counts c ON c.station_id = s.id
WHERE (s.is_active OR c.station_id IS NOT NULL) {"AND s.id = ANY(%(stations)s)" if partial else ""}
ON CONFLICT (day, kind, station_id) WHERE station_id IS NOT NULL DO UPDATE SET
    total = EXCLUDED.total, complete = EXCLUDED.complete, accurate = EXCLUDED.accurate,
    fresh = EXCLUDED.fresh, computed_at = EXCLUDED.computed_at
"""


ROLLUP_SQL = """
INSERT INTO registry_qualityrate (day, kind, station_id, region_id, total, complete, accurate, fresh, computed_at)
SELECT q.day, q.kind, NULL, reg.id, sum(q.total), sum(q.complete), sum(q.accurate), sum(q.fresh), %(now)s
FROM registry_qualityrate q
JOIN stations_station s ON s.id = q.station_id
JOIN stations_region county ON county.id = s.county_id
JOIN stations_region reg ON county.path LIKE reg.path || '%%'
WHERE q.day = %(day)s AND q.station_id IS NOT NULL
GROUP BY q.day, q.kind, reg.id
ON CONFLICT (day, kind, region_id) WHERE region_id IS NOT NULL DO UPDATE SET
    total = EXCLUDED.total, complete = EXCLUDED.complete, accurate = EXCLUDED.accurate,
    fresh = EXCLUDED.fresh, computed_at = EXCLUDED.computed_at
"""


def ric_places_sync(*, using: str = "default") -> int:
    """(Re)load :class:`RicPlace` from python-stdnum's ``cn/loc`` table; returns the rows loaded.

    Mirrors ``stdnum.cn.ric.get_birth_place``: a code is valid for a birth year if any of its county
    entries has no ``[from-until]`` bracket or a bracket containing the year."""
    from stdnum import numdb

    db = numdb.get("cn/loc")
    rows: list[tuple[str, int | None, int | None]] = []
    for _len1, low1, high1, _props1, children in db.prefixes:
        if low1 != high1:
            continue
        for _len2, low2, high2, props2, _children2 in children:
            county = props2.get("county")
            if county is None:
                continue
            codes = (
                [low2]
                if low2 == high2
                else [str(n).zfill(len(low2)) for n in range(int(low2), int(high2) + 1)]
            )
            for entry in county.split(","):
                first: int | None = None
                last: int | None = None
                if entry.startswith("["):
                    span = entry[1:].split("]")[0]
                    start, end = span.split("-")
                    first = int(start) if start else None
                    last = int(end) if end else None
                for code in codes:
                    rows.append((low1 + code, first, last))
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute("DELETE FROM registry_ricplace")
        cursor.executemany(
            "INSERT INTO registry_ricplace (code, first_year, last_year) VALUES (%s, %s, %s)", rows
        )
    return len(rows)


def _params(*, kind: str, day: dt.date, now: dt.datetime, stations: list[int] | None) -> dict[str, Any]:
    windows = freshness_windows()
    mobile_re, fixed_re = _phone_patterns()
    params: dict[str, Any] = {
        "kind": kind,
        "day": day,
        "now": now,
        "stations": stations or [],
        "mobile_re": mobile_re,
        "fixed_re": fixed_re,
    }
    if kind == "persons":
        for category in ("permanent", "floating", "overseas"):
            params[f"cut_{category}"] = freshness_cutoff(now=now, days=windows[f"persons.{category}"])
    else:
        params["cut_kind"] = freshness_cutoff(now=now, days=windows[kind])
    return params


def quality_recompute(
    *,
    day: dt.date | None = None,
    now: dt.datetime | None = None,
    station_ids: list[int] | None = None,
    kinds: list[str] | None = None,
) -> None:
    """Recompute issues and rates of ``day`` for every station (or only ``station_ids``) and every
    kind, then the rolled-up region rates. Each kind is one transaction: readers see either the old
    or the new issues of a kind, never a mix. A number of queries that does not depend on stations.

    When ``station_ids`` is given but some other station has no rate for ``day`` yet, everything is
    recomputed, so that region totals never sum a partial day."""
    now = now or timezone.now()
    day = day or timezone.localdate(now)
    kinds = kinds or [k.value for k in RecordKind]
    partial = station_ids is not None
    with connection.cursor() as cursor:
        if partial:
            cursor.execute(
                "SELECT EXISTS (SELECT 1 FROM stations_station s WHERE s.is_active AND NOT s.id = ANY(%s) "
                "AND NOT EXISTS (SELECT 1 FROM registry_qualityrate q WHERE q.station_id = s.id AND q.day = %s))",
                [station_ids, day],
            )
            if cursor.fetchone()[0]:
                partial = False
        for kind in kinds:
            spec = KINDS[kind]
            params = _params(kind=kind, day=day, now=now, stations=station_ids if partial else None)
            with transaction.atomic():
                if partial:
                    cursor.execute(
                        "DELETE FROM registry_qualityissue WHERE kind = %(kind)s AND station_id = ANY(%(stations)s)",
                        params,
                    )
                else:
                    cursor.execute("DELETE FROM registry_qualityissue WHERE kind = %(kind)s", params)
                cursor.execute(kind_sql(spec, partial=partial), params)
        cursor.execute(ROLLUP_SQL, {"day": day, "now": now})
