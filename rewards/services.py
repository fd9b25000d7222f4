"""Writes of the rewards app: keyword-only, atomic, validated."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from beats.choices import ActivityStatus
from beats.models import HouseholdHead, HouseholdHeadActivity
from rewards import shares
from rewards.models import (
    Award,
    AwardBatch,
    AwardLevel,
    BatchStatus,
    EventReward,
    PointEntry,
    PointRule,
    RewardStatus,
)
from stations.choices import Role
from stations.jurisdiction import is_in_scope
from stations.models import Officer, Posting, Region, Station, User

AWARD_ROLES = {Role.STATION_HEAD, Role.PROVINCE_STAFF}


def _require_award_role(user: User) -> None:
    if user.role not in AWARD_ROLES:
        raise PermissionDenied(_("Only station heads and province staff enter awards."))


def _check_scope(obj: Any, user: User) -> None:
    if obj is not None and not is_in_scope(obj, user):
        raise ValidationError(_("%(obj)s is outside your jurisdiction.") % {"obj": obj})


def officer_posting_on(*, officer: Officer, on: dt.date) -> tuple[int | None, int]:
    """(station id, region id) where ``officer`` was posted on ``on``: the posting history when it
    covers the date, else the officer's current station/region."""
    posting = (
        Posting.objects.filter(officer=officer, start__lte=on)
        .filter(Q(end__isnull=True) | Q(end__gte=on))
        .order_by("-start", "-id")
        .first()
    )
    if posting is not None:
        return posting.station_id, posting.region_id
    return officer.station_id, officer.region_id


def _place_award(award: Award) -> None:
    if award.officer_id is not None:
        station_id, region_id = officer_posting_on(officer=award.officer, on=award.awarded_on)
        award.station_id, award.region_id, award.at_station = station_id, region_id, station_id is not None
    elif award.recipient_station_id is not None:
        award.station_id, award.region_id = award.recipient_station_id, award.recipient_station.county_id
        award.at_station = False
    else:
        award.station_id, award.region_id, award.at_station = None, award.recipient_region_id, False


@transaction.atomic
def award_grant(
    *,
    user: User,
    level: AwardLevel,
    awarded_on: dt.date,
    reason: str,
    officer: Officer | None = None,
    recipient_station: Station | None = None,
    recipient_region: Region | None = None,
    issuing_region: Region | None = None,
    issuing_station: Station | None = None,
    wartime: bool = False,
    emergency: str = "",
    people: int = 1,
    batch: AwardBatch | None = None,
) -> Award:
    """Grant an award (confirmed at once), or add it to a draft ``batch`` (issuer taken from the batch)."""
    _require_award_role(user)
    if batch is not None:
        if batch.status != BatchStatus.DRAFT:
            raise ValidationError(_("The batch is already confirmed."))
        _check_scope(batch, user)
        issuing_region, issuing_station = batch.issuing_region, batch.issuing_station
    if (issuing_region is None) == (issuing_station is None):
        raise ValidationError(_("Give exactly one issuing unit: a region or a station."))
    if sum(x is not None for x in (officer, recipient_station, recipient_region)) != 1:
        raise ValidationError(_("Give exactly one recipient: an officer, a station or a bureau."))
    if wartime and not emergency.strip():
        raise ValidationError({"emergency": _("Name the emergency of a wartime award.")})
    for obj in (officer, recipient_station, recipient_region, issuing_region, issuing_station):
        _check_scope(obj, user)
    award = Award(
        officer=officer, recipient_station=recipient_station, recipient_region=recipient_region, level=level,
        issuing_region=issuing_region, issuing_station=issuing_station, awarded_on=awarded_on, reason=reason,
        wartime=wartime, emergency=emergency.strip() if wartime else "", people=1 if officer else max(people, 1),
        batch=batch, confirmed=batch is None, created_by=user,
    )
    _place_award(award)
    award.full_clean()
    award.save()
    return award


@transaction.atomic
def batch_create(
    *, user: User, title: str, meeting_date: dt.date, issuing_region: Region | None = None,
    issuing_station: Station | None = None,
) -> AwardBatch:
    _require_award_role(user)
    if (issuing_region is None) == (issuing_station is None):
        raise ValidationError(_("Give exactly one issuing unit: a region or a station."))
    _check_scope(issuing_region or issuing_station, user)
    batch = AwardBatch(
        title=title, meeting_date=meeting_date, issuing_region=issuing_region, issuing_station=issuing_station,
        region=issuing_region or issuing_station.county,  # type: ignore[union-attr]
        created_by=user,
    )
    batch.full_clean()
    batch.save()
    return batch


@dataclass(frozen=True)
class ShareWarning:
    year: int
    before: Fraction | None
    after: Fraction | None

    @property
    def message(self) -> str:
        return _(
            "Confirming this batch leaves the station officers' share of individual awards by this unit in "
            "%(year)s at %(after)s %%, below the 30 %% rule."
        ) % {"year": self.year, "after": shares.percent(self.after)}


def batch_share_warning(*, batch: AwardBatch) -> ShareWarning | None:
    """The warning to show before confirming ``batch``, or ``None`` when the share stays at 30 % or more."""
    year = batch.meeting_date.year
    issued = Award.objects.filter(
        issuing_region_id=batch.issuing_region_id, issuing_station_id=batch.issuing_station_id,
        awarded_on__year=year, officer__isnull=False,
    )
    current = _counts(issued.filter(confirmed=True))
    added = _counts(issued.filter(batch=batch, confirmed=False))
    after = shares.share_after(current, added)
    if not shares.is_below(after):
        return None
    return ShareWarning(year=year, before=shares.station_share(current), after=after)


def _counts(qs: Any) -> shares.ShareCounts:
    from django.db.models import Count

    row = qs.aggregate(individual=Count("id"), at_station=Count("id", filter=Q(at_station=True)))
    return shares.ShareCounts(row["individual"], row["at_station"])


class ShareBelowThreshold(Exception):
    def __init__(self, warning: ShareWarning) -> None:
        super().__init__(warning.message)
        self.warning = warning


@transaction.atomic
def batch_confirm(*, user: User, batch: AwardBatch, force: bool = False) -> AwardBatch:
    """Confirm a draft batch; raises :class:`ShareBelowThreshold` unless ``force`` when the station share
    of the issuing unit's year would fall below 30 %."""
    _require_award_role(user)
    batch = AwardBatch.objects.select_for_update().get(pk=batch.pk)
    _check_scope(batch, user)
    if batch.status != BatchStatus.DRAFT:
        raise ValidationError(_("The batch is already confirmed."))
    if not batch.awards.exists():
        raise ValidationError(_("The batch has no awards."))
    warning = batch_share_warning(batch=batch)
    if warning is not None and not force:
        raise ShareBelowThreshold(warning)
    batch.awards.update(confirmed=True)
    batch.status, batch.confirmed_by, batch.confirmed_at = BatchStatus.CONFIRMED, user, timezone.now()
    batch.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    return batch


# --- Household-head points -------------------------------------------------------------------------


def rule_points(rules: list[PointRule], *, kind: str, on: dt.date) -> int | None:
    """Points of the rule for ``kind`` in force on ``on`` (the latest start wins), or ``None``."""
    best: PointRule | None = None
    for rule in rules:
        if rule.kind != kind or rule.effective_from > on:
            continue
        if rule.effective_until is not None and rule.effective_until < on:
            continue
        if best is None or rule.effective_from > best.effective_from:
            best = rule
    return None if best is None else best.points


@transaction.atomic
def points_post_activities(*, station_ids: list[int] | None = None, limit: int = 5000) -> int:
    """Post points for confirmed activities that have no ledger row yet; idempotent. Returns rows made."""
    rules = list(PointRule.objects.all())
    qs = HouseholdHeadActivity.objects.filter(status=ActivityStatus.CONFIRMED, point_entry__isnull=True)
    if station_ids is not None:
        qs = qs.filter(station_id__in=station_ids)
    rows = []
    for activity in qs.order_by("id")[:limit]:
        pts = rule_points(rules, kind=activity.kind, on=activity.occurred_on)
        if pts is None:
            continue
        rows.append(PointEntry(
            head_id=activity.head_id, station_id=activity.station_id, activity_id=activity.pk, points=pts,
            entry_date=activity.occurred_on, note=activity.get_kind_display(),
        ))
    created = PointEntry.objects.bulk_create(rows, ignore_conflicts=True)
    return len(created)


@transaction.atomic
def reward_propose(
    *, user: User, head: HouseholdHead, event_date: dt.date, description: str, points: int
) -> EventReward:
    if user.role not in (Role.OFFICER, Role.STATION_HEAD):
        raise PermissionDenied(_("Only the station's officers propose per-event rewards."))
    _check_scope(head, user)
    reward = EventReward(
        head=head, station_id=head.station_id, event_date=event_date, description=description, points=points,
        proposed_by=user,
    )
    reward.full_clean()
    reward.save()
    return reward


def _decide(user: User, reward: EventReward) -> EventReward:
    if user.role != Role.STATION_HEAD or user.home_station_id != reward.station_id:
        raise PermissionDenied(_("Only the head of the household head's station decides per-event rewards."))
    reward = EventReward.objects.select_for_update().get(pk=reward.pk)
    if reward.status != RewardStatus.PROPOSED:
        raise ValidationError(_("The reward has already been decided."))
    return reward


@transaction.atomic
def reward_approve(*, user: User, reward: EventReward, note: str = "") -> EventReward:
    reward = _decide(user, reward)
    reward.status, reward.decided_by, reward.decided_at = RewardStatus.APPROVED, user, timezone.now()
    reward.decision_note = note
    reward.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    PointEntry.objects.get_or_create(
        event_reward=reward,
        defaults={"head_id": reward.head_id, "station_id": reward.station_id, "points": reward.points,
                  "entry_date": reward.event_date, "note": reward.description[:200]},
    )
    return reward


@transaction.atomic
def reward_reject(*, user: User, reward: EventReward, note: str = "") -> EventReward:
    reward = _decide(user, reward)
    reward.status, reward.decided_by, reward.decided_at = RewardStatus.REJECTED, user, timezone.now()
    reward.decision_note = note
    reward.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    return reward
