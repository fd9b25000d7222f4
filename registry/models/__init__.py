"""The registry: standard addresses, persons, houses, units, inspections of key venues, imports and
data-quality rates. One module per concept."""

from registry.models.addresses import Address
from registry.models.imports import ImportJob, ImportRowError
from registry.models.inspections import Inspection, InspectionPlan, InspectionPlanItem
from registry.models.people import AccessLog, Person, Residence
from registry.models.places import House, Unit
from registry.models.quality import DuplicateCandidate, QualityIssue, QualityRate, RicPlace

__all__ = [
    "AccessLog",
    "Address",
    "DuplicateCandidate",
    "House",
    "ImportJob",
    "ImportRowError",
    "Inspection",
    "InspectionPlan",
    "InspectionPlanItem",
    "Person",
    "QualityIssue",
    "QualityRate",
    "RicPlace",
    "Residence",
    "Unit",
]
