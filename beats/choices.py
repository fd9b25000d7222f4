from django.db import models
from django.utils.translation import gettext_lazy as _


class AreaKind(models.TextChoices):
    URBAN = "urban", _("Urban community")
    RURAL = "rural", _("Rural village")


class CheckInFlag(models.TextChoices):
    """Why a check-in is doubtful. A flagged check-in is kept, never dropped; it does not count toward
    compliance unless the station accepts it on review."""

    OUTSIDE_BEAT = "outside_beat", _("Outside the beat")
    NO_BOUNDARY = "no_boundary", _("The beat has no boundary")
    POOR_ACCURACY = "poor_accuracy", _("Location accuracy too poor")
    TOO_FAR = "too_far", _("Implausibly far from the previous check-in")
    TOO_FAST = "too_fast", _("Implausibly fast since the previous check-in")
    STALE = "stale", _("Device timestamp too old")
    CLOCK_AHEAD = "clock_ahead", _("Device clock ahead of the server")


class CheckInSource(models.TextChoices):
    PAGE = "page", _("Check-in page")
    API = "api", _("Mobile client (API)")


class CheckInReview(models.TextChoices):
    NONE = "", _("Not reviewed")
    ACCEPTED = "accepted", _("Accepted by the station")
    REJECTED = "rejected", _("Rejected by the station")


class EightNo(models.TextChoices):
    """The eight "nos" (八无). The first four — homicide, gangs, telecom fraud, drugs — are counted apart."""

    HOMICIDE = "homicide", _("No homicide")
    GANGS = "gangs", _("No gangs")
    TELECOM_FRAUD = "telecom_fraud", _("No telecom fraud")
    DRUGS = "drugs", _("No drugs")
    CULTS = "cults", _("No cults")
    PYRAMID_SELLING = "pyramid_selling", _("No pyramid selling")
    PUBLIC_SAFETY_DISASTERS = "public_safety_disasters", _("No public-safety disasters")
    MASS_INCIDENTS = "mass_incidents", _("No mass incidents")


FIRST_FOUR: tuple[str, ...] = (EightNo.HOMICIDE, EightNo.GANGS, EightNo.TELECOM_FRAUD, EightNo.DRUGS)
ALL_EIGHT: tuple[str, ...] = tuple(EightNo.values)


class HeadSource(models.TextChoices):
    """Where a security household head (治安户长) was chosen from."""

    VILLAGE_HEAD = "village_head", _("Village head")
    TEAM_LEADER = "team_leader", _("Villagers' team leader")
    RESIDENT = "resident", _("Resident")


class ActivityKind(models.TextChoices):
    JOINT_PATROL = "joint_patrol", _("Joint patrol")
    INFORMATION = "information", _("Information report")
    DISPUTE_HELP = "dispute_help", _("Help with a dispute")
    LEGAL_PUBLICITY = "legal_publicity", _("Legal publicity")
    TRAFFIC = "traffic", _("Traffic assistance")
    EPIDEMIC = "epidemic", _("Epidemic control")


class ActivityStatus(models.TextChoices):
    REPORTED = "reported", _("Reported")
    CONFIRMED = "confirmed", _("Confirmed by the station")
    REJECTED = "rejected", _("Rejected by the station")
