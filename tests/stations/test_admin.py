"""The stations admin is scoped: a non-superuser staff user sees and picks only their jurisdiction."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from stations.choices import Role
from stations.models import Officer, Station, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def county_admin(county_staff: User) -> User:
    county_staff.is_staff = True
    county_staff.save()
    county_staff.user_permissions.set(Permission.objects.filter(content_type__app_label="stations"))
    return User.objects.get(pk=county_staff.pk)


def test_changelists_show_only_the_jurisdiction(client, county_admin: User, officer: User, officer_b: User) -> None:  # type: ignore[no-untyped-def]
    client.force_login(county_admin)
    page = client.get(reverse("admin:stations_station_changelist"))
    assert page.status_code == 200
    assert officer.home_station.code in page.text
    assert officer_b.home_station.code not in page.text
    users = client.get(reverse("admin:stations_user_changelist")).text
    assert ">officer<" in users and ">officer_b<" not in users


@pytest.mark.parametrize(
    "name", ["station", "officer", "posting", "facility", "heatingretrofit", "escortassignment", "idea", "user"]
)
def test_objects_outside_the_jurisdiction_are_not_found(client, county_admin: User, officer_b: User, name: str) -> None:  # type: ignore[no-untyped-def]
    from django.apps import apps

    model = apps.get_model("stations", name)
    station = officer_b.home_station
    lookups = {
        "station": {"pk": station.pk},
        "officer": {"station": station},
        "posting": {"station": station},
        "facility": {"station": station},
        "heatingretrofit": {"station": station},
        "escortassignment": {"officer__station": station},
        "idea": {"station": station},
        "user": {"pk": officer_b.pk},
    }
    obj = model._default_manager.filter(**lookups[name]).first()
    assert obj is not None, f"the tiny demo has no {name} at officer_b's station"
    client.force_login(county_admin)
    response = client.get(reverse(f"admin:stations_{name}_change", args=[obj.pk]))
    assert response.status_code == 302 and response.url == reverse("admin:index")  # "does not exist"


def test_foreign_key_choices_are_scoped(client, county_admin: User, officer: User, officer_b: User) -> None:  # type: ignore[no-untyped-def]
    client.force_login(county_admin)
    url = reverse("admin:stations_facility_add")
    response = client.post(url, {"station": officer_b.home_station.pk, "kind": "gym"})
    assert response.status_code == 200 and "errornote" in response.text  # refused: not a valid choice
    search = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "stations", "model_name": "facility", "field_name": "station", "term": ""},
    ).json()
    ids = {int(r["id"]) for r in search["results"]}
    assert officer.home_station.pk in ids and officer_b.home_station.pk not in ids


def test_enrolling_an_officer_opens_a_posting(client, county_admin: User, officer: User) -> None:  # type: ignore[no-untyped-def]
    client.force_login(county_admin)
    station = officer.home_station
    response = client.post(
        reverse("admin:stations_officer_add"),
        {
            "badge_number": "A00001", "name": "新警员", "kind": "police", "rank": "", "phone": "",
            "station": station.pk, "region": "", "terminal_number": "",
            "postings-TOTAL_FORMS": "0", "postings-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.text[:2000]
    created = Officer.objects.get(badge_number="A00001")
    assert (created.station, created.region) == (station, station.county)
    assert list(created.postings.values_list("station", "end")) == [(station.pk, None)]


def test_staff_cannot_give_roles_above_their_own(client, county_admin: User, officer: User) -> None:  # type: ignore[no-untyped-def]
    client.force_login(county_admin)
    page = client.get(reverse("admin:stations_user_change", args=[officer.pk])).text
    assert f'value="{Role.COUNTY_STAFF}"' in page
    assert f'value="{Role.PROVINCE_STAFF}"' not in page and f'value="{Role.AUDITOR}"' not in page


def test_regions_are_read_only_for_non_superusers(client, county_admin: User) -> None:  # type: ignore[no-untyped-def]
    client.force_login(county_admin)
    region = county_admin.home_region
    page = client.get(reverse("admin:stations_region_change", args=[region.pk]))
    assert page.status_code == 200 and 'name="name"' not in page.text


def test_superuser_sees_everything(client, officer_b: User) -> None:  # type: ignore[no-untyped-def]
    root = User.objects.create_superuser("t_root", password=None)
    client.force_login(root)
    assert client.get(reverse("admin:stations_station_change", args=[officer_b.home_station.pk])).status_code == 200
    assert Station.objects.count() >= 6
