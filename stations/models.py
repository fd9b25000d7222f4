"""The org tree (regions, stations), the force (officers, postings), station facilities, the
public-service catalogue, escort officers, officers' ideas, and the portal's users."""

from __future__ import annotations

import pgtrigger
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.audit import audited
from stations.choices import (
    DeniedOutcome,
    FacilityKind,
    Funder,
    IdeaStatus,
    OfficerKind,
    RegionLevel,
    Role,
    StationKind,
)
from stations.jurisdiction import SELF, Jurisdiction, ScopedManager

region_code_validator = RegexValidator(r"^\d{6}$", _("A region code is six digits (GB/T 2260)."))
station_code_validator = RegexValidator(r"^\d{12}$", _("A station code is twelve digits."))


@audited
class Region(models.Model):
    """A province, prefecture/city or county, coded by GB/T 2260."""

    # Region-bound users see their subtree; station-bound users see the county their station is in.
    jurisdiction = Jurisdiction(station="stations", region=SELF)

    code = models.CharField(_("code"), max_length=6, unique=True, validators=[region_code_validator])
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(_("path"), max_length=40, editable=False, help_text=_("Codes from the root, '/'-joined."))

    objects = ScopedManager()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]
        indexes = [models.Index(fields=["path"], name="region_path_like", opclasses=["varchar_pattern_ops"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.path = (self.parent.path if self.parent else "") + f"{self.code}/"
        super().save(*args, **kwargs)

    def clean(self) -> None:
        expected_parent = {RegionLevel.CITY: RegionLevel.PROVINCE, RegionLevel.COUNTY: RegionLevel.CITY}
        if self.level == RegionLevel.PROVINCE and self.parent_id:
            raise ValidationError({"parent": _("A province has no parent.")})
        if self.level in expected_parent and (self.parent is None or self.parent.level != expected_parent[self.level]):
            raise ValidationError({"parent": _("The parent must be one level up.")})


@audited
class Station(models.Model):
    """A police station (派出所). ``county`` is its county-level region, or the city itself where a
    prefecture-level city has no counties (as Jiayuguan)."""

    jurisdiction = Jurisdiction(station=SELF, region="county")

    code = models.CharField(_("code"), max_length=12, unique=True, validators=[station_code_validator])
    name = models.CharField(_("name"), max_length=100)
    county = models.ForeignKey(Region, verbose_name=_("county"), on_delete=models.PROTECT, related_name="stations")
    kind = models.CharField(_("kind"), max_length=10, choices=StationKind.choices, default=StationKind.URBAN)
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("station")
        verbose_name_plural = _("stations")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


@audited
class Officer(models.Model):
    """A police officer (民警) or auxiliary officer (辅警). ``station`` and ``region`` are the current
    posting (kept equal to the open :class:`Posting`); ``region`` is the station's county for station
    postings, or the bureau's region for officers posted above the stations."""

    jurisdiction = Jurisdiction(station="station", region="region")

    badge_number = models.CharField(_("badge number"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=10, choices=OfficerKind.choices, default=OfficerKind.POLICE)
    rank = models.CharField(_("rank"), max_length=40, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    station = models.ForeignKey(
        Station, verbose_name=_("station"), null=True, blank=True, on_delete=models.PROTECT, related_name="officers"
    )
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="officers")
    terminal_number = models.CharField(
        _("mobile police terminal"), max_length=40, blank=True,
        help_text=_("Serial number of the mobile police terminal issued, if any."),
    )
    is_active = models.BooleanField(_("in service"), default=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("officer")
        verbose_name_plural = _("officers")
        ordering = ["badge_number"]
        indexes = [models.Index(fields=["station", "kind"]), models.Index(fields=["region", "kind"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.badge_number})"

    @property
    def has_terminal(self) -> bool:
        return bool(self.terminal_number)

    def clean(self) -> None:
        if self.station_id is not None and self.region_id != self.station.county_id:
            raise ValidationError({"region": _("An officer posted in a station belongs to the station's county.")})


@audited
class Posting(models.Model):
    """Where an officer served from ``start`` to ``end`` (open-ended while current). The history lets
    the force in stations be counted on any date and compared year on year."""

    jurisdiction = Jurisdiction(station="station", region="region")

    officer = models.ForeignKey(Officer, verbose_name=_("officer"), on_delete=models.CASCADE, related_name="postings")
    station = models.ForeignKey(
        Station, verbose_name=_("station"), null=True, blank=True, on_delete=models.PROTECT, related_name="postings"
    )
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="postings")
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("posting")
        verbose_name_plural = _("postings")
        ordering = ["officer", "-start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="posting_end_after_start"),
            models.UniqueConstraint(fields=["officer"], condition=Q(end__isnull=True), name="posting_one_open_per_officer"),
        ]
        indexes = [models.Index(fields=["start", "end"])]

    def __str__(self) -> str:
        where = self.station if self.station_id is not None else self.region
        return f"{self.officer} → {where} ({self.start} – {self.end or '…'})"

    def clean(self) -> None:
        if self.station_id is not None and self.region_id != self.station.county_id:
            raise ValidationError({"region": _("A posting in a station belongs to the station's county.")})
        if self.end is not None and self.end < self.start:
            raise ValidationError({"end": _("A posting cannot end before it starts.")})


@audited
class Facility(models.Model):
    """One of a station's "five small" facilities, or its "a room and a bed" provision."""

    jurisdiction = Jurisdiction(station="station")

    station = models.ForeignKey(Station, verbose_name=_("station"), on_delete=models.CASCADE, related_name="facilities")
    kind = models.CharField(_("kind"), max_length=20, choices=FacilityKind.choices)
    available_since = models.DateField(_("available since"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")
        constraints = [models.UniqueConstraint(fields=["station", "kind"], name="facility_once_per_station")]

    def __str__(self) -> str:
        return f"{self.station} · {self.get_kind_display()}"


@audited
class HeatingRetrofit(models.Model):
    """An electric-heating retrofit of a (rural) station."""

    jurisdiction = Jurisdiction(station="station")

    station = models.OneToOneField(Station, verbose_name=_("station"), on_delete=models.CASCADE, related_name="heating_retrofit")
    completed_on = models.DateField(_("completed on"))
    funded_by = models.CharField(_("funded by"), max_length=10, choices=Funder.choices)
    amount_yuan = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("electric-heating retrofit")
        verbose_name_plural = _("electric-heating retrofits")

    def __str__(self) -> str:
        return f"{self.station} · {self.completed_on}"


@audited
class ServiceItem(models.Model):
    """A public-service item of the province's catalogue ("one door, at most one trip")."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=50, blank=True)
    online = models.BooleanField(_("online"), default=False)
    self_service = models.BooleanField(_("self-service"), default=False)
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("public-service item")
        verbose_name_plural = _("public-service items")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


@audited
class EscortAssignment(models.Model):
    """An officer assigned as escort officer (护企警官) to a business."""

    jurisdiction = Jurisdiction(station="officer__station", region="officer__region")

    officer = models.ForeignKey(Officer, verbose_name=_("officer"), on_delete=models.CASCADE, related_name="escort_assignments")
    business_name = models.CharField(_("business"), max_length=200)
    business_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("escort assignment")
        verbose_name_plural = _("escort assignments")
        ordering = ["-start"]

    def __str__(self) -> str:
        return f"{self.officer} → {self.business_name}"

    def clean(self) -> None:
        from stdnum.cn import uscc

        if self.business_code and not uscc.is_valid(self.business_code):
            raise ValidationError({"business_code": _("Not a valid unified social credit code.")})
        if self.end is not None and self.end < self.start:
            raise ValidationError({"end": _("An assignment cannot end before it starts.")})


@audited
class Idea(models.Model):
    """An idea sent in by an officer (金点子)."""

    jurisdiction = Jurisdiction(station="station", region="region")

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("idea"))
    officer = models.ForeignKey(Officer, verbose_name=_("officer"), on_delete=models.PROTECT, related_name="ideas")
    station = models.ForeignKey(Station, verbose_name=_("station"), null=True, blank=True, on_delete=models.PROTECT)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT)
    submitted_on = models.DateField(_("submitted on"))
    status = models.CharField(_("status"), max_length=20, choices=IdeaStatus.choices, default=IdeaStatus.SUBMITTED)
    review_note = models.TextField(_("review note"), blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("idea")
        verbose_name_plural = _("ideas")
        ordering = ["-submitted_on", "-id"]

    def __str__(self) -> str:
        return self.title


class PortalUserManager(UserManager["User"]):
    pass


@audited(exclude=["password"])
class User(AbstractUser):
    """A portal user, bound to exactly one home unit (a station or a region) and one role."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.OFFICER)
    home_station = models.ForeignKey(
        Station, verbose_name=_("home station"), null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    home_region = models.ForeignKey(
        Region, verbose_name=_("home region"), null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    officer = models.OneToOneField(
        Officer, verbose_name=_("officer"), null=True, blank=True, on_delete=models.SET_NULL, related_name="user"
    )
    api_can_write = models.BooleanField(
        _("API writes granted"), default=False, help_text=_("API clients are read-only unless this is granted.")
    )
    sessions_revoked_at = models.DateTimeField(
        _("sessions revoked at"), null=True, blank=True, editable=False,
        help_text=_("Browser sessions started before this moment are ended."),
    )

    objects = PortalUserManager()

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=(Q(home_station__isnull=True) & Q(home_region__isnull=False))
                | (Q(home_station__isnull=False) & Q(home_region__isnull=True))
                | (Q(home_station__isnull=True) & Q(home_region__isnull=True) & Q(is_superuser=True)),
                name="user_exactly_one_home_unit",
            )
        ]

    @property
    def home_unit(self) -> Station | Region | None:
        return self.home_station or self.home_region

    def clean(self) -> None:
        super().clean()
        if bool(self.home_station_id) == bool(self.home_region_id) and not self.is_superuser:
            raise ValidationError(_("A user is bound to exactly one home unit: a station or a region."))


class DeniedAccess(models.Model):
    """A request for one object that answered 404: either the object exists outside the caller's
    jurisdiction (``denied``) or it does not exist (``not_found``). The caller sees the same 404 either
    way; only this log tells them apart, so probing for objects elsewhere is visible to the auditor.

    Append-only: it is itself an audit record (no pghistory trigger), and a database trigger refuses
    every UPDATE and DELETE of its rows."""

    jurisdiction = Jurisdiction(station="station", region="region")

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+")
    station = models.ForeignKey(
        Station, verbose_name=_("user's station"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("user's region"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    path = models.CharField(_("path"), max_length=300)
    method = models.CharField(_("method"), max_length=10)
    model = models.CharField(_("model"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=100)
    outcome = models.CharField(_("outcome"), max_length=10, choices=DeniedOutcome.choices)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("denied access")
        verbose_name_plural = _("denied accesses")
        ordering = ["-id"]
        triggers = [
            pgtrigger.Protect(name="denied_access_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.outcome} {self.model} {self.object_id}"
