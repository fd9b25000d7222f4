"""Writes of door-to-door visits (走访). ``visit_record`` is the one way a visit is recorded: atomic,
validated with ``full_clean()``, audited by the models' triggers, in the writer's jurisdiction.

A visit that confirms the household's residents marks those registry records verified — by the
recording user, dated the visit — through the registry's own ``person_verify`` (and the house or unit
through ``house_verify`` / ``unit_verify``), so the registry's freshness rate rises; residents found
changed or gone are kept on the visit for the registry to correct; a conflict found on the doorstep
opens a dispute in screening through ``disputes.services.dispute_create``, prefilled from the visit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from disputes import services
from disputes.choices import DisputeKind, FoundBy, PartyRole, RiskLevel, VisitFinding, VisitPurpose
from disputes.models import Visit, VisitPerson
from stations.jurisdiction import scope
from stations.models import Officer, User


@dataclass(frozen=True)
class ConflictInput:
    """A conflict found on a visit: what the dispute it opens is about, and who is party to it
    (registry persons of the household, by id)."""

    title: str = ""
    kind: str = DisputeKind.NEIGHBOUR
    risk: str = RiskLevel.LOW
    account: str = ""
    party_person_ids: Sequence[int] = field(default_factory=tuple)


def _ids(values: Iterable[Any]) -> list[int]:
    return [int(getattr(v, "pk", v)) for v in values]


def _household_person_ids(*, house: Any, unit: Any, day: dt.date, ids: list[int]) -> set[int]:
    """Of ``ids``, the persons who belong to the visited place on ``day``: living in the house then
    (a residence open that day) or registered at the house's or unit's address."""
    from registry.models import Person, Residence

    if not ids:
        return set()
    found: set[int] = set()
    if house is not None:
        found |= set(
            Residence.objects.filter(house=house, person_id__in=ids, start__lte=day)
            .filter(Q(end__isnull=True) | Q(end__gte=day))
            .values_list("person_id", flat=True)
        )
    address_ids = [place.address_id for place in (house, unit) if place is not None and place.address_id]
    if address_ids:
        found |= set(
            Person.objects.filter(pk__in=ids, address_id__in=address_ids).values_list("pk", flat=True)
        )
    return found


@transaction.atomic
def visit_record(
    *,
    user: User,
    visited_on: dt.date,
    purpose: str,
    house: Any = None,
    unit: Any = None,
    officer: Officer | None = None,
    household_head: Any = None,
    met: str = "",
    notes: str = "",
    confirmed: Iterable[Any] = (),
    changed: Iterable[Any] = (),
    moved_out: Iterable[Any] = (),
    conflict: ConflictInput | None = None,
    now: dt.datetime | None = None,
) -> Visit:
    """Record a visit to ``house`` and/or ``unit`` on ``visited_on``.

    ``confirmed`` persons (registry ids, or Person objects) are marked verified by ``user`` at the
    visit; ``changed`` and ``moved_out`` ones are kept on the visit for correction. Every person named
    must belong to the household. With ``conflict`` a dispute is opened in screening and linked."""
    from registry import services as registry_services
    from registry.models import House, Person, Unit

    services._require_writer(user)
    now = now or timezone.now()
    errors: dict[str, Any] = {}

    live_house = live_unit = None
    if house is not None:
        live_house = (
            scope(House.objects.filter(pk=getattr(house, "pk", house), deleted=False), user)
            .select_related("address")
            .first()
        )
        if live_house is None:
            errors["house"] = _("No such house in the registry of your jurisdiction.")
    if unit is not None:
        live_unit = (
            scope(Unit.objects.filter(pk=getattr(unit, "pk", unit), deleted=False), user)
            .select_related("address")
            .first()
        )
        if live_unit is None:
            errors["unit"] = _("No such unit in the registry of your jurisdiction.")
    if house is None and unit is None:
        errors["house"] = _("Name the house or the unit visited.")
    if live_house is not None and live_unit is not None and live_house.station_id != live_unit.station_id:
        errors["unit"] = _("The house and the unit belong to different stations.")
    if errors:
        raise ValidationError(errors)
    place = live_house or live_unit
    assert place is not None

    officer = officer or services._officer_of(user)
    if officer is None:
        raise ValidationError({"officer": _("Name the visiting officer: your account is not an officer's.")})

    findings: dict[int, str] = {}
    for finding, values in (
        (VisitFinding.CONFIRMED, confirmed),
        (VisitFinding.CHANGED, changed),
        (VisitFinding.MOVED_OUT, moved_out),
    ):
        for person_id in _ids(values):
            if findings.setdefault(person_id, finding) != finding:
                raise ValidationError({"persons": _("A person can have only one finding per visit.")})
    if findings:
        in_scope = set(
            scope(Person.objects.filter(pk__in=list(findings), deleted=False), user).values_list(
                "pk", flat=True
            )
        )
        household = _household_person_ids(
            house=live_house, unit=live_unit, day=visited_on, ids=list(in_scope)
        )
        strangers = sorted(set(findings) - household)
        if strangers:
            raise ValidationError(
                {
                    "persons": _("Not registered in the visited household: %(ids)s.")
                    % {"ids": ", ".join(str(i) for i in strangers)}
                }
            )

    address = place.address
    visit = Visit(
        station_id=place.station_id,
        beat_id=address.beat_id if address is not None else None,
        officer=officer,
        household_head=household_head,
        house=live_house,
        unit=live_unit,
        visited_on=visited_on,
        purpose=purpose,
        met=(met or "").strip(),
        notes=(notes or "").strip(),
        recorded_by=user,
    )
    visit.full_clean()
    visit.save()
    VisitPerson.objects.bulk_create(
        VisitPerson(visit=visit, person_id=person_id, finding=finding)
        for person_id, finding in findings.items()
    )

    # Verified at the visit (now when it is today's), never moving a later verification back.
    at = services.day_at(visited_on, now=now)
    confirmed_ids = [pid for pid, finding in findings.items() if finding == VisitFinding.CONFIRMED]
    if confirmed_ids:
        newer = Person.objects.filter(pk__in=confirmed_ids, verified_at__gte=at).values_list("pk", flat=True)
        registry_services.person_verify(person_ids=set(confirmed_ids) - set(newer), user=user, at=at)
        if live_house is not None and not (live_house.verified_at and live_house.verified_at >= at):
            registry_services.house_verify(house_ids=[live_house.pk], user=user, at=at)
    if (
        live_unit is not None
        and purpose in (VisitPurpose.REGISTRY, VisitPurpose.KEY_PERSON)
        and not (live_unit.verified_at and live_unit.verified_at >= at)
    ):
        registry_services.unit_verify(unit_ids=[live_unit.pk], user=user, at=at)

    if conflict is not None:
        visit.dispute = _open_dispute(user=user, visit=visit, conflict=conflict, now=now)
        visit.save(update_fields=["dispute", "updated_at"])
    return visit


def _open_dispute(*, user: User, visit: Visit, conflict: ConflictInput, now: dt.datetime) -> Any:
    """The dispute a visit found, in screening, prefilled from the visit."""
    place = visit.house.address.full_text if visit.house_id else visit.unit.name  # type: ignore[union-attr]
    parties = [
        services.PartyInput(person_id=person_id, role=PartyRole.FIRST if index == 0 else PartyRole.SECOND)
        for index, person_id in enumerate(_ids(conflict.party_person_ids))
    ]
    if parties:
        allowed = _household_person_ids(
            house=visit.house,
            unit=visit.unit,
            day=visit.visited_on,
            ids=[p.person_id for p in parties if p.person_id],
        )
        if any(p.person_id not in allowed for p in parties):
            raise ValidationError({"conflict": _("The parties must be persons of the visited household.")})
    try:
        return services.dispute_create(
            user=user,
            station=visit.station,
            title=(conflict.title or "").strip() or _("Found on a visit: %(place)s") % {"place": place[:150]},
            kind=conflict.kind,
            found_by=FoundBy.SCREENING,
            found_on=visit.visited_on,
            risk=conflict.risk,
            account=(conflict.account or "").strip() or visit.notes,
            beat=visit.beat,
            officer=visit.officer,
            parties=parties,
            now=now,
        )
    except ValidationError as exc:
        raise ValidationError({"conflict": exc.messages}) from exc
