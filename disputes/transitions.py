"""The dispute workflow: which state may follow which, in one table, as pure functions.

screening → mediating → resolved is the way a dispute should go. From screening or mediation it may
instead be escalated (it became a criminal case, 民转刑, or a homicide, 民转命) or transferred (to a
court, the people's mediation committee or another department). A resolved dispute that flares up
again is reopened for mediation (or, at worst, escalates). A transferred dispute may be taken back
for mediation, reported resolved, or escalate. A criminal case can only get worse (a homicide); a
homicide is final. Nothing ever goes back to screening: that is only where a dispute starts.

``disputes.services.dispute_transition`` is the only writer of states and asks this module first.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from disputes.choices import CLOSED_STATES, ESCALATED_STATES, OPEN_STATES, TRANSFERRED_STATES, DisputeState

S = DisputeState


@dataclass(frozen=True)
class Move:
    """A legal move: the button's label and whether the officer must say why."""

    label: Promise
    note_required: bool = False


def _escalate(to: str) -> Move:
    label = _("Escalated: criminal case") if to == S.ESCALATED_CRIMINAL else _("Escalated: homicide")
    return Move(label, note_required=True)


_TRANSFER = {
    S.TRANSFERRED_COURT: Move(_("Transfer to a court"), note_required=True),
    S.TRANSFERRED_COMMITTEE: Move(_("Transfer to the people's mediation committee"), note_required=True),
    S.TRANSFERRED_DEPARTMENT: Move(_("Transfer to another department"), note_required=True),
}
_ESCALATE = {to: _escalate(to) for to in ESCALATED_STATES}

# from state → {to state: Move}. The one table of the workflow.
TABLE: dict[str, dict[str, Move]] = {
    S.SCREENING: {
        S.MEDIATING: Move(_("Start mediation")),
        S.RESOLVED: Move(_("Resolved at screening")),
        **_ESCALATE,
        **_TRANSFER,
    },
    S.MEDIATING: {
        S.RESOLVED: Move(_("Mark resolved")),
        **_ESCALATE,
        **_TRANSFER,
    },
    S.RESOLVED: {
        S.MEDIATING: Move(_("Reopen: it flared up again"), note_required=True),
        **_ESCALATE,
    },
    **{
        transferred: {
            S.MEDIATING: Move(_("Take back for mediation"), note_required=True),
            S.RESOLVED: Move(_("Reported resolved")),
            **_ESCALATE,
        }
        for transferred in TRANSFERRED_STATES
    },
    S.ESCALATED_CRIMINAL: {S.ESCALATED_HOMICIDE: _ESCALATE[S.ESCALATED_HOMICIDE]},
    S.ESCALATED_HOMICIDE: {},
}

STATES: tuple[str, ...] = tuple(S.values)


def allowed_moves(state: str) -> dict[str, Move]:
    """The moves legal from ``state`` (target state → move), in the table's order."""
    return dict(TABLE.get(state, {}))


def transition_error(from_state: str, to_state: str) -> str | None:
    """Why ``from_state`` → ``to_state`` is not allowed, or ``None`` when it is."""
    if from_state not in TABLE:
        return str(_("The dispute is in an unknown state."))
    if to_state not in STATES:
        return str(_("“%(state)s” is not a dispute state.") % {"state": to_state})
    if to_state in TABLE[from_state]:
        return None
    if to_state == from_state:
        return str(_("The dispute is already in this state."))
    if to_state == S.SCREENING:
        return str(
            _(
                "A dispute is screened only when it is first recorded; a dispute that flares up again is reopened for mediation."
            )
        )
    if from_state == S.ESCALATED_HOMICIDE:
        return str(
            _(
                "The dispute became a homicide: it is handled as a criminal case and its dispute record is closed."
            )
        )
    if from_state == S.ESCALATED_CRIMINAL:
        return str(
            _(
                "The dispute became a criminal case: it is handled as one and can only escalate further to a homicide."
            )
        )
    if from_state == S.RESOLVED and to_state in TRANSFERRED_STATES:
        return str(_("A resolved dispute is reopened for mediation before it can be transferred."))
    if from_state in TRANSFERRED_STATES and to_state in TRANSFERRED_STATES:
        return str(_("A transferred dispute is taken back for mediation before it is transferred elsewhere."))
    return str(_("This step is not allowed from the dispute's current state."))


def note_required(from_state: str, to_state: str) -> bool:
    move = TABLE.get(from_state, {}).get(to_state)
    return bool(move and move.note_required)


def is_open(state: str) -> bool:
    return state in OPEN_STATES


def is_closed(state: str) -> bool:
    return state in CLOSED_STATES
