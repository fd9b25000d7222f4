"""What an import file of each kind holds, and how one row becomes a staging row.

A file's header names its columns, by the model's field name (``national_id``) or the usual Chinese
heading (``公民身份号码``); unknown columns are ignored, a missing required column fails the job at
once. Every row is normalised (IDs upper-cased, phones to national digits), checked with
``registry.validation`` (the same rules as the forms and the API), and turned into one line of
PostgreSQL ``COPY`` text for the staging table. The address code gives the row its station.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from registry import validation
from registry.validation import Problem


class ColumnsMissing(ValueError):
    def __init__(self, columns: Sequence[str]) -> None:
        super().__init__(", ".join(columns))
        self.columns = list(columns)


@dataclass(frozen=True)
class Column:
    name: str  # header name (also the staging column)
    sql_type: str = "text"  # staging column type
    target: str | None = None  # the model's db column it writes; None for look-up columns
    aliases: tuple[str, ...] = ()
    required: bool = False  # the column must be in the header
    default: str | None = "''"  # SQL for an insert when the file lacks the column
    values: Mapping[str, str] = field(default_factory=dict)  # spelled-out values accepted, e.g. 男 → M


@dataclass(frozen=True)
class KindSchema:
    kind: str
    table: str
    key: str  # the natural-key column of the file
    conflict: str  # the target table's unique column(s) for ON CONFLICT
    columns: tuple[Column, ...]
    validate: Callable[..., list[Problem]]
    normalise: Mapping[str, Callable[[Any], str]] = field(default_factory=dict)
    trigger_uris: tuple[str, ...] = ()

    def by_name(self) -> dict[str, Column]:
        return {c.name: c for c in self.columns}


_GENDERS = {"男": "M", "女": "F", "m": "M", "f": "F", "male": "M", "female": "F"}
_CATEGORIES = {"常住": "permanent", "常住人口": "permanent", "流动": "floating", "流动人口": "floating",
               "境外": "overseas", "境外人员": "overseas"}  # fmt: skip
_BOOLS = {"true": "t", "false": "f", "1": "t", "0": "f", "yes": "t", "no": "f", "是": "t", "否": "f",
          "y": "t", "n": "f"}  # fmt: skip
_VERIFIED = Column("verified_at", "timestamptz", "verified_at", ("核查时间", "最近核查时间"), default="NULL")


def _national_id(value: Any) -> str:
    """``validation.normalise_national_id`` (it has the fast path for an already-compact ID)."""
    return validation.normalise_national_id(value)


def _triggers(model: str) -> tuple[str, ...]:
    return tuple(f"registry.{model}:{name}" for name in ("insert_insert", "update_update"))


SCHEMAS: dict[str, KindSchema] = {
    "persons": KindSchema(
        kind="persons",
        table="registry_person",
        key="national_id",
        conflict="national_id",
        columns=(
            Column(
                "national_id",
                target="national_id",
                aliases=("公民身份号码", "身份证号", "身份证号码"),
                required=True,
            ),
            Column("name", target="name", aliases=("姓名",), required=True),
            Column("gender", target="gender", aliases=("性别",), values=_GENDERS),
            Column("birth_date", "date", "birth_date", ("出生日期",), default="NULL"),
            Column("ethnicity", target="ethnicity", aliases=("民族",)),
            Column("phone", target="phone", aliases=("联系电话", "手机号", "电话")),
            Column("hukou_place", target="hukou_place", aliases=("户籍地", "户籍地址")),
            Column("address_code", aliases=("地址编码", "标准地址编码"), required=True),
            Column(
                "category",
                target="category",
                aliases=("人员类别",),
                default="'permanent'",
                values=_CATEGORIES,
            ),
            Column("inflow_date", "date", "inflow_date", ("流入日期",), default="NULL"),
            Column("inflow_origin", target="inflow_origin", aliases=("来自",)),
            Column("outflow_date", "date", "outflow_date", ("流出日期",), default="NULL"),
            Column("outflow_destination", target="outflow_destination", aliases=("去往",)),
            _VERIFIED,
        ),
        validate=validation.validate_person,
        normalise={"national_id": _national_id, "phone": validation.normalise_phone},
        trigger_uris=_triggers("Person"),
    ),
    "houses": KindSchema(
        kind="houses",
        table="registry_house",
        key="address_code",
        conflict="address_id",
        columns=(
            Column("address_code", aliases=("地址编码", "标准地址编码"), required=True),
            Column("use", target="use", aliases=("房屋用途",), default="'residence'"),
            Column("owner_national_id", target="owner_national_id", aliases=("房主身份证号",)),
            Column("owner_name", target="owner_name", aliases=("房主",)),
            Column("owner_phone", target="owner_phone", aliases=("房主电话",)),
            Column("is_rented", "boolean", "is_rented", ("是否出租",), default="false", values=_BOOLS),
            Column("area_m2", "numeric", "area_m2", ("面积",), default="NULL"),
            _VERIFIED,
        ),
        validate=validation.validate_house,
        normalise={
            "owner_national_id": validation.normalise_national_id,
            "owner_phone": validation.normalise_phone,
        },
        trigger_uris=_triggers("House"),
    ),
    "units": KindSchema(
        kind="units",
        table="registry_unit",
        key="uscc",
        conflict="uscc",
        columns=(
            Column("uscc", target="uscc", aliases=("统一社会信用代码",), required=True),
            Column("name", target="name", aliases=("单位名称", "名称"), required=True),
            Column("kind", target="kind", aliases=("单位类别",), default="'other'"),
            Column("address_code", aliases=("地址编码", "标准地址编码"), required=True),
            Column("legal_rep_name", target="legal_rep_name", aliases=("法定代表人",)),
            Column("legal_rep_national_id", target="legal_rep_national_id", aliases=("法定代表人身份证号",)),
            Column("security_contact", target="security_contact", aliases=("治安负责人",)),
            Column("security_phone", target="security_phone", aliases=("治安负责人电话",)),
            Column("staff_count", "integer", "staff_count", ("从业人数",), default="NULL"),
            _VERIFIED,
        ),
        validate=validation.validate_unit,
        normalise={
            "uscc": validation.normalise_uscc,
            "legal_rep_national_id": _national_id,
            "security_phone": validation.normalise_phone,
        },
        trigger_uris=_triggers("Unit"),
    ),
    "addresses": KindSchema(
        kind="addresses",
        table="registry_address",
        key="code",
        conflict="code",
        columns=(
            Column("code", target="code", aliases=("地址编码", "标准地址编码"), required=True),
            Column("level", target="level", aliases=("层级",), required=True),
            Column("name", target="name", aliases=("名称",), required=True),
            Column("full_text", target="full_text", aliases=("完整地址", "标准地址"), required=True),
            Column("parent_code", aliases=("上级地址编码",)),
            Column("beat_code", aliases=("警务区编码",)),
            Column("latitude", "numeric", "latitude", ("纬度",), default="NULL"),
            Column("longitude", "numeric", "longitude", ("经度",), default="NULL"),
            _VERIFIED,
        ),
        validate=validation.validate_address,
        trigger_uris=_triggers("Address"),
    ),
}


def resolve_header(schema: KindSchema, header: Sequence[str]) -> list[Column | None]:
    """The column each header cell names (``None`` for an unknown one); raises :class:`ColumnsMissing`."""
    lookup: dict[str, Column] = {}
    for column in schema.columns:
        lookup[column.name.lower()] = column
        for alias in column.aliases:
            lookup[alias] = column
    resolved: list[Column | None] = []
    seen: set[str] = set()
    for cell in header:
        column = lookup.get(cell.strip().lstrip("\ufeff").lower()) or lookup.get(cell.strip())
        if column is not None and column.name in seen:
            column = None  # a repeated column is ignored; the first one counts
        if column is not None:
            seen.add(column.name)
        resolved.append(column)
    missing = [c.name for c in schema.columns if c.required and c.name not in seen]
    if missing:
        raise ColumnsMissing(missing)
    return resolved


# --- one row ---------------------------------------------------------------------------------------

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value: str | None) -> str:
    return "\\N" if value is None else value.translate(_COPY_ESCAPES)


def _typed(column: Column, value: str, problems: list[Problem]) -> str | None:
    """The value as the staging column's type expects it in COPY text (``None`` for NULL)."""
    if column.sql_type == "text":
        return value
    if value == "":
        return None
    if column.sql_type == "date":
        parsed = validation.parse_date(value)
        if parsed is None:
            problems.append(Problem(column.name, _("Enter a date as YYYY-MM-DD.")))
            return None
        return parsed.isoformat()
    if column.sql_type == "timestamptz":
        try:
            moment = dt.datetime.fromisoformat(value.replace("/", "-"))
        except ValueError:
            problems.append(Problem(column.name, _("Enter a date and time as YYYY-MM-DD HH:MM.")))
            return None
        return moment.isoformat()
    if column.sql_type == "integer":
        try:
            return str(int(value))
        except ValueError:
            return None  # validation reports it
    if column.sql_type == "numeric":
        try:
            return str(Decimal(value))
        except InvalidOperation:
            return None  # validation reports it
    if column.sql_type == "boolean":
        flag = _BOOLS.get(value.lower())
        if flag is None:
            problems.append(Problem(column.name, _("Enter true or false.")))
        return flag
    raise AssertionError(column.sql_type)


class RowPreparer:
    """Normalises and validates the rows of one file (its header resolved once)."""

    def __init__(self, schema: KindSchema, columns: Sequence[Column | None], *, today: dt.date) -> None:
        self.schema = schema
        self.today = today
        self.plan = [
            (index, column, schema.normalise.get(column.name), column.values)
            for index, column in enumerate(columns)
            if column is not None
        ]
        self.typed = {c.name: c for c in schema.columns if c.sql_type != "text"}
        self.typed_items = tuple(self.typed.items())
        self.present = {c.name for c in columns if c is not None}
        if schema.kind == "persons":
            self.present |= {"gender", "birth_date"}  # read from the national ID when blank

    def __call__(self, values: Sequence[str]) -> tuple[dict[str, str | None], list[Problem]]:
        """Staging values by column name, and the row's problems."""
        row: dict[str, Any] = {}
        width = len(values)
        for index, column, normalise, spelled in self.plan:
            value = values[index].strip() if index < width else ""
            if value:
                if spelled:
                    value = spelled.get(value) or spelled.get(value.lower(), value)
                if normalise is not None:
                    value = normalise(value)
            row[column.name] = value
        kind = self.schema.kind
        if kind == "persons":
            _derive_from_national_id(row)
        problems = self.schema.validate(row, today=self.today)
        if kind != "addresses" and not row.get("address_code"):
            problems.append(Problem("address_code", _("A standard address code is required.")))
        if kind == "addresses" and not (row.get("beat_code") or row.get("parent_code")):
            problems.append(Problem("beat_code", _("Give the beat area code or the parent address code.")))
        for name, column in self.typed_items:
            if name in row:
                value = row[name]
                if column.sql_type == "date" and value:
                    parsed = validation.parse_date(value)  # cached per distinct text
                    if parsed is None:
                        problems.append(Problem(name, _("Enter a date as YYYY-MM-DD.")))
                        row[name] = None
                    else:
                        row[name] = parsed.isoformat()
                else:
                    row[name] = _typed(column, value, problems)
        return row, problems


def _derive_from_national_id(row: dict[str, Any]) -> None:
    """Enter once: a blank gender or birth date is read from a well-formed national ID."""
    number = row.get("national_id") or ""
    if len(number) != 18 or not number[:17].isdigit():
        return
    if not row.get("gender"):
        row["gender"] = validation.national_id_gender(number)
    if not row.get("birth_date"):
        born = validation.national_id_birth_date(number)
        if born is not None:
            row["birth_date"] = born.isoformat()
