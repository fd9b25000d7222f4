"""Validation of registry records: pure functions of plain values, no database access.

Every ``validate_*`` function returns a list of :class:`Problem` ``(field, reason)``; an empty list
means the value or row is valid. They are used per row by the bulk importer (~35k rows/s, so they
are kept cheap: the region-code look-up is cached and the common mobile-phone case is matched with
the compiled pattern from ``phonenumbers``' own metadata), by the API serializers and by the forms.

National IDs (GB 11643) are checked with python-stdnum's ``cn.ric`` — its check character
(ISO 7064 MOD 11-2), its birth date and its region-code table, including the table's rule that the
region code must have been in use in the birth year (as ``cn.ric.validate`` does), so the importer,
the API, the forms and the set-based quality SQL (``RicPlace``, loaded from the same table) agree.
The region look-up is cached per (code, year).

Unit codes use ``cn.uscc`` and phone numbers ``phonenumbers`` (region CN: mobiles and landlines).
Phones are stored normalised to national digits without separators (``13812345678``,
``09318123456``), which :func:`normalise_phone` produces.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, NamedTuple

import phonenumbers
from django.utils.translation import gettext as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

from registry.choices import AddressLevel, Gender, HouseUse, PersonCategory, UnitKind


class Problem(NamedTuple):
    """One reason a value is invalid: the field (the column of an import) and a human reason."""

    field: str
    reason: str


# Fields each record kind must have to count as complete (DESIGN.md: completeness rate). Shared with
# the quality task so the forms, the importer and the rates agree.
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    "persons": ("national_id", "name", "gender", "birth_date", "phone", "address", "category"),
    "houses": ("address", "use", "owner_national_id", "owner_name", "owner_phone"),
    "units": ("name", "uscc", "kind", "address", "legal_rep_name", "security_contact", "security_phone"),
    "addresses": ("code", "level", "name", "full_text"),
}

# The trade fields each unit kind asks for (kept in ``Unit.trade_details``): name → type.
TRADE_FIELDS: dict[str, tuple[tuple[str, type], ...]] = {
    UnitKind.HOTEL: (("rooms", int), ("beds", int), ("special_trade_licence", str)),
    UnitKind.INTERNET_CAFE: (("seats", int), ("culture_licence", str), ("minors_policy_posted", bool)),
    UnitKind.LOGISTICS: (("express_licence", str), ("vehicles", int), ("xray_machine", bool)),
    UnitKind.ENTERTAINMENT: (("rooms", int), ("max_capacity", int), ("culture_licence", str)),
    UnitKind.OTHER: (),
}

MAX_LENGTHS: dict[str, dict[str, int]] = {
    "persons": {"name": 50, "ethnicity": 20, "hukou_place": 200, "inflow_origin": 200, "outflow_destination": 200},
    "houses": {"owner_name": 50},
    "units": {"name": 200, "legal_rep_name": 50, "security_contact": 50},
    "addresses": {"code": 40, "name": 100, "full_text": 300},
}

_GENDERS = frozenset(Gender.values)
_CATEGORIES = frozenset(PersonCategory.values)
_HOUSE_USES = frozenset(HouseUse.values)
_UNIT_KINDS = frozenset(UnitKind.values)
_LEVELS = frozenset(AddressLevel.values)
_EARLIEST_BIRTH = dt.date(1900, 1, 1)


# --- national ID -----------------------------------------------------------------------------


_ID_CHARS = frozenset("0123456789X")


def normalise_national_id(value: Any) -> str:
    """Upper-case, strip spaces and dashes (``x`` → ``X``), full-width digits to ASCII.

    The usual already-compact ID (17 ASCII digits and a digit or ``X``) is returned as it is: it is
    exactly what ``ric.compact`` would return, and ``compact`` is the costliest step of a row."""
    if not value:
        return ""
    text = str(value)
    if len(text) == 18 and text.isascii() and text[:17].isdigit() and text[17] in _ID_CHARS:
        return text
    return ric.compact(text)


@lru_cache(maxsize=65536)
def _region_code_valid(code_and_year: str) -> bool:
    """``cn.ric``'s place check for a region code and birth year (``"6201021990"``)."""
    try:
        ric.get_birth_place(code_and_year + "01010000")
    except (StdnumError, KeyError):  # stdnum raises KeyError for a prefecture-only code such as 621120
        return False
    return True


@lru_cache(maxsize=65536)
def _birth_date_of(digits: str) -> dt.date | None:
    """``YYYYMMDD`` → the date, or ``None`` (what ``ric.get_birth_date`` reads from characters 7–14)."""
    try:
        return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def national_id_birth_date(national_id: str) -> dt.date | None:
    """The birth date encoded in a (compact) national ID, or ``None`` if it is not a real date.

    The same digits ``ric.get_birth_date`` reads, without its second ``compact()`` of an ID that is
    already compact; one look-up per distinct date (a file has a few tens of thousands)."""
    number = normalise_national_id(national_id)
    if len(number) < 14 or not number[6:14].isdigit():
        try:
            return ric.get_birth_date(number)
        except (StdnumError, ValueError):
            return None
    return _birth_date_of(number[6:14])


def national_id_gender(national_id: str) -> str:
    """``M`` if the 17th digit is odd, ``F`` if even (GB 11643)."""
    return Gender.MALE if int(national_id[16]) % 2 else Gender.FEMALE


def validate_national_id(
    value: Any,
    *,
    field: str = "national_id",
    gender: Any = None,
    birth_date: Any = None,
    today: dt.date | None = None,
    gender_field: str = "gender",
    birth_date_field: str = "birth_date",
) -> list[Problem]:
    """Check a national ID: length, digits, check character, birth date, region code; and, when given,
    that ``gender`` agrees with the 17th digit's parity and ``birth_date`` with the encoded date."""
    number = normalise_national_id(value)
    if not number:
        return [Problem(field, _("National ID is required."))]
    if len(number) != 18:
        return [Problem(field, _("A national ID has 18 characters."))]
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        return [Problem(field, _("A national ID is 17 digits and a digit or X."))]
    if number[17] != ric.calc_check_digit(number):
        return [Problem(field, _("The check character of this national ID is wrong."))]
    born = _birth_date_of(number[6:14])
    today = today or dt.date.today()
    if born is None:
        return [Problem(field, _("The birth date in this national ID is not a real date."))]
    if born > today or born < _EARLIEST_BIRTH:
        return [Problem(field, _("The birth date in this national ID is impossible."))]
    if not _region_code_valid(number[:10]):
        return [Problem(field, _("The region code of this national ID did not exist in the birth year."))]
    problems: list[Problem] = []
    if gender and gender in _GENDERS and gender != national_id_gender(number):
        problems.append(Problem(gender_field, _("Gender does not agree with the national ID.")))
    if birth_date:
        given = parse_date(birth_date)
        if given is not None and given != born:
            problems.append(Problem(birth_date_field, _("Birth date does not agree with the national ID.")))
    return problems


def national_id_is_valid(value: Any) -> bool:
    return not validate_national_id(value)


# --- unified social credit code ----------------------------------------------------------------


def normalise_uscc(value: Any) -> str:
    return uscc.compact(str(value or "")) if value else ""


def validate_uscc(value: Any, *, field: str = "uscc") -> list[Problem]:
    """Check a unified social credit code (GB 32100): 18 characters and check character."""
    code = normalise_uscc(value)
    if not code:
        return [Problem(field, _("Unified social credit code is required."))]
    try:
        uscc.validate(code)
    except StdnumError as exc:
        if isinstance(exc, uscc.InvalidChecksum):
            return [Problem(field, _("The check character of this unified social credit code is wrong."))]
        if isinstance(exc, uscc.InvalidLength):
            return [Problem(field, _("A unified social credit code has 18 characters."))]
        return [Problem(field, _("This is not a valid unified social credit code."))]
    return []


# --- phone -----------------------------------------------------------------------------------

_CN = phonenumbers.PhoneMetadata.metadata_for_region("CN")
_MOBILE = re.compile(f"(?:{_CN.mobile.national_number_pattern})\\Z")
_FIXED_LINE = re.compile(f"(?:{_CN.fixed_line.national_number_pattern})\\Z")
_SEPARATORS = re.compile(r"[\s\-()]")


def normalise_phone(value: Any) -> str:
    """National digits without separators (``138 1234 5678`` → ``13812345678``, ``0931-812 3456`` →
    ``09318123456``, ``+86 138…`` → ``138…``); unparseable input is returned stripped as it was."""
    raw = str(value or "").strip()
    if not raw:
        return ""
    digits = _SEPARATORS.sub("", raw)
    if _MOBILE.match(digits):
        return digits
    try:
        number = phonenumbers.parse(raw, "CN")
    except phonenumbers.NumberParseException:
        return raw
    if number.country_code != 86:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return _SEPARATORS.sub("", phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL))


def validate_phone(value: Any, *, field: str = "phone", required: bool = False) -> list[Problem]:
    """A valid Chinese mobile or landline number (with area code), separators allowed."""
    raw = str(value or "").strip()
    if not raw:
        return [Problem(field, _("Phone is required."))] if required else []
    digits = _SEPARATORS.sub("", raw)
    if _MOBILE.match(digits) or (digits[:1] == "0" and _FIXED_LINE.match(digits[1:])):
        return []
    try:
        number = phonenumbers.parse(raw, "CN")
    except phonenumbers.NumberParseException:
        return [Problem(field, _("This is not a phone number."))]
    if number.country_code != 86 or not phonenumbers.is_valid_number(number):
        return [Problem(field, _("This is not a valid Chinese mobile or landline number."))]
    return []


# --- plain values ----------------------------------------------------------------------------


def parse_date(value: Any) -> dt.date | None:
    """A date from a ``date``/``datetime`` or an ISO ``YYYY-MM-DD`` (also ``YYYY/MM/DD``) string."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return _parse_date_text(value)
    return _parse_date_text(str(value))


@lru_cache(maxsize=131072)
def _parse_date_text(value: str) -> dt.date | None:
    """``parse_date`` of a string, cached: an import row parses its dates up to three times, and a file
    holds few distinct dates."""
    text = value.strip().replace("/", "-")
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def _present(row: Mapping[str, Any], key: str) -> bool:
    value = row.get(key)
    return value is not None and value != "" and not (isinstance(value, str) and not value.strip())


def _check_date(row: Mapping[str, Any], key: str, today: dt.date, problems: list[Problem]) -> dt.date | None:
    if not _present(row, key):
        return None
    value = parse_date(row[key])
    if value is None:
        problems.append(Problem(key, _("Enter a date as YYYY-MM-DD.")))
    elif value > today:
        problems.append(Problem(key, _("This date is in the future.")))
    return value


def _check_choice(row: Mapping[str, Any], key: str, allowed: frozenset[str], problems: list[Problem]) -> None:
    if _present(row, key) and row[key] not in allowed:
        problems.append(Problem(key, _("Not one of the allowed values: %(values)s.") % {"values": ", ".join(sorted(allowed))}))


def _check_lengths(row: Mapping[str, Any], kind: str, problems: list[Problem]) -> None:
    for key, limit in MAX_LENGTHS[kind].items():
        value = row.get(key)
        if isinstance(value, str) and len(value) > limit:
            problems.append(Problem(key, _("At most %(limit)d characters.") % {"limit": limit}))


def _check_required_text(row: Mapping[str, Any], key: str, problems: list[Problem]) -> None:
    if not _present(row, key):
        problems.append(Problem(key, _("This field is required.")))


def _check_number(row: Mapping[str, Any], key: str, problems: list[Problem], *, integer: bool, low: float, high: float) -> None:
    if not _present(row, key):
        return
    try:
        number = int(row[key]) if integer else Decimal(str(row[key]))
    except (TypeError, ValueError, InvalidOperation):
        problems.append(Problem(key, _("Enter a whole number.") if integer else _("Enter a number.")))
        return
    if not low <= number <= high:
        problems.append(Problem(key, _("Must be between %(low)s and %(high)s.") % {"low": low, "high": high}))


# --- rows ------------------------------------------------------------------------------------


_PERSON_LIMITS = tuple(MAX_LENGTHS["persons"].items())


def validate_person(row: Mapping[str, Any], *, today: dt.date | None = None) -> list[Problem]:
    """Check one person row (keys as the model's fields; missing keys are not checked except
    ``national_id`` and ``name``, which every person has).

    One pass over the row (the importer calls this for every line of a file): each date is parsed
    once (and cached), the national ID decoded once; problems come in the same order as ever —
    national ID and its agreements, name, gender, category, birth date, phone, inflow/outflow,
    lengths."""
    today = today or dt.date.today()
    get = row.get
    gender = get("gender")
    birth_date = get("birth_date")
    problems = validate_national_id(get("national_id"), gender=gender, birth_date=birth_date, today=today)
    name = get("name")
    if name is None or name == "" or (isinstance(name, str) and not name.strip()):
        problems.append(Problem("name", _("This field is required.")))
    if _filled(gender) and gender not in _GENDERS:
        problems.append(_not_allowed("gender", _GENDERS))
    category = get("category")
    if _filled(category) and category not in _CATEGORIES:
        problems.append(_not_allowed("category", _CATEGORIES))
    if _filled(birth_date):
        _dated("birth_date", birth_date, today, problems)
    phone = get("phone")
    if phone:
        problems += validate_phone(phone)
    inflow = get("inflow_date")
    inflow = _dated("inflow_date", inflow, today, problems) if _filled(inflow) else None
    outflow = get("outflow_date")
    outflow = _dated("outflow_date", outflow, today, problems) if _filled(outflow) else None
    if inflow and outflow and outflow < inflow:
        problems.append(Problem("outflow_date", _("Outflow date is before the inflow date.")))
    for key, limit in _PERSON_LIMITS:
        value = get(key)
        if isinstance(value, str) and len(value) > limit:
            problems.append(Problem(key, _("At most %(limit)d characters.") % {"limit": limit}))
    return problems


def _filled(value: Any) -> bool:
    """``_present`` of a value already read from the row."""
    return value is not None and value != "" and not (isinstance(value, str) and not value.strip())


def _not_allowed(key: str, allowed: frozenset[str]) -> Problem:
    return Problem(key, _("Not one of the allowed values: %(values)s.") % {"values": ", ".join(sorted(allowed))})


def _dated(key: str, raw: Any, today: dt.date, problems: list[Problem]) -> dt.date | None:
    """``_check_date`` of a value already read from the row (and known to be present)."""
    value = parse_date(raw)
    if value is None:
        problems.append(Problem(key, _("Enter a date as YYYY-MM-DD.")))
    elif value > today:
        problems.append(Problem(key, _("This date is in the future.")))
    return value


def validate_house(row: Mapping[str, Any], *, today: dt.date | None = None) -> list[Problem]:
    """Check one house row: use, owner's national ID and phone (when given), area."""
    problems: list[Problem] = []
    _check_choice(row, "use", _HOUSE_USES, problems)
    if _present(row, "owner_national_id"):
        problems += validate_national_id(row["owner_national_id"], field="owner_national_id", today=today)
    problems += validate_phone(row.get("owner_phone"), field="owner_phone")
    _check_number(row, "area_m2", problems, integer=False, low=0, high=9_999_999)
    _check_lengths(row, "houses", problems)
    return problems


def validate_trade_details(kind: str, details: Mapping[str, Any] | None, *, field: str = "trade_details") -> list[Problem]:
    """The trade fields a unit kind asks for have the right types; unknown keys are refused."""
    if not details:
        return []
    if not isinstance(details, Mapping):
        return [Problem(field, _("Trade details must be an object."))]
    spec = dict(TRADE_FIELDS.get(kind, ()))
    problems: list[Problem] = []
    for key, value in details.items():
        kind_of = spec.get(key)
        if kind_of is None:
            problems.append(Problem(field, _("'%(key)s' is not asked for this kind of unit.") % {"key": key}))
        elif value in (None, ""):
            continue
        elif kind_of is int and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            problems.append(Problem(field, _("'%(key)s' must be a whole number.") % {"key": key}))
        elif kind_of is bool and not isinstance(value, bool):
            problems.append(Problem(field, _("'%(key)s' must be true or false.") % {"key": key}))
        elif kind_of is str and (not isinstance(value, str) or len(value) > 100):
            problems.append(Problem(field, _("'%(key)s' must be text of at most 100 characters.") % {"key": key}))
    return problems


def validate_unit(row: Mapping[str, Any], *, today: dt.date | None = None) -> list[Problem]:
    """Check one unit row: name, USCC, kind, legal representative's ID, security phone, staff, trade details."""
    problems = validate_uscc(row.get("uscc"))
    _check_required_text(row, "name", problems)
    _check_choice(row, "kind", _UNIT_KINDS, problems)
    if _present(row, "legal_rep_national_id"):
        problems += validate_national_id(row["legal_rep_national_id"], field="legal_rep_national_id", today=today)
    problems += validate_phone(row.get("security_phone"), field="security_phone")
    _check_number(row, "staff_count", problems, integer=True, low=0, high=10_000_000)
    if "trade_details" in row:
        problems += validate_trade_details(str(row.get("kind") or UnitKind.OTHER), row.get("trade_details"))
    _check_lengths(row, "units", problems)
    return problems


def validate_address(row: Mapping[str, Any], *, today: dt.date | None = None) -> list[Problem]:
    """Check one standard-address row: code, level, name, full text, coordinates."""
    problems: list[Problem] = []
    for key in ("code", "name", "full_text"):
        _check_required_text(row, key, problems)
    if not _present(row, "level"):
        problems.append(Problem("level", _("This field is required.")))
    else:
        _check_choice(row, "level", _LEVELS, problems)
    _check_number(row, "latitude", problems, integer=False, low=-90, high=90)
    _check_number(row, "longitude", problems, integer=False, low=-180, high=180)
    _check_lengths(row, "addresses", problems)
    return problems


VALIDATORS = {
    "persons": validate_person,
    "houses": validate_house,
    "units": validate_unit,
    "addresses": validate_address,
}
