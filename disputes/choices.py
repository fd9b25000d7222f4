"""Choices of the disputes app (矛盾纠纷排查化解)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DisputeKind(models.TextChoices):
    NEIGHBOUR = "neighbour", _("Neighbours")
    FAMILY = "family", _("Family and marriage")
    LAND = "land", _("Land and property")
    LABOUR = "labour", _("Wages and labour")
    DEBT = "debt", _("Debt")
    TRAFFIC = "traffic", _("Traffic")
    OTHER = "other", _("Other")


class FoundBy(models.TextChoices):
    """How the dispute came to the station's notice."""

    SCREENING = "screening", _("Screening visit")
    HOUSEHOLD_HEAD = "household_head", _("Security household head")
    CALL = "call", _("Call")
    WALK_IN = "walk_in", _("Walk-in")
    DEPARTMENT = "department", _("Another department")


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class DisputeState(models.TextChoices):
    SCREENING = "screening", _("Screening")
    MEDIATING = "mediating", _("Mediating")
    RESOLVED = "resolved", _("Resolved")
    ESCALATED_CRIMINAL = "escalated_criminal", _("Escalated: criminal case")
    ESCALATED_HOMICIDE = "escalated_homicide", _("Escalated: homicide")
    TRANSFERRED_COURT = "transferred_court", _("Transferred to a court")
    TRANSFERRED_COMMITTEE = "transferred_committee", _("Transferred to the people's mediation committee")
    TRANSFERRED_DEPARTMENT = "transferred_department", _("Transferred to another department")


OPEN_STATES = (DisputeState.SCREENING, DisputeState.MEDIATING)
ESCALATED_STATES = (DisputeState.ESCALATED_CRIMINAL, DisputeState.ESCALATED_HOMICIDE)
TRANSFERRED_STATES = (
    DisputeState.TRANSFERRED_COURT,
    DisputeState.TRANSFERRED_COMMITTEE,
    DisputeState.TRANSFERRED_DEPARTMENT,
)
CLOSED_STATES = (DisputeState.RESOLVED, *ESCALATED_STATES, *TRANSFERRED_STATES)


class PartyRole(models.TextChoices):
    FIRST = "first", _("First party")
    SECOND = "second", _("Second party")
    OTHER = "other", _("Other person involved")


class MediationMethod(models.TextChoices):
    ON_SITE = "on_site", _("On site")
    AT_STATION = "at_station", _("At the station")
    AT_ROOM = "at_room", _("At the police room")
    PHONE = "phone", _("By phone")
    VIDEO = "video", _("By video")
    JOINT = "joint", _("Jointly with the people's mediation committee")


class MediationOutcome(models.TextChoices):
    AGREEMENT = "agreement", _("Agreement reached")
    PARTIAL = "partial", _("Partly agreed")
    NO_AGREEMENT = "no_agreement", _("No agreement")
    ADJOURNED = "adjourned", _("Adjourned")


class FollowUpStatus(models.TextChoices):
    PENDING = "pending", _("Due")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class FollowUpOutcome(models.TextChoices):
    STABLE = "stable", _("Stable: the agreement holds")
    UNEASY = "uneasy", _("Uneasy: keep watching")
    FLARED_UP = "flared_up", _("Flared up again")


class VisitPurpose(models.TextChoices):
    """Why an officer knocked on the door (百万警进千万家)."""

    REGISTRY = "registry", _("Registry collection and check")
    DISPUTE_SCREENING = "dispute_screening", _("Dispute screening")
    PUBLICITY = "publicity", _("Publicity")
    EPIDEMIC = "epidemic", _("Epidemic control")
    KEY_PERSON = "key_person", _("Key-person check")


class VisitFinding(models.TextChoices):
    """What a visit found about one registry person of the household."""

    CONFIRMED = "confirmed", _("Confirmed as registered")
    CHANGED = "changed", _("Details changed: correct the registry")
    MOVED_OUT = "moved_out", _("No longer lives here")


class SentimentCategory(models.TextChoices):
    """What a sentiment report (社情民意) is about."""

    SAFETY = "safety", _("Public safety")
    DISPUTE = "dispute", _("Conflicts and disputes")
    LIVELIHOOD = "livelihood", _("Livelihood and services")
    LABOUR = "labour", pgettext_lazy("sentiment category", "Wages and labour")
    LAND = "land", _("Land, housing and demolition")
    ENVIRONMENT = "environment", _("Environment")
    TRAFFIC = "traffic", pgettext_lazy("sentiment category", "Traffic")
    POLICE = "police", _("Opinions on police work")
    OTHER = "other", _("Other")


class Urgency(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    PROMPT = "prompt", _("Needs a prompt answer")
    URGENT = "urgent", _("Urgent")


class SentimentState(models.TextChoices):
    """Where a sentiment report stands: waiting for the station head's decision, then handled
    locally, passed to another department or reported up, and finally closed."""

    PENDING = "pending", _("Waiting for a decision")
    LOCAL = "local", _("Handled locally")
    PASSED = "passed", _("Passed to another department")
    REPORTED_COUNTY = "reported_county", _("Reported up to the county")
    REPORTED_CITY = "reported_city", _("Reported up to the city")
    CLOSED = "closed", _("Closed")


class ReporterKind(models.TextChoices):
    OFFICER = "officer", _("Officer")
    HOUSEHOLD_HEAD = "household_head", pgettext_lazy("reporter", "Security household head")


class PreventionKind(models.TextChoices):
    """Mass prevention (群防群治) activities."""

    JOINT_PATROL = "joint_patrol", _("Joint patrol")
    PUBLICITY = "publicity", _("Publicity event")
    EPIDEMIC = "epidemic", _("Epidemic-control duty")


class TrainingSkill(models.TextChoices):
    """The four skills (三会一懂): screening, mediating, mobilising help, knowing the policy."""

    SCREENING = "screening", pgettext_lazy("skill", "Screening")
    MEDIATING = "mediating", pgettext_lazy("skill", "Mediating")
    MOBILISING = "mobilising", _("Mobilising help")
    POLICY = "policy", _("Knowing the policy")
