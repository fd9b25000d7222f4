"""Denied attempts are logged: a 404 on one object is written to ``DeniedAccess`` with who, when, what,
and whether the object exists outside the caller's jurisdiction ("denied") or not at all ("not found").
The caller gets the same 404 either way."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, transaction
from django.test import Client

from stations.choices import DeniedOutcome
from stations.models import DeniedAccess, Station

MISSING = 987654321


@pytest.fixture
def officers_station(officer) -> Station:  # type: ignore[no-untyped-def]
    return officer.home_station


def _last() -> DeniedAccess:
    return DeniedAccess.objects.order_by("-id").first()  # type: ignore[return-value]


def test_api_out_of_scope_object_is_404_and_logged_as_denied(api, officer_b, officers_station) -> None:  # type: ignore[no-untyped-def]
    before = DeniedAccess.objects.count()
    response = api(officer_b).get(f"/api/v1/stations/{officers_station.pk}/")
    assert response.status_code == 404
    assert DeniedAccess.objects.count() == before + 1
    row = _last()
    assert (row.user_id, row.model, row.object_id, row.outcome, row.method) == (
        officer_b.pk, "stations.station", str(officers_station.pk), DeniedOutcome.DENIED, "GET"
    )
    assert row.path == f"/api/v1/stations/{officers_station.pk}/"
    assert row.station_id == officer_b.home_station_id  # the auditor above officer_b's station finds it


def test_api_missing_object_is_the_same_404_and_logged_as_not_found(api, officer_b, officers_station) -> None:  # type: ignore[no-untyped-def]
    client = api(officer_b)
    denied = client.get(f"/api/v1/stations/{officers_station.pk}/")
    missing = client.get(f"/api/v1/stations/{MISSING}/")
    assert missing.status_code == denied.status_code == 404
    assert missing.json() == denied.json(), "the answer must not tell 'elsewhere' from 'nowhere'"
    row = _last()
    assert (row.object_id, row.outcome) == (str(MISSING), DeniedOutcome.NOT_FOUND)


def test_api_objects_in_scope_are_not_logged(api, officer, officers_station) -> None:  # type: ignore[no-untyped-def]
    before = DeniedAccess.objects.count()
    assert api(officer).get(f"/api/v1/stations/{officers_station.pk}/").status_code == 200
    assert DeniedAccess.objects.count() == before


def test_api_write_to_an_out_of_scope_object_is_logged(api, officer_b, officer) -> None:  # type: ignore[no-untyped-def]
    from registry.models import Person

    person = Person.objects.for_user(officer).first()
    assert person is not None
    response = api(officer_b).patch(f"/api/v1/registry/persons/{person.pk}/", {"phone": "13800000000"})
    assert response.status_code == 404
    row = _last()
    assert (row.model, row.object_id, row.outcome, row.method) == (
        "registry.person", str(person.pk), DeniedOutcome.DENIED, "PATCH"
    )


def test_page_out_of_scope_object_is_404_and_logged(client: Client, officer_b, officers_station) -> None:  # type: ignore[no-untyped-def]
    client.force_login(officer_b)
    assert client.get(f"/stations/{officers_station.pk}/").status_code == 404
    row = _last()
    assert (row.user_id, row.model, row.object_id, row.outcome) == (
        officer_b.pk, "stations.station", str(officers_station.pk), DeniedOutcome.DENIED
    )
    assert client.get(f"/stations/{MISSING}/").status_code == 404
    assert (_last().object_id, _last().outcome) == (str(MISSING), DeniedOutcome.NOT_FOUND)


def test_the_log_is_append_only(api, officer_b, officers_station) -> None:  # type: ignore[no-untyped-def]
    api(officer_b).get(f"/api/v1/stations/{officers_station.pk}/")
    row = _last()
    with pytest.raises(DatabaseError), transaction.atomic():
        DeniedAccess.objects.filter(pk=row.pk).update(outcome=DeniedOutcome.NOT_FOUND)
    with pytest.raises(DatabaseError), transaction.atomic():
        DeniedAccess.objects.filter(pk=row.pk).delete()
    assert DeniedAccess.objects.get(pk=row.pk).outcome == DeniedOutcome.DENIED


def test_the_auditor_lists_denied_attempts_and_others_may_not(  # type: ignore[no-untyped-def]
    client: Client, api, auditor, officer_b, officers_station
) -> None:
    api(officer_b).get(f"/api/v1/stations/{officers_station.pk}/")
    client.force_login(auditor)
    page = client.get("/audit/denied/?username=officer_b&outcome=denied", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert f"stations.station #{officers_station.pk}".encode() in page.content
    client.force_login(officer_b)
    assert client.get("/audit/denied/").status_code == 403
