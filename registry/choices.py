from django.db import models
from django.utils.translation import gettext_lazy as _


class RecordKind(models.TextChoices):
    """The registry's record kinds: one standard address, three actuals (一标三实)."""

    ADDRESSES = "addresses", _("Standard addresses")
    PERSONS = "persons", _("Actual population")
    UNITS = "units", _("Actual units")
    HOUSES = "houses", _("Actual houses")


class AddressLevel(models.TextChoices):
    TOWNSHIP = "township", _("Township / street")
    VILLAGE = "village", _("Village / community")
    ROAD = "road", _("Road")
    NUMBER = "number", _("House number")
    BUILDING = "building", _("Building")
    UNIT = "unit", _("Building unit")
    ROOM = "room", _("Room")


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class PersonCategory(models.TextChoices):
    PERMANENT = "permanent", _("Permanent resident")
    FLOATING = "floating", _("Floating population")
    OVERSEAS = "overseas", _("Overseas")


class HouseUse(models.TextChoices):
    RESIDENCE = "residence", _("Residence")
    RENTAL = "rental", _("Rental")
    SHOP = "shop", _("Shop")
    OFFICE = "office", _("Office")
    VACANT = "vacant", _("Vacant")
    OTHER = "other", _("Other")


class ResidenceRelation(models.TextChoices):
    OWNER = "owner", _("Owner")
    FAMILY = "family", _("Family member")
    TENANT = "tenant", _("Tenant")
    OTHER = "other", _("Other")


class UnitKind(models.TextChoices):
    HOTEL = "hotel", _("Hotel")
    INTERNET_CAFE = "internet_cafe", _("Internet café")
    LOGISTICS = "logistics", _("Delivery and logistics")
    ENTERTAINMENT = "entertainment", _("Entertainment venue")
    OTHER = "other", _("Other")


KEY_TRADES = (UnitKind.HOTEL, UnitKind.INTERNET_CAFE, UnitKind.LOGISTICS, UnitKind.ENTERTAINMENT)


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class DuplicateStatus(models.TextChoices):
    OPEN = "open", _("Open")
    MERGED = "merged", _("Merged")
    DISMISSED = "dismissed", _("Dismissed")
