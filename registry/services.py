"""Writes of the registry: keyword-only, atomic, validated (``registry.validation`` and
``full_clean()``), each re-checking inside its transaction that what it touches is in the writer's
jurisdiction. Pages, forms, serializers and tasks call these; none re-implements them.

Rules every write follows:

* ``station`` is never chosen freely: it is the address's station, else the writer's own station;
  a writer above the stations must give an address (or a station in their jurisdiction).
* Deleting is a tombstone (``deleted=True``): syncing clients see it; people's lists hide it.
  Creating a record whose natural key (national ID, USCC, the house's address) belongs to a
  tombstone brings the tombstone back with the new data, keeping its id.
* ``updated_at`` is set by the database on every write (see ``models/base.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from beats.models import Beat
from registry import validation
from registry.choices import AddressLevel, DuplicateStatus, PersonCategory, RecordKind, UnitKind
from registry.matching import address_pinyin, to_pinyin
from registry.models import Address, DuplicateCandidate, House, Person, Residence, Unit
from stations.jurisdiction import is_in_scope
from stations.models import Region, Station

LEVEL_ORDER = [level.value for level in AddressLevel]
# Digits each level adds to its parent's code (a township's code is its county's code + 3 digits).
CODE_WIDTH = {
    AddressLevel.TOWNSHIP: 3, AddressLevel.VILLAGE: 3, AddressLevel.ROAD: 3, AddressLevel.NUMBER: 4,
    AddressLevel.BUILDING: 3, AddressLevel.UNIT: 2, AddressLevel.ROOM: 4,
}


# --- helpers ------------------------------------------------------------------------------------


def _raise_problems(problems: Iterable[validation.Problem]) -> None:
    errors: dict[str, list[str]] = {}
    for field, reason in problems:
        errors.setdefault(field, []).append(str(reason))
    if errors:
        raise ValidationError(errors)


def _in_scope_or_error(obj: Any, user: Any, field: str, message: str) -> None:
    if obj is not None and not is_in_scope(obj, user):
        raise ValidationError({field: [message]})


def _checked_address(user: Any, address: Address | None, field: str = "address") -> Address | None:
    """The address, if it is a live standard address in ``user``'s jurisdiction (else a field error)."""
    if address is None:
        return None
    live = Address.objects.for_user(user).filter(pk=address.pk, deleted=False).select_related("station").first()
    if live is None:
        raise ValidationError({field: [_("Choose a standard address in your jurisdiction.")]})
    return live


def _station_for(*, user: Any, address: Address | None, station: Station | None = None) -> Station:
    """Where a record belongs: its address's station, else the given station (in scope), else the
    writer's own station."""
    if address is not None:
        return address.station
    if station is not None:
        _in_scope_or_error(station, user, "station", _("Choose a station in your jurisdiction."))
        return station
    if getattr(user, "home_station_id", None) is not None:
        return user.home_station
    raise ValidationError({"address": [_("Choose a standard address: it decides the station the record belongs to.")]})


def _save_unique(obj: Any, *, field: str, message: str, update_fields: list[str] | None = None) -> None:
    """Save, turning a unique-key race into the same field error a lost race of ``full_clean`` gives."""
    try:
        with transaction.atomic():
            obj.save(update_fields=update_fields)
    except IntegrityError as exc:
        raise ValidationError({field: [message]}) from exc
    except DataError as exc:
        raise ValidationError({"__all__": [_("A value is too long or malformed.")]}) from exc


def _changed_problems(problems: list[validation.Problem], changed: set[str]) -> list[validation.Problem]:
    """On an update, report only problems of the fields being changed, so a flaw elsewhere in an
    old record does not block an unrelated fix (the quality list shows it)."""
    return [p for p in problems if p.field in changed]


def _locked(model: Any, user: Any, pk: int) -> Any:
    """The live record, locked, inside ``user``'s jurisdiction (``DoesNotExist`` otherwise → 404)."""
    return model.objects.for_user(user).select_for_update(of=("self",)).get(pk=pk, deleted=False)


# --- standard addresses -------------------------------------------------------------------------


def county_prefix(county: Region) -> str:
    """Province, city and county names, as the full text of a top-level address begins."""
    names: list[str] = []
    node: Region | None = county
    while node is not None:
        names.append(node.name)
        node = node.parent
    return "".join(reversed(names))


def _next_child_code(*, parent: Address | None, county: Region, level: str) -> str:
    prefix = parent.code if parent is not None else county.code
    width = CODE_WIDTH[AddressLevel(level)]
    siblings = Address.objects.filter(code__startswith=prefix).filter(
        **({"parent": parent} if parent is not None else {"parent__isnull": True, "county": county})
    )
    taken = [c[len(prefix):] for c in siblings.values_list("code", flat=True)]
    numbers = [int(t) for t in taken if len(t) == width and t.isdigit()]
    return f"{prefix}{(max(numbers, default=0) + 1):0{width}d}"


@transaction.atomic
def address_create(
    *,
    user: Any,
    level: str,
    name: str,
    parent: Address | None = None,
    station: Station | None = None,
    code: str = "",
    beat: Beat | None = None,
    latitude: Any = None,
    longitude: Any = None,
) -> Address:
    """A standard address under ``parent`` (or a township of ``station``/the writer's station).

    Its full text and pinyin are derived (parent's + its own part), its code is generated under the
    parent's unless given, its station and county are the parent's, its beat the parent's unless given."""
    name = (name or "").strip()
    _raise_problems(validation.validate_address({
        "code": code or "generated", "level": level, "name": name, "full_text": name,
        "latitude": latitude, "longitude": longitude,
    }))
    if parent is not None:
        parent = _checked_address(user, parent, "parent")
        parent = Address.objects.select_for_update().select_related("station", "county").get(pk=parent.pk)  # type: ignore[union-attr]
        if LEVEL_ORDER.index(level) <= LEVEL_ORDER.index(parent.level):
            raise ValidationError({"level": [_("The level must be below the parent's level.")]})
        home = parent.station
        county = parent.county
        full_text = parent.full_text + name
        pinyin = address_pinyin(parent_pinyin=parent.pinyin, name=name)
    else:
        if level != AddressLevel.TOWNSHIP:
            raise ValidationError({"parent": [_("Only a township or street has no parent.")]})
        home = _station_for(user=user, address=None, station=station)
        county = home.county
        prefix = county_prefix(county)
        full_text = prefix + name
        pinyin = address_pinyin(parent_pinyin=to_pinyin(prefix), name=name)
    if beat is not None and (beat.station_id != home.pk or not is_in_scope(beat, user)):
        raise ValidationError({"beat": [_("Choose a beat area of the address's station.")]})
    siblings = Address.objects.filter(deleted=False, name=name)
    siblings = siblings.filter(parent=parent) if parent is not None else siblings.filter(parent__isnull=True, station=home)
    if siblings.exists():
        raise ValidationError({"name": [_("This address already exists at this level.")]})
    address = Address(
        code=(code or "").strip() or _next_child_code(parent=parent, county=county, level=level),
        level=level, parent=parent, county=county, station=home,
        beat=beat if beat is not None else (parent.beat if parent is not None else None),
        name=name, full_text=full_text, pinyin=pinyin, latitude=latitude, longitude=longitude,
    )
    address.full_clean()
    _save_unique(address, field="code", message=_("An address with this code already exists."))
    return address


@transaction.atomic
def address_update(
    *, user: Any, address: Address, name: str | None = None, beat: Beat | None | type = ..., latitude: Any = ..., longitude: Any = ...
) -> Address:
    """Rename an address part (its whole subtree's full text and pinyin follow, set-based), or change
    its beat or coordinates."""
    locked: Address = _locked(Address, user, address.pk)
    if beat is not ...:
        if beat is not None and (beat.station_id != locked.station_id or not is_in_scope(beat, user)):  # type: ignore[union-attr]
            raise ValidationError({"beat": [_("Choose a beat area of the address's station.")]})
        locked.beat = beat  # type: ignore[assignment]
    if latitude is not ...:
        locked.latitude = latitude
    if longitude is not ...:
        locked.longitude = longitude
    old_text, old_pinyin = locked.full_text, locked.pinyin
    if name is not None and name.strip() != locked.name:
        name = name.strip()
        _raise_problems(validation.validate_address({"code": locked.code, "level": locked.level, "name": name, "full_text": name}))
        parent = locked.parent
        if Address.objects.filter(deleted=False, parent=parent, name=name, station=locked.station_id).exclude(pk=locked.pk).exists():
            raise ValidationError({"name": [_("This address already exists at this level.")]})
        base_text = parent.full_text if parent is not None else county_prefix(locked.county)
        base_pinyin = parent.pinyin if parent is not None else to_pinyin(base_text)
        locked.name = name
        locked.full_text = base_text + name
        locked.pinyin = address_pinyin(parent_pinyin=base_pinyin, name=name)
    _raise_problems(validation.validate_address({
        "code": locked.code, "level": locked.level, "name": locked.name, "full_text": locked.full_text,
        "latitude": locked.latitude, "longitude": locked.longitude,
    }))
    locked.full_clean()
    _save_unique(locked, field="code", message=_("An address with this code already exists."))
    if locked.full_text != old_text:
        _rename_subtree(root_id=locked.pk, old_text=old_text, new_text=locked.full_text, old_pinyin=old_pinyin, new_pinyin=locked.pinyin)
    return locked


def _rename_subtree(*, root_id: int, old_text: str, new_text: str, old_pinyin: str, new_pinyin: str) -> None:
    """Replace the old prefix of every descendant's full text and pinyin, in one statement."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                """
                WITH RECURSIVE sub(id) AS (
                    SELECT id FROM registry_address WHERE parent_id = %(root)s
                    UNION ALL
                    SELECT a.id FROM registry_address a JOIN sub ON a.parent_id = sub.id
                )
                UPDATE registry_address SET
                    full_text = %(new_text)s || substr(full_text, char_length(%(old_text)s) + 1),
                    pinyin = CASE WHEN left(pinyin, char_length(%(old_pinyin)s)) = %(old_pinyin)s
                                  THEN %(new_pinyin)s || substr(pinyin, char_length(%(old_pinyin)s) + 1)
                                  ELSE pinyin END
                WHERE id IN (SELECT id FROM sub) AND left(full_text, char_length(%(old_text)s)) = %(old_text)s
                """,
                {"root": root_id, "old_text": old_text, "new_text": new_text, "old_pinyin": old_pinyin, "new_pinyin": new_pinyin},
            )
    except DataError as exc:
        raise ValidationError({"name": [_("The new name makes an address below it too long.")]}) from exc


@transaction.atomic
def address_delete(*, user: Any, address: Address) -> Address:
    """Tombstone an address that nothing live hangs on (no live children, house, persons or units)."""
    locked: Address = _locked(Address, user, address.pk)
    if (
        Address.objects.filter(parent=locked, deleted=False).exists()
        or House.objects.filter(address=locked, deleted=False).exists()
        or Person.objects.filter(address=locked, deleted=False).exists()
        or Unit.objects.filter(address=locked, deleted=False).exists()
    ):
        raise ValidationError({"__all__": [_("Addresses, a house, persons or units still use this address.")]})
    locked.deleted = True
    locked.save(update_fields=["deleted", "updated_at"])
    return locked


# --- persons ------------------------------------------------------------------------------------

PERSON_FIELDS = (
    "national_id", "name", "gender", "birth_date", "ethnicity", "phone", "hukou_place", "address", "category",
    "inflow_date", "inflow_origin", "outflow_date", "outflow_destination",
)
_TEXT_DEFAULTS = {"gender": "", "ethnicity": "", "phone": "", "hukou_place": "", "inflow_origin": "", "outflow_destination": ""}
_ID_LINKED = {"national_id", "gender", "birth_date"}


def _normalise_person(data: dict[str, Any]) -> dict[str, Any]:
    out = dict(data)
    if "national_id" in out:
        out["national_id"] = validation.normalise_national_id(out["national_id"])
    if "phone" in out:
        out["phone"] = validation.normalise_phone(out["phone"])
    for key in ("name", "ethnicity", "hukou_place", "inflow_origin", "outflow_destination"):
        if key in out and isinstance(out[key], str):
            out[key] = out[key].strip()
    for key in ("birth_date", "inflow_date", "outflow_date"):
        if out.get(key) not in (None, "") and not isinstance(out[key], dt.date):
            out[key] = validation.parse_date(out[key])
    return out


def _fill_from_national_id(person: Person) -> None:
    """Enter once: the national ID already says the birth date and the gender."""
    if not validation.national_id_is_valid(person.national_id):
        return
    if not person.birth_date:
        person.birth_date = validation.national_id_birth_date(person.national_id)
    if not person.gender:
        person.gender = validation.national_id_gender(person.national_id)


@transaction.atomic
def person_create(
    *,
    user: Any,
    national_id: str,
    name: str,
    gender: str = "",
    birth_date: dt.date | str | None = None,
    ethnicity: str = "",
    phone: str = "",
    hukou_place: str = "",
    address: Address | None = None,
    category: str = PersonCategory.PERMANENT,
    inflow_date: dt.date | str | None = None,
    inflow_origin: str = "",
    outflow_date: dt.date | str | None = None,
    outflow_destination: str = "",
    station: Station | None = None,
    today: dt.date | None = None,
) -> Person:
    """Register a person; a 400-style ``ValidationError`` (field → reasons) for bad input or a
    national ID already registered. Gender and birth date are taken from the ID when left blank."""
    data = _normalise_person({
        "national_id": national_id, "name": name, "gender": gender or "", "birth_date": birth_date,
        "ethnicity": ethnicity or "", "phone": phone or "", "hukou_place": hukou_place or "",
        "category": category or PersonCategory.PERMANENT, "inflow_date": inflow_date,
        "inflow_origin": inflow_origin or "", "outflow_date": outflow_date, "outflow_destination": outflow_destination or "",
    })
    _raise_problems(validation.validate_person(data, today=today or timezone.localdate()))
    address = _checked_address(user, address)
    home = _station_for(user=user, address=address, station=station)
    existing = Person.objects.select_for_update().filter(national_id=data["national_id"]).first()
    if existing is not None and not existing.deleted:
        raise ValidationError({"national_id": [_("A person with this national ID is already registered.")]})
    person = existing or Person()
    for key, value in data.items():
        setattr(person, key, value)
    person.address = address
    person.station = home
    person.deleted = False
    _fill_from_national_id(person)
    person.full_clean()
    _save_unique(person, field="national_id", message=_("A person with this national ID is already registered."))
    return person


@transaction.atomic
def person_update(*, user: Any, person: Person, today: dt.date | None = None, **changes: Any) -> Person:
    """Change some of a person's fields (``PERSON_FIELDS``); a new address moves them to its station."""
    unknown = set(changes) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"person_update() got unexpected fields: {sorted(unknown)}")
    locked: Person = _locked(Person, user, person.pk)
    changes = _normalise_person(changes)
    for key, default in _TEXT_DEFAULTS.items():
        if key in changes and changes[key] is None:
            changes[key] = default
    changed = {key for key, value in changes.items() if getattr(locked, key) != value}
    if changed & _ID_LINKED:
        changed |= _ID_LINKED
    row = {key: getattr(locked, key) for key in PERSON_FIELDS if key != "address"}
    row.update({k: v for k, v in changes.items() if k != "address"})
    _raise_problems(_changed_problems(validation.validate_person(row, today=today or timezone.localdate()), changed))
    if "national_id" in changed and Person.objects.filter(national_id=row["national_id"]).exclude(pk=locked.pk).exists():
        raise ValidationError({"national_id": [_("A person with this national ID is already registered.")]})
    if "address" in changes:
        address = _checked_address(user, changes.pop("address"))
        locked.address = address
        if address is not None:
            locked.station = address.station
    for key, value in changes.items():
        setattr(locked, key, value)
    _fill_from_national_id(locked)
    locked.full_clean(validate_unique=False)
    _save_unique(locked, field="national_id", message=_("A person with this national ID is already registered."))
    if not is_in_scope(locked, user):  # cannot happen with a scoped address, but never write outside
        raise ValidationError({"address": [_("Choose a standard address in your jurisdiction.")]})
    return locked


@transaction.atomic
def person_delete(*, user: Any, person: Person) -> Person:
    """Tombstone a person (syncing clients see ``deleted: true``)."""
    locked: Person = _locked(Person, user, person.pk)
    locked.deleted = True
    locked.save(update_fields=["deleted", "updated_at"])
    return locked


def person_verify(*, person_ids: Iterable[int], user: Any, at: dt.datetime) -> int:
    """Mark persons as verified by ``user`` at ``at`` (e.g. after a household visit), set-based.
    Only live persons in ``user``'s jurisdiction are touched; returns how many."""
    return _verify(Person, ids=person_ids, user=user, at=at)


def house_verify(*, house_ids: Iterable[int], user: Any, at: dt.datetime) -> int:
    return _verify(House, ids=house_ids, user=user, at=at)


def unit_verify(*, unit_ids: Iterable[int], user: Any, at: dt.datetime) -> int:
    return _verify(Unit, ids=unit_ids, user=user, at=at)


def _verify(model: Any, *, ids: Iterable[int], user: Any, at: dt.datetime) -> int:
    with transaction.atomic():
        return model.objects.for_user(user).filter(pk__in=list(ids), deleted=False).update(verified_at=at, verified_by=user)


@transaction.atomic
def residence_start(
    *, user: Any, person: Person, house: House, start: dt.date, relation: str = "family", end_current: bool = True
) -> Residence:
    """``person`` lives in ``house`` from ``start``; their open residence elsewhere ends the day before."""
    _locked(Person, user, person.pk)
    live_house: House = _locked(House, user, house.pk)
    if end_current:
        Residence.objects.filter(person=person, end__isnull=True, start__lt=start).exclude(house=live_house).update(
            end=start - dt.timedelta(days=1)
        )
    residence = Residence(person=person, house=live_house, relation=relation, start=start)
    residence.full_clean()
    residence.save()
    return residence


@transaction.atomic
def residence_end(*, user: Any, residence: Residence, end: dt.date) -> Residence:
    locked: Residence = Residence.objects.for_user(user).select_for_update(of=("self",)).get(pk=residence.pk)
    locked.end = end
    locked.full_clean()
    locked.save(update_fields=["end"])
    return locked


# --- houses -------------------------------------------------------------------------------------

HOUSE_FIELDS = ("address", "use", "owner_national_id", "owner_name", "owner_phone", "is_rented", "area_m2")


def _fill_owner(*, user: Any, house: House) -> None:
    """Enter once: an owner's national ID fills the owner's name and phone from the registry."""
    if not house.owner_national_id or (house.owner_name and house.owner_phone):
        return
    owner = Person.objects.for_user(user).filter(national_id=house.owner_national_id, deleted=False).only("name", "phone").first()
    if owner is not None:
        house.owner_name = house.owner_name or owner.name
        house.owner_phone = house.owner_phone or owner.phone


def _house_row(data: Mapping[str, Any]) -> dict[str, Any]:
    row = {k: v for k, v in data.items() if k != "address"}
    if "owner_national_id" in row:
        row["owner_national_id"] = validation.normalise_national_id(row["owner_national_id"])
    if "owner_phone" in row:
        row["owner_phone"] = validation.normalise_phone(row["owner_phone"])
    if isinstance(row.get("owner_name"), str):
        row["owner_name"] = row["owner_name"].strip()
    return row


@transaction.atomic
def house_create(
    *,
    user: Any,
    address: Address,
    use: str = "residence",
    owner_national_id: str = "",
    owner_name: str = "",
    owner_phone: str = "",
    is_rented: bool = False,
    area_m2: Any = None,
) -> House:
    """The house at a standard address (one per address; a tombstone there comes back)."""
    row = _house_row({
        "use": use, "owner_national_id": owner_national_id or "", "owner_name": owner_name or "",
        "owner_phone": owner_phone or "", "is_rented": is_rented, "area_m2": area_m2,
    })
    _raise_problems(validation.validate_house(row, today=timezone.localdate()))
    checked = _checked_address(user, address)
    assert checked is not None
    existing = House.objects.select_for_update().filter(address=checked).first()
    if existing is not None and not existing.deleted:
        raise ValidationError({"address": [_("This address already has a house.")]})
    house = existing or House(address=checked)
    for key, value in row.items():
        setattr(house, key, value)
    house.station = checked.station
    house.deleted = False
    _fill_owner(user=user, house=house)
    house.full_clean()
    _save_unique(house, field="address", message=_("This address already has a house."))
    return house


@transaction.atomic
def house_update(*, user: Any, house: House, **changes: Any) -> House:
    unknown = set(changes) - set(HOUSE_FIELDS)
    if unknown:
        raise TypeError(f"house_update() got unexpected fields: {sorted(unknown)}")
    locked: House = _locked(House, user, house.pk)
    row = _house_row(changes)
    changed = {k for k, v in row.items() if getattr(locked, k) != v}
    merged = {k: getattr(locked, k) for k in HOUSE_FIELDS if k != "address"} | row
    _raise_problems(_changed_problems(validation.validate_house(merged, today=timezone.localdate()), changed))
    if "address" in changes and changes["address"].pk != locked.address_id:
        address = _checked_address(user, changes["address"])
        assert address is not None
        if House.objects.filter(address=address).exclude(pk=locked.pk).exists():
            raise ValidationError({"address": [_("This address already has a house.")]})
        locked.address = address
        locked.station = address.station
    for key, value in row.items():
        setattr(locked, key, value)
    _fill_owner(user=user, house=locked)
    locked.full_clean(validate_unique=False)
    _save_unique(locked, field="address", message=_("This address already has a house."))
    return locked


@transaction.atomic
def house_delete(*, user: Any, house: House) -> House:
    locked: House = _locked(House, user, house.pk)
    locked.deleted = True
    locked.save(update_fields=["deleted", "updated_at"])
    return locked


# --- units --------------------------------------------------------------------------------------

UNIT_FIELDS = (
    "name", "uscc", "kind", "address", "legal_rep_name", "legal_rep_national_id", "security_contact",
    "security_phone", "staff_count", "trade_details",
)


def _unit_row(data: Mapping[str, Any]) -> dict[str, Any]:
    row = {k: v for k, v in data.items() if k != "address"}
    if "uscc" in row:
        row["uscc"] = validation.normalise_uscc(row["uscc"])
    if "legal_rep_national_id" in row:
        row["legal_rep_national_id"] = validation.normalise_national_id(row["legal_rep_national_id"])
    if "security_phone" in row:
        row["security_phone"] = validation.normalise_phone(row["security_phone"])
    for key in ("name", "legal_rep_name", "security_contact"):
        if isinstance(row.get(key), str):
            row[key] = row[key].strip()
    return row


def _trade_details_for(kind: str, details: Mapping[str, Any] | None) -> dict[str, Any]:
    """Only the fields the kind asks for, blanks dropped (a kind change drops the old trade's fields)."""
    wanted = {name for name, _type in validation.TRADE_FIELDS.get(kind, ())}
    return {k: v for k, v in (details or {}).items() if k in wanted and v not in (None, "")}


@transaction.atomic
def unit_create(
    *,
    user: Any,
    name: str,
    uscc: str,
    kind: str = UnitKind.OTHER,
    address: Address | None = None,
    legal_rep_name: str = "",
    legal_rep_national_id: str = "",
    security_contact: str = "",
    security_phone: str = "",
    staff_count: int | None = None,
    trade_details: Mapping[str, Any] | None = None,
    station: Station | None = None,
) -> Unit:
    """Register a unit by its unified social credit code (a tombstone with the code comes back)."""
    row = _unit_row({
        "name": name, "uscc": uscc, "kind": kind or UnitKind.OTHER, "legal_rep_name": legal_rep_name or "",
        "legal_rep_national_id": legal_rep_national_id or "", "security_contact": security_contact or "",
        "security_phone": security_phone or "", "staff_count": staff_count, "trade_details": dict(trade_details or {}),
    })
    _raise_problems(validation.validate_unit(row, today=timezone.localdate()))
    address = _checked_address(user, address)
    home = _station_for(user=user, address=address, station=station)
    existing = Unit.objects.select_for_update().filter(uscc=row["uscc"]).first()
    if existing is not None and not existing.deleted:
        raise ValidationError({"uscc": [_("A unit with this unified social credit code is already registered.")]})
    unit = existing or Unit()
    row["trade_details"] = _trade_details_for(row["kind"], row["trade_details"])
    for key, value in row.items():
        setattr(unit, key, value)
    unit.address = address
    unit.station = home
    unit.deleted = False
    unit.full_clean()
    _save_unique(unit, field="uscc", message=_("A unit with this unified social credit code is already registered."))
    return unit


@transaction.atomic
def unit_update(*, user: Any, unit: Unit, **changes: Any) -> Unit:
    unknown = set(changes) - set(UNIT_FIELDS)
    if unknown:
        raise TypeError(f"unit_update() got unexpected fields: {sorted(unknown)}")
    locked: Unit = _locked(Unit, user, unit.pk)
    row = _unit_row(changes)
    changed = {k for k, v in row.items() if getattr(locked, k) != v}
    merged = {k: getattr(locked, k) for k in UNIT_FIELDS if k != "address"} | row
    if "kind" in changed:
        changed.add("trade_details")
    merged["trade_details"] = _trade_details_for(merged["kind"], merged.get("trade_details")) if "trade_details" not in row else merged["trade_details"]
    _raise_problems(_changed_problems(validation.validate_unit(merged, today=timezone.localdate()), changed))
    if "uscc" in changed and Unit.objects.filter(uscc=row["uscc"]).exclude(pk=locked.pk).exists():
        raise ValidationError({"uscc": [_("A unit with this unified social credit code is already registered.")]})
    if "address" in changes:
        address = _checked_address(user, changes["address"])
        locked.address = address
        if address is not None:
            locked.station = address.station
    for key, value in row.items():
        setattr(locked, key, value)
    locked.trade_details = _trade_details_for(locked.kind, merged["trade_details"])
    locked.full_clean(validate_unique=False)
    _save_unique(locked, field="uscc", message=_("A unit with this unified social credit code is already registered."))
    if not is_in_scope(locked, user):
        raise ValidationError({"address": [_("Choose a standard address in your jurisdiction.")]})
    return locked


@transaction.atomic
def unit_delete(*, user: Any, unit: Unit) -> Unit:
    locked: Unit = _locked(Unit, user, unit.pk)
    locked.deleted = True
    locked.save(update_fields=["deleted", "updated_at"])
    return locked


# --- likely duplicates --------------------------------------------------------------------------

# Reasons are stored as keys and shown translated (see ``DUPLICATE_REASONS`` in views).
_FIND_SQL = {
    # Same name and birth date at one station, different national IDs: one of them is probably mistyped.
    "persons_name_birth": """
        SELECT 'persons', a.id, b.id, a.station_id, 0.9, 'same_name_birth_date'
          FROM registry_person a
          JOIN registry_person b ON b.station_id = a.station_id AND b.name = a.name
                                AND b.birth_date = a.birth_date AND b.id > a.id
         WHERE NOT a.deleted AND NOT b.deleted AND a.birth_date IS NOT NULL AND {station_a}
    """,
    # Same phone and a similar name at one station.
    "persons_phone_name": """
        SELECT 'persons', a.id, b.id, a.station_id, 0.6 + 0.4 * similarity(a.name, b.name), 'same_phone_similar_name'
          FROM registry_person a
          JOIN registry_person b ON b.station_id = a.station_id AND b.phone = a.phone AND b.id > a.id
         WHERE NOT a.deleted AND NOT b.deleted AND a.phone <> '' AND similarity(a.name, b.name) >= 0.3 AND {station_a}
    """,
    # Houses at sibling addresses whose names sound the same (东岗路 12号 / 东港路 12号 under one parent).
    "houses_sound_alike": """
        SELECT 'houses', ha.id, hb.id, ha.station_id, 0.7 + 0.3 * similarity(aa.full_text, ab.full_text), 'address_sounds_alike'
          FROM registry_house ha
          JOIN registry_address aa ON aa.id = ha.address_id
          JOIN registry_address ab ON ab.parent_id = aa.parent_id AND ab.pinyin = aa.pinyin AND ab.id <> aa.id
          JOIN registry_house hb ON hb.address_id = ab.id AND hb.id > ha.id
         WHERE NOT ha.deleted AND NOT hb.deleted AND {station_ha}
    """,
    # The same owner at two houses whose address texts are near-identical.
    "houses_owner_text": """
        SELECT 'houses', ha.id, hb.id, ha.station_id, similarity(aa.full_text, ab.full_text), 'same_owner_similar_address'
          FROM registry_house ha
          JOIN registry_house hb ON hb.station_id = ha.station_id AND hb.owner_national_id = ha.owner_national_id AND hb.id > ha.id
          JOIN registry_address aa ON aa.id = ha.address_id
          JOIN registry_address ab ON ab.id = hb.address_id
         WHERE NOT ha.deleted AND NOT hb.deleted AND ha.owner_national_id <> ''
           AND similarity(aa.full_text, ab.full_text) >= 0.8 AND {station_ha}
    """,
    # Units at one address with similar names (a shop registered twice under two codes).
    "units_same_address": """
        SELECT 'units', a.id, b.id, a.station_id, 0.5 + 0.5 * similarity(a.name, b.name), 'similar_name_same_address'
          FROM registry_unit a
          JOIN registry_unit b ON b.address_id = a.address_id AND b.id > a.id
         WHERE NOT a.deleted AND NOT b.deleted AND similarity(a.name, b.name) >= 0.5 AND {station_a}
    """,
    # Units with the same name at one station and different codes.
    "units_same_name": """
        SELECT 'units', a.id, b.id, a.station_id, 0.8, 'same_name'
          FROM registry_unit a
          JOIN registry_unit b ON b.station_id = a.station_id AND b.name = a.name AND b.id > a.id
         WHERE NOT a.deleted AND NOT b.deleted AND {station_a}
    """,
}


def duplicates_find(*, station_ids: Iterable[int] | None = None) -> int:
    """Queue likely duplicate persons, houses and units (set-based: one INSERT … SELECT per rule,
    whatever the number of records); pairs already queued — open, merged or dismissed — are not
    queued again. ``station_ids`` limits the search; returns how many pairs were added."""
    ids = list(station_ids) if station_ids is not None else None
    added = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in _FIND_SQL.values():
            where = "TRUE" if ids is None else "{alias}.station_id = ANY(%s)"
            body = sql.format(station_a=where.format(alias="a"), station_ha=where.format(alias="ha"))
            cursor.execute(
                f"""
                INSERT INTO registry_duplicatecandidate (kind, record_a, record_b, station_id, score, reason, status, created_at)
                SELECT kind, ra, rb, station_id, LEAST(score, 1.0), reason, 'open', now()
                  FROM ({body}) AS found(kind, ra, rb, station_id, score, reason)
                ON CONFLICT (kind, record_a, record_b) DO NOTHING
                """,
                [ids] if ids is not None else [],
            )
            added += cursor.rowcount
    return added


_MERGE_FILL = {
    RecordKind.PERSONS: ("gender", "birth_date", "ethnicity", "phone", "hukou_place", "address", "inflow_date",
                         "inflow_origin", "outflow_date", "outflow_destination"),
    RecordKind.HOUSES: ("owner_national_id", "owner_name", "owner_phone", "area_m2"),
    RecordKind.UNITS: ("address", "legal_rep_name", "legal_rep_national_id", "security_contact", "security_phone",
                       "staff_count"),
}
_MODELS = {RecordKind.PERSONS: Person, RecordKind.HOUSES: House, RecordKind.UNITS: Unit}


def _decide(candidate: DuplicateCandidate, *, user: Any, status: str, at: dt.datetime) -> None:
    candidate.status = status
    candidate.decided_by = user
    candidate.decided_at = at
    candidate.save(update_fields=["status", "decided_by", "decided_at"])


def _open_candidate(user: Any, candidate: DuplicateCandidate) -> DuplicateCandidate:
    return DuplicateCandidate.objects.for_user(user).select_for_update().get(pk=candidate.pk, status=DuplicateStatus.OPEN)


@transaction.atomic
def duplicate_merge(*, user: Any, candidate: DuplicateCandidate, keep: int, at: dt.datetime | None = None) -> Any:
    """Merge a queued pair into the record ``keep`` (one of the two): blanks of the kept record are
    filled from the other, residences move to it, and the other becomes a tombstone. Returns the kept
    record."""
    at = at or timezone.now()
    locked = _open_candidate(user, candidate)
    if keep not in (locked.record_a, locked.record_b):
        raise ValidationError({"keep": [_("Keep one of the two records.")]})
    drop = locked.record_b if keep == locked.record_a else locked.record_a
    model = _MODELS[RecordKind(locked.kind)]
    records = {r.pk: r for r in model.objects.for_user(user).select_for_update(of=("self",)).filter(pk__in=[keep, drop], deleted=False)}
    if len(records) != 2:
        raise ValidationError({"__all__": [_("One of the two records is gone or outside your jurisdiction.")]})
    kept, dropped = records[keep], records[drop]
    fields = []
    for name in _MERGE_FILL[RecordKind(locked.kind)]:
        attr = f"{name}_id" if name == "address" else name
        if getattr(kept, attr) in (None, "") and getattr(dropped, attr) not in (None, ""):
            setattr(kept, attr, getattr(dropped, attr))
            fields.append(name)
    if getattr(dropped, "verified_at", None) and (kept.verified_at is None or dropped.verified_at > kept.verified_at):
        kept.verified_at, kept.verified_by_id = dropped.verified_at, dropped.verified_by_id
        fields += ["verified_at", "verified_by"]
    if locked.kind == RecordKind.PERSONS:
        Residence.objects.filter(person=dropped).update(person=kept)
    elif locked.kind == RecordKind.HOUSES:
        Residence.objects.filter(house=dropped).update(house=kept)
    kept.save(update_fields=[*fields, "updated_at"])
    dropped.deleted = True
    dropped.save(update_fields=["deleted", "updated_at"])
    _decide(locked, user=user, status=DuplicateStatus.MERGED, at=at)
    # Other open pairs with the tombstoned record are moot.
    DuplicateCandidate.objects.filter(kind=locked.kind, status=DuplicateStatus.OPEN).filter(
        Q(record_a=drop) | Q(record_b=drop)
    ).update(status=DuplicateStatus.DISMISSED, decided_by=user, decided_at=at)
    return kept


@transaction.atomic
def duplicate_dismiss(*, user: Any, candidate: DuplicateCandidate, at: dt.datetime | None = None) -> DuplicateCandidate:
    """Not the same record: the pair leaves the queue and is not queued again."""
    locked = _open_candidate(user, candidate)
    _decide(locked, user=user, status=DuplicateStatus.DISMISSED, at=at or timezone.now())
    return locked
