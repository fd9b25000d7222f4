"""Models of the public-sentiment app, one module per concept.

``disputes``: disputes (矛盾纠纷) with their parties, workflow transitions, mediation sessions and
follow-up visits; ``figures``: the monthly summary the dashboards read. Door-to-door visits and
sentiment reports (issue 9) get modules of their own here.
"""

from disputes.models.disputes import Dispute, FollowUp, MediationSession, Party, Transition
from disputes.models.figures import DisputeMonth

__all__ = ["Dispute", "DisputeMonth", "FollowUp", "MediationSession", "Party", "Transition"]
