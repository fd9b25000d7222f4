"""Models of the public-sentiment app, one module per concept.

``disputes``: disputes (矛盾纠纷) with their parties, workflow transitions, mediation sessions and
follow-up visits; ``figures``: the monthly summary the dashboards read; ``visits``: door-to-door
visits and what they found about the household's registry persons; ``sentiment``: sentiment
reports (社情民意) and their triage; ``prevention``: mass prevention (群防群治) and training in
the four skills (三会一懂).
"""

from disputes.models.disputes import Dispute, FollowUp, MediationSession, Party, Transition
from disputes.models.figures import DisputeMonth
from disputes.models.prevention import (
    PreventionActivity,
    PreventionParticipant,
    TrainingAttendance,
    TrainingSession,
)
from disputes.models.sentiment import SentimentReport, SentimentStep
from disputes.models.visits import Visit, VisitPerson

__all__ = [
    "Dispute",
    "DisputeMonth",
    "FollowUp",
    "MediationSession",
    "Party",
    "PreventionActivity",
    "PreventionParticipant",
    "SentimentReport",
    "SentimentStep",
    "TrainingAttendance",
    "TrainingSession",
    "Transition",
    "Visit",
    "VisitPerson",
]
