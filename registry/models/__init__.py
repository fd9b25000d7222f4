"""The registry: standard addresses, persons, houses, units, inspections of key venues, imports and
data-quality rates. One module per concept."""

from registry.models.addresses import Address
from registry.models.imports import ImportJob
from registry.models.people import AccessLog, Person, Residence
from registry.models.places import House, Unit
from registry.models.quality import DuplicateCandidate, QualityIssue, QualityRate

__all__ = [
    "AccessLog",
    "Address",
    "DuplicateCandidate",
    "House",
    "ImportJob",
    "Person",
    "QualityIssue",
    "QualityRate",
    "Residence",
    "Unit",
]
