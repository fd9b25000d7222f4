"""Community policing: beat areas and their officers, police rooms, location check-ins, the
communities/villages with their eight-nos status, and security household heads."""

from beats.models.areas import Beat, BeatAssignment, Community
from beats.models.checkins import CheckIn, CheckInPolicy, MonthlyCompliance
from beats.models.eightnos import EightNosBreach, EightNosStatus
from beats.models.households import HouseholdHead, HouseholdHeadActivity
from beats.models.rooms import PoliceRoom

__all__ = [
    "Beat",
    "BeatAssignment",
    "CheckIn",
    "CheckInPolicy",
    "Community",
    "EightNosBreach",
    "EightNosStatus",
    "HouseholdHead",
    "HouseholdHeadActivity",
    "MonthlyCompliance",
    "PoliceRoom",
]
