"""Door-to-door visits: confirming residents keeps the registry fresh (through the registry's own
service and as its quality computation sees it), a conflict opens a dispute in screening, coverage
arithmetic per beat and rolled up, the API under jurisdiction, and bad input refused whole."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from disputes import selectors
from disputes.choices import DisputeState, FoundBy, VisitFinding, VisitPurpose
from disputes.models import Dispute, Transition, Visit
from disputes.visits import ConflictInput, visit_record
from registry.models import House, Person, QualityRate, Residence
from registry.quality import quality_recompute
from stations.models import User

pytestmark = pytest.mark.django_db
URL = "/api/v1/visits/"


def _households(station: Any, today: dt.date) -> list[tuple[House, list[int]]]:
    """Houses of ``station`` in a beat with residents today, and those residents, by house id."""
    rows = (
        Residence.objects.filter(
            house__station=station,
            house__deleted=False,
            person__deleted=False,
            house__address__beat__isnull=False,
        )
        .filter(start__lte=today)
        .filter(Q(end__isnull=True) | Q(end__gte=today))
        .order_by("house_id", "person_id")
        .values_list("house_id", "person_id")
    )
    residents: dict[int, list[int]] = {}
    for house_id, person_id in rows:
        residents.setdefault(house_id, []).append(person_id)
    houses = House.objects.select_related("address").in_bulk(list(residents))
    return [(houses[pk], ids) for pk, ids in residents.items()]


@pytest.fixture
def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def household(officer: User, today: dt.date) -> tuple[House, list[int]]:
    """A household at officer's station, in a beat, with its residents."""
    found = _households(officer.home_station, today)
    assert found, "the tiny demo has no household at officer's station"
    return found[0]


@pytest.fixture
def unvisited(officer: User, today: dt.date) -> list[House]:
    """Households at officer's station never visited so far, in one beat."""
    houses = list(
        selectors.never_visited(user=officer, today=today, station=officer.home_station).order_by("id")
    )
    assert len(houses) >= 2, "the tiny demo leaves some households at officer's station unvisited"
    beat_id = houses[0].address.beat_id
    return [h for h in houses if h.address.beat_id == beat_id]


def _fresh_count(station_id: int) -> int:
    quality_recompute(station_ids=[station_id], kinds=["persons"])
    return QualityRate.objects.get(day=timezone.localdate(), kind="persons", station_id=station_id).fresh


# --- the registry kept fresh ------------------------------------------------------------------


def test_a_visit_confirming_residents_raises_the_beats_freshness(
    officer: User, household: tuple[House, list[int]], today: dt.date
) -> None:
    house, residents = household
    beat = house.address.beat
    station_id = officer.home_station_id
    # The household's records have gone stale.
    Person.objects.filter(pk__in=residents).update(verified_at=timezone.now() - dt.timedelta(days=2000))
    now = timezone.now()
    before = selectors.beat_freshness(user=officer, beat=beat, now=now)
    fresh_before = _fresh_count(station_id)

    visit = visit_record(
        user=officer, house=house, visited_on=today, purpose=VisitPurpose.REGISTRY, confirmed=residents
    )

    after = selectors.beat_freshness(user=officer, beat=beat, now=timezone.now())
    assert after.total == before.total
    assert after.fresh == before.fresh + len(residents)
    assert after.rate > before.rate
    assert _fresh_count(station_id) == fresh_before + len(residents)
    for person in Person.objects.filter(pk__in=residents):
        assert person.verified_by_id == officer.pk
        assert timezone.localtime(person.verified_at).date() == today
    assert {(p.person_id, p.finding) for p in visit.persons.all()} == {
        (pid, VisitFinding.CONFIRMED) for pid in residents
    }
    assert (
        visit.beat_id == beat.pk and visit.station_id == station_id and visit.officer_id == officer.officer_id
    )


def test_a_late_recorded_visit_never_moves_a_newer_verification_back(
    officer: User, household: tuple[House, list[int]], today: dt.date
) -> None:
    house, residents = household
    newer = timezone.now() - dt.timedelta(hours=1)
    Person.objects.filter(pk__in=residents).update(verified_at=newer)
    visit_record(
        user=officer,
        house=house,
        visited_on=today - dt.timedelta(days=20),
        purpose=VisitPurpose.REGISTRY,
        confirmed=residents,
    )
    assert set(Person.objects.filter(pk__in=residents).values_list("verified_at", flat=True)) == {newer}


def test_changed_and_moved_out_residents_are_kept_for_correction_not_verified(
    officer: User, household: tuple[House, list[int]], today: dt.date
) -> None:
    house, residents = household
    Person.objects.filter(pk__in=residents).update(verified_at=None)
    visit = visit_record(
        user=officer, house=house, visited_on=today, purpose=VisitPurpose.REGISTRY, changed=residents[:1]
    )
    assert list(visit.persons.values_list("person_id", "finding")) == [(residents[0], VisitFinding.CHANGED)]
    assert Person.objects.get(pk=residents[0]).verified_at is None


# --- a conflict opens a dispute -----------------------------------------------------------------


def test_a_conflict_found_on_a_visit_opens_a_dispute_in_screening(
    officer: User, household: tuple[House, list[int]], today: dt.date
) -> None:
    house, residents = household
    visit = visit_record(
        user=officer,
        house=house,
        visited_on=today - dt.timedelta(days=1),
        purpose=VisitPurpose.DISPUTE_SCREENING,
        notes="邻居因排水问题争吵多次。",
        conflict=ConflictInput(kind="neighbour", risk="medium", party_person_ids=residents[:1]),
    )
    dispute = Dispute.objects.get(pk=visit.dispute_id)
    assert dispute.state == DisputeState.SCREENING
    assert dispute.found_by == FoundBy.SCREENING
    assert dispute.found_on == visit.visited_on
    assert (dispute.station_id, dispute.beat_id, dispute.officer_id) == (
        visit.station_id,
        visit.beat_id,
        visit.officer_id,
    )
    assert dispute.account == "邻居因排水问题争吵多次。"
    assert house.address.full_text[:20] in dispute.title
    assert list(dispute.parties.values_list("person_id", flat=True)) == residents[:1]
    step = Transition.objects.get(dispute=dispute)
    assert (step.from_state, step.to_state, step.user_id) == ("", DisputeState.SCREENING, officer.pk)


def test_a_bad_conflict_saves_nothing(
    officer: User, household: tuple[House, list[int]], today: dt.date
) -> None:
    house, residents = household
    Person.objects.filter(pk__in=residents).update(verified_at=None)
    visits, disputes = Visit.objects.count(), Dispute.objects.count()
    with pytest.raises(ValidationError) as error:
        visit_record(
            user=officer,
            house=house,
            visited_on=today,
            purpose=VisitPurpose.DISPUTE_SCREENING,
            confirmed=residents,
            conflict=ConflictInput(title="x" * 201),
        )
    assert "conflict" in error.value.message_dict
    assert (Visit.objects.count(), Dispute.objects.count()) == (visits, disputes)
    assert not Person.objects.filter(pk__in=residents, verified_at__isnull=False).exists()


# --- coverage -----------------------------------------------------------------------------------


def test_quarter_and_year_start() -> None:
    assert selectors.quarter_start(dt.date(2026, 11, 29)) == dt.date(2026, 10, 1)
    assert selectors.quarter_start(dt.date(2026, 3, 31)) == dt.date(2026, 1, 1)
    assert selectors.quarter_start(dt.date(2026, 4, 1)) == dt.date(2026, 4, 1)
    assert selectors.year_start(dt.date(2026, 11, 29)) == dt.date(2026, 1, 1)
    assert selectors.share(3, 4) == 0.75
    assert selectors.share(0, 0) is None
    with pytest.raises(ValueError):
        selectors.share(5, 4)


def test_coverage_arithmetic(officer: User, unvisited: list[House], today: dt.date) -> None:
    beat = unvisited[0].address.beat

    def row() -> selectors.CoverageRow:
        (only,) = selectors.visit_coverage(user=officer, today=today, beat=beat).beats
        return only

    before = row()
    assert before.households >= before.visited_year >= before.visited_quarter
    assert before.never_visited >= len(unvisited)

    # A visit today: the household counts for this quarter and this year, and is no longer unvisited.
    visit_record(user=officer, house=unvisited[0], visited_on=today, purpose=VisitPurpose.PUBLICITY)
    now = row()
    assert now.households == before.households
    assert (now.visited_quarter, now.visited_year, now.never_visited) == (
        before.visited_quarter + 1,
        before.visited_year + 1,
        before.never_visited - 1,
    )
    assert now.quarter_share == pytest.approx(now.visited_quarter / now.households)

    # A visit last year: visited once, but not this year.
    visit_record(
        user=officer,
        house=unvisited[1],
        visited_on=selectors.year_start(today) - dt.timedelta(days=1),
        purpose=VisitPurpose.PUBLICITY,
    )
    later = row()
    assert (later.visited_quarter, later.visited_year, later.never_visited) == (
        now.visited_quarter,
        now.visited_year,
        now.never_visited - 1,
    )
    # A second visit to the same household this year does not count it twice.
    visit_record(user=officer, house=unvisited[0], visited_on=today, purpose=VisitPurpose.EPIDEMIC)
    assert row() == later
    never = selectors.never_visited(user=officer, today=today, beat=beat)
    assert unvisited[0] not in never and unvisited[1] not in never


def test_coverage_rolls_up_and_its_query_count_does_not_grow_with_beats(
    officer: User, province_admin: User, today: dt.date, django_assert_num_queries: Any
) -> None:
    for user in (officer, province_admin):
        with django_assert_num_queries(2):
            coverage = selectors.visit_coverage(user=user, today=today)
        for name in ("households", "visited_quarter", "visited_year", "never_visited"):
            assert getattr(coverage.total, name) == sum(getattr(r, name) for r in coverage.beats)
            assert getattr(coverage.total, name) == sum(getattr(r, name) for r in coverage.stations)
    officer_cov = selectors.visit_coverage(user=officer, today=today)
    assert {r.station_id for r in officer_cov.beats} == {officer.home_station_id}
    assert coverage.total.households > officer_cov.total.households > 0
    assert officer_cov.total.households == selectors.households(user=officer, today=today).count()


# --- API ----------------------------------------------------------------------------------------


def test_api_records_a_visit_and_keeps_it_in_jurisdiction(
    api: Any, officer: User, officer_b: User, household: tuple[House, list[int]], today: dt.date
) -> None:
    house, residents = household
    response = api(officer).post(
        URL,
        {
            "house": house.pk,
            "visited_on": today.isoformat(),
            "purpose": "registry",
            "met": "户主",
            "confirmed": residents,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["station"] == officer.home_station_id
    assert body["address"] == house.address.full_text
    assert {p["person"] for p in body["persons"]} == set(residents)
    assert body["recorded_by"] == officer.username
    url = f"{URL}{body['id']}/"
    assert api(officer).get(url).status_code == 200
    assert api(officer_b).get(url).status_code == 404
    mine = {row["id"] for row in api(officer).get(URL, {"page_size": 1000}).json()["results"]}
    theirs = {row["id"] for row in api(officer_b).get(URL, {"page_size": 1000}).json()["results"]}
    assert body["id"] in mine and body["id"] not in theirs
    assert set(Visit.objects.filter(pk__in=theirs).values_list("station_id", flat=True)) <= {
        officer_b.home_station_id
    }


def test_api_opens_a_dispute_from_a_conflict(
    api: Any, officer: User, household: tuple[House, list[int]], today: dt.date
) -> None:
    house, residents = household
    response = api(officer).post(
        URL,
        {
            "house": house.pk,
            "visited_on": today.isoformat(),
            "purpose": "dispute_screening",
            "conflict": {"title": "宅基地边界争议", "kind": "land", "parties": residents[:1]},
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    dispute = Dispute.objects.get(pk=response.json()["dispute"])
    assert (dispute.title, dispute.kind, dispute.state) == ("宅基地边界争议", "land", DisputeState.SCREENING)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"house": None}, "house"),
        ({"visited_on": "2999-01-01"}, "visited_on"),
        ({"purpose": "gossip"}, "purpose"),
        ({"house": "outside"}, "house"),
        ({"confirmed": "stranger"}, "persons"),
    ],
)
def test_api_bad_input_is_a_clear_400_and_saves_nothing(
    api: Any,
    officer: User,
    officer_b: User,
    household: tuple[House, list[int]],
    today: dt.date,
    change: dict[str, Any],
    field: str,
) -> None:
    house, residents = household
    Person.objects.filter(pk__in=residents).update(verified_at=None)
    data: dict[str, Any] = {
        "house": house.pk,
        "visited_on": today.isoformat(),
        "purpose": "registry",
        "confirmed": residents,
    }
    data.update(change)
    if data["house"] == "outside":
        data["house"] = _households(officer_b.home_station, today)[0][0].pk
    if data["confirmed"] == "stranger":
        other = (
            Person.objects.filter(station=officer.home_station, deleted=False)
            .exclude(pk__in=Residence.objects.filter(house=house).values("person_id"))
            .exclude(address=house.address)
        )
        data["confirmed"] = [*residents, other.values_list("pk", flat=True).first()]
    visits = Visit.objects.count()
    response = api(officer).post(URL, data, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert Visit.objects.count() == visits
    assert not Person.objects.filter(pk__in=residents, verified_at__isnull=False).exists()


def test_api_refuses_visits_from_read_only_roles(
    api: Any, auditor: User, household: tuple[House, list[int]], today: dt.date
) -> None:
    house, _ = household
    response = api(auditor).post(
        URL, {"house": house.pk, "visited_on": today.isoformat(), "purpose": "publicity"}, format="json"
    )
    assert response.status_code == 403
    assert not Visit.objects.filter(house=house, recorded_by=auditor).exists()


def test_api_list_filters_and_bounded_queries(
    api: Any, officer: User, django_assert_max_num_queries: Any
) -> None:
    client = api(officer)
    with django_assert_max_num_queries(8):
        rows = client.get(URL, {"page_size": 1000}).json()["results"]
    assert rows
    purpose = rows[0]["purpose"]
    filtered = client.get(URL, {"purpose": purpose, "page_size": 1000}).json()["results"]
    assert filtered and {r["purpose"] for r in filtered} == {purpose}


# --- pages --------------------------------------------------------------------------------------


def test_the_phone_flow_finds_the_address_and_records_the_visit(
    client: Any, officer: User, household: tuple[House, list[int]], today: dt.date
) -> None:
    house, residents = household
    Person.objects.filter(pk__in=residents).update(verified_at=None)
    client.force_login(officer)
    found = client.get("/disputes/visits/new/", {"q": house.address.full_text[-12:]})
    assert found.status_code == 200
    form_url = f"/disputes/visits/new/house/{house.pk}/"
    assert form_url in found.content.decode()
    page = client.get(form_url)
    assert page.status_code == 200
    data = {
        "visited_on": today.isoformat(),
        "purpose": "registry",
        "officer": officer.officer_id,
        "met": "户主",
        **{f"person_{pid}": "confirmed" for pid in residents},
    }
    response = client.post(form_url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    visit = Visit.objects.get(house=house, recorded_by=officer, met="户主")
    assert response.url == f"/disputes/visits/{visit.pk}/"
    assert not Person.objects.filter(pk__in=residents, verified_at__isnull=True).exists()
    assert client.get(response.url).status_code == 200


def test_the_visit_form_shows_errors_and_saves_nothing(
    client: Any, officer: User, household: tuple[House, list[int]], today: dt.date
) -> None:
    house, _ = household
    client.force_login(officer)
    visits = Visit.objects.count()
    response = client.post(
        f"/disputes/visits/new/house/{house.pk}/",
        {"visited_on": "2999-01-01", "purpose": "registry", "officer": officer.officer_id},
    )
    assert response.status_code == 200
    assert "invalid-feedback" in response.content.decode()
    assert Visit.objects.count() == visits


def test_pages_outside_jurisdiction_are_404(
    client: Any, officer: User, officer_b: User, household: tuple[House, list[int]], today: dt.date
) -> None:
    house, _ = household
    visit = visit_record(user=officer, house=house, visited_on=today, purpose=VisitPurpose.PUBLICITY)
    client.force_login(officer_b)
    assert client.get(f"/disputes/visits/{visit.pk}/").status_code == 404
    assert client.get(f"/disputes/visits/new/house/{house.pk}/").status_code == 404
    assert client.get(f"/disputes/visits/coverage/beat/{house.address.beat_id}/").status_code == 404
    assert client.get(f"/disputes/visits/coverage/?station={officer.home_station_id}").status_code == 404
    listing = client.get("/disputes/visits/").content.decode()
    assert f"/disputes/visits/{visit.pk}/" not in listing


def test_the_coverage_page_leads_to_the_households_never_visited(
    client: Any, station_head: User, unvisited: list[House], county_staff: User
) -> None:
    beat = unvisited[0].address.beat
    client.force_login(station_head)
    page = client.get("/disputes/visits/coverage/").content.decode()
    assert beat.name in page
    never_url = f"/disputes/visits/coverage/beat/{beat.pk}/"
    assert never_url in page
    listing = client.get(never_url).content.decode()
    for house in unvisited:
        assert house.address.full_text in listing
    client.force_login(county_staff)
    rollup = client.get("/disputes/visits/coverage/")
    assert rollup.status_code == 200
    assert station_head.home_station.name in rollup.content.decode()
