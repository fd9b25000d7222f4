"""The workflow table: every pair of states is tried, in the pure function and through the API."""

from __future__ import annotations

import datetime as dt
from itertools import product

import pytest
from django.utils import timezone, translation

from disputes import transitions
from disputes.choices import DisputeState as S
from disputes.models import Dispute, Transition

TRANSFERRED = (S.TRANSFERRED_COURT, S.TRANSFERRED_COMMITTEE, S.TRANSFERRED_DEPARTMENT)
ESCALATED = (S.ESCALATED_CRIMINAL, S.ESCALATED_HOMICIDE)

# The workflow as the issue states it, written out independently of disputes.transitions.TABLE.
LEGAL = {
    (S.SCREENING, S.MEDIATING),
    (S.SCREENING, S.RESOLVED),
    *((S.SCREENING, to) for to in ESCALATED + TRANSFERRED),
    (S.MEDIATING, S.RESOLVED),
    *((S.MEDIATING, to) for to in ESCALATED + TRANSFERRED),
    (S.RESOLVED, S.MEDIATING),  # reopened: it flared up again
    *((S.RESOLVED, to) for to in ESCALATED),
    *((t, to) for t in TRANSFERRED for to in (S.MEDIATING, S.RESOLVED, *ESCALATED)),
    (S.ESCALATED_CRIMINAL, S.ESCALATED_HOMICIDE),
}
PAIRS = list(product(S.values, S.values))
NOTE_REQUIRED = {
    (f, t)
    for f, t in LEGAL
    if t in ESCALATED + TRANSFERRED
    or (f == S.RESOLVED and t == S.MEDIATING)
    or (f in TRANSFERRED and t == S.MEDIATING)
}


def _id(pair: tuple[str, str]) -> str:
    return f"{pair[0]}->{pair[1]}"


@pytest.mark.parametrize("pair", PAIRS, ids=_id)
def test_the_table_allows_exactly_the_legal_moves_and_explains_the_rest(pair: tuple[str, str]) -> None:
    from_state, to_state = pair
    error = transitions.transition_error(from_state, to_state)
    if pair in LEGAL:
        assert error is None
        assert to_state in transitions.allowed_moves(from_state)
    else:
        assert error, "an illegal move must say why"
        assert to_state not in transitions.allowed_moves(from_state)


def test_notes_are_required_for_escalations_transfers_and_reopening() -> None:
    assert {(f, t) for f, t in LEGAL if transitions.note_required(f, t)} == NOTE_REQUIRED


def test_reasons_name_the_rule_that_forbids_the_move() -> None:
    with translation.override("en"):
        _check_reasons()
    with translation.override("zh-hans"):
        assert transitions.transition_error(S.ESCALATED_HOMICIDE, S.MEDIATING).startswith("该纠纷已引发命案")


def _check_reasons() -> None:
    assert "already" in transitions.transition_error(S.MEDIATING, S.MEDIATING)
    assert "screened only when it is first recorded" in transitions.transition_error(S.RESOLVED, S.SCREENING)
    assert "homicide" in transitions.transition_error(S.ESCALATED_HOMICIDE, S.MEDIATING)
    assert "criminal case" in transitions.transition_error(S.ESCALATED_CRIMINAL, S.RESOLVED)
    assert "reopened" in transitions.transition_error(S.RESOLVED, S.TRANSFERRED_COURT)
    assert "taken back" in transitions.transition_error(S.TRANSFERRED_COURT, S.TRANSFERRED_COMMITTEE)
    assert "not a dispute state" in transitions.transition_error(S.SCREENING, "closed")


def _put_in_state(dispute: Dispute, state: str) -> None:
    closed_on = None if state in (S.SCREENING, S.MEDIATING) else timezone.localdate() - dt.timedelta(days=1)
    Dispute.objects.filter(pk=dispute.pk).update(state=state, closed_on=closed_on)


@pytest.mark.django_db
@pytest.mark.parametrize("pair", PAIRS, ids=_id)
def test_the_api_applies_legal_moves_and_refuses_illegal_ones_with_the_reason(
    pair: tuple[str, str],
    api,
    officer,
    make_dispute,  # type: ignore[no-untyped-def]
) -> None:
    from_state, to_state = pair
    dispute = make_dispute(officer)
    _put_in_state(dispute, from_state)
    steps_before = Transition.objects.filter(dispute=dispute).count()

    response = api(officer).post(
        f"/api/v1/disputes/{dispute.pk}/transition/", {"to": to_state, "note": "现场核实。"}, format="json"
    )
    dispute.refresh_from_db()
    if pair in LEGAL:
        assert response.status_code == 200, response.content
        assert dispute.state == to_state
        step = Transition.objects.filter(dispute=dispute).latest("id")
        assert (step.from_state, step.to_state, step.user_id, step.note) == (
            from_state,
            to_state,
            officer.pk,
            "现场核实。",
        )
        assert response.json()["to_state"] == to_state
        assert (dispute.closed_on is None) == (to_state in (S.SCREENING, S.MEDIATING))
    else:
        assert response.status_code == 400
        assert response.json() == {"to": [transitions.transition_error(from_state, to_state)]}
        assert dispute.state == from_state
        assert Transition.objects.filter(dispute=dispute).count() == steps_before


@pytest.mark.django_db
@pytest.mark.parametrize("pair", sorted(NOTE_REQUIRED), ids=_id)
def test_a_move_that_needs_a_note_is_refused_without_one(pair, api, officer, make_dispute) -> None:  # type: ignore[no-untyped-def]
    dispute = make_dispute(officer)
    _put_in_state(dispute, pair[0])
    response = api(officer).post(f"/api/v1/disputes/{dispute.pk}/transition/", {"to": pair[1]}, format="json")
    assert response.status_code == 400
    assert "note" in response.json()
    dispute.refresh_from_db()
    assert dispute.state == pair[0]
