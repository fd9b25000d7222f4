from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("Prefecture / city")
    COUNTY = "county", _("County / district")


class StationKind(models.TextChoices):
    URBAN = "urban", _("Urban")
    RURAL = "rural", _("Rural")
    OTHER = "other", _("Other")


class Role(models.TextChoices):
    OFFICER = "officer", _("Community / village officer")
    STATION_HEAD = "station_head", _("Station head")
    COUNTY_STAFF = "county_staff", _("County staff")
    CITY_STAFF = "city_staff", _("City staff")
    PROVINCE_STAFF = "province_staff", _("Province staff")
    AUDITOR = "auditor", _("Auditor")
    API_CLIENT = "api_client", _("API client")


class OfficerKind(models.TextChoices):
    POLICE = "police", _("Police officer")
    AUXILIARY = "auxiliary", _("Auxiliary officer")


class FacilityKind(models.TextChoices):
    CANTEEN = "canteen", _("Small canteen")
    BATHROOM = "bathroom", _("Small bathroom")
    LIBRARY = "library", _("Small library")
    GYM = "gym", _("Small gym")
    GARDEN = "garden", _("Small vegetable garden")
    ROOM_AND_BED = "room_and_bed", _("A room and a bed")


FIVE_SMALL = (
    FacilityKind.CANTEEN,
    FacilityKind.BATHROOM,
    FacilityKind.LIBRARY,
    FacilityKind.GYM,
    FacilityKind.GARDEN,
)


class Funder(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County")
    STATION = "station", _("Station")
    OTHER = "other", _("Other")


class IdeaStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    ADOPTED = "adopted", _("Adopted")
    IMPLEMENTED = "implemented", _("Implemented")
    REJECTED = "rejected", _("Rejected")


class DeniedOutcome(models.TextChoices):
    DENIED = "denied", _("Denied: outside the jurisdiction")
    NOT_FOUND = "not_found", _("Not found: no such object")
