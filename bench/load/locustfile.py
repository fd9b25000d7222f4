"""Load scenario for the portal (issue 8, item 6): officers browsing and checking in, analysts on the
dashboards and API clients syncing the registry, against the real stack (gunicorn + Celery).

Run it with ``bench/load/run.sh`` (``make load``), which starts the stack on a demo database, makes the
accounts (``bench/load/accounts.py``) and prints the figures; ``tests/trust/test_load.py`` runs it for a
few seconds on the tiny demo so that it cannot rot. By hand::

    LOAD_ACCOUNTS='{"officers": [...], "analysts": [...], "clients": [...]}' \\
    .venv/bin/locust -f bench/load/locustfile.py --headless --host http://127.0.0.1:8765 -u 32 -t 2m

Every simulated user signs in as the portal's users do: browsers fetch the sign-in page, post the form
with its CSRF token (two-factor is off in the demo) and keep the session cookie; a write from a page
sends the ``X-CSRFToken`` header as the page's script does; the API client takes a token from
``POST /api/v1/auth/token/``. Each browser needs an account of its own (one live session per user).

A request fails unless it answers exactly what a user expects: 200 for a page (a redirect to the
sign-in page is a failure), 201 for a check-in, a page of results for a sync.

Environment: ``LOAD_ACCOUNTS`` (JSON, above; required), ``DEMO_PASSWORD`` (default ``portal-demo``),
``LOAD_OFFICERS`` / ``LOAD_ANALYSTS`` / ``LOAD_CLIENTS`` (how many of each; default 24 / 6 / 2; the
total must be the ``-u`` given to locust), ``LOAD_THINK`` (multiplies every think time; default 1),
``LOAD_SYNC_PAGE_SIZE`` (default 500), ``LOAD_EVERY_TASK_FIRST=1`` (each user makes every kind of request
once after signing in: for the test).
"""

from __future__ import annotations

import json
import os
import random
import re
from typing import Any

import kinds  # bench/load/kinds.py: locust puts the locustfile's folder on sys.path
from locust import HttpUser, between, task
from locust.exception import StopUser

PASSWORD = os.environ.get("DEMO_PASSWORD", "portal-demo")
THINK = float(os.environ.get("LOAD_THINK", "1"))
SYNC_PAGE_SIZE = int(os.environ.get("LOAD_SYNC_PAGE_SIZE", "500"))
ACCOUNTS: dict[str, list[str]] = json.loads(os.environ.get("LOAD_ACCOUNTS", "{}"))

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
BEAT_LINK = re.compile(r'href="/beats/areas/(\d+)/"')
DISPUTE_LINK = re.compile(r'href="/disputes/(\d+)/"')
DRILL_LINK = re.compile(r'href="\?unit=([rs]):(\d+)">(?!↑)')  # not the "↑ parent" link
# What officers type into the registry search: surnames, given-name fragments, a phone prefix.
SEARCHES = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "建国", "秀英", "138", "王伟"]


MAX_DRILL_PAGES = 12
# For the test (tests/trust/test_load.py): each user makes every kind of request once right after signing
# in, so that a short run is sure to exercise them all; measured runs leave it off.
EVERY_TASK_FIRST = os.environ.get("LOAD_EVERY_TASK_FIRST") == "1"


def _every_task_once(user: HttpUser) -> None:
    if EVERY_TASK_FIRST:
        for each in dict.fromkeys(user.tasks):  # a task appears once per unit of its weight
            each(user)  # type: ignore[operator]


def _think(low: float, high: float) -> Any:
    return between(low * THINK, high * THINK)


class _Pool:
    """Hands each simulated user an account of its own: a second sign-in would end the first session."""

    def __init__(self, kind: str) -> None:
        self.names = list(ACCOUNTS.get(kind, []))
        self.kind = kind

    def take(self) -> str:
        if not self.names:
            raise StopUser(f"no {self.kind} account left in LOAD_ACCOUNTS: give each simulated user its own")
        return self.names.pop(0)


OFFICERS, ANALYSTS, CLIENTS = _Pool("officers"), _Pool("analysts"), _Pool("clients")


class _Browser(HttpUser):
    abstract = True

    def sign_in(self, username: str) -> None:
        with self.client.get("/accounts/login/", name=kinds.LOGIN_PAGE, catch_response=True) as page:
            token = CSRF_INPUT.search(page.text or "")
            if page.status_code != 200 or token is None:
                page.failure(
                    f"sign-in page: {page.status_code}, CSRF token {'found' if token else 'missing'}"
                )
                raise StopUser
        with self.client.post(
            "/accounts/login/",
            data={
                "username": username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": token.group(1),
                "next": "/",
            },
            headers={"Referer": f"{self.host}/accounts/login/"},
            name=kinds.LOGIN_POST,
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            if answer.status_code != 302 or "/accounts/" in answer.headers.get("Location", ""):
                answer.failure(
                    f"sign-in of {username} refused: {answer.status_code} {answer.headers.get('Location')}"
                )
                raise StopUser

    def page(self, url: str, name: str) -> str:
        """GET a page; anything but 200 (a redirect to the sign-in page included) is a failure."""
        with self.client.get(url, name=name, allow_redirects=False, catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"{answer.status_code} {answer.headers.get('Location', '')}")
                return ""
            return answer.text or ""


class Officer(_Browser):
    """A community officer on a phone: their pages, the registry, disputes, and checking in on the beat."""

    fixed_count = int(os.environ.get("LOAD_OFFICERS", "24"))
    wait_time = _think(3, 10)

    def on_start(self) -> None:
        self.sign_in(OFFICERS.take())
        page = self.page("/beats/check-in/", kinds.CHECKIN_PAGE)
        beat = BEAT_LINK.search(page)
        if beat is None:
            raise StopUser("the officer has no beat to check in to")
        self.beat_id = int(beat.group(1))
        self.centre = self._beat_centre()
        self.disputes: list[int] = []
        _every_task_once(self)

    def _beat_centre(self) -> tuple[float, float]:
        with self.client.get(
            f"/api/v1/beats/{self.beat_id}/", name=kinds.BEAT_JSON, allow_redirects=False, catch_response=True
        ) as answer:
            if answer.status_code != 200:
                answer.failure(str(answer.status_code))
                raise StopUser
            boundary = answer.json().get("boundary") or {}
        coordinates = boundary.get("coordinates") or []
        ring = (
            coordinates[0]
            if boundary.get("type") == "Polygon"
            else (coordinates[0][0] if coordinates else [])
        )
        if not ring:
            return (36.06, 103.83)  # Lanzhou: a beat without a boundary takes any point
        return (sum(p[1] for p in ring) / len(ring), sum(p[0] for p in ring) / len(ring))

    @task(3)
    def home(self) -> None:
        self.page("/", kinds.HOME)

    @task(2)
    def registry_list(self) -> None:
        self.page("/registry/persons/", kinds.PERSON_LIST)

    @task(3)
    def registry_search(self) -> None:
        self.page(f"/registry/persons/?q={random.choice(SEARCHES)}", kinds.PERSON_SEARCH)

    @task(2)
    def dispute_list(self) -> None:
        self.disputes = [
            int(pk) for pk in DISPUTE_LINK.findall(self.page("/disputes/list/", kinds.DISPUTE_LIST))
        ]

    @task(3)
    def dispute_detail(self) -> None:
        if not self.disputes:
            self.dispute_list()
        if self.disputes:
            self.page(f"/disputes/{random.choice(self.disputes)}/", kinds.DISPUTE_DETAIL)

    @task(2)
    def beat(self) -> None:
        self.page(f"/beats/areas/{self.beat_id}/", kinds.BEAT)

    @task(2)
    def check_in(self) -> None:
        """As the check-in page does: open it, then POST the phone's position with the page's CSRF token."""
        token = CSRF_INPUT.search(self.page("/beats/check-in/", kinds.CHECKIN_PAGE))
        if token is None:
            return  # the page request has been reported as failed already
        lat, lon = self.centre
        body = {"lat": lat + random.uniform(-0.0004, 0.0004), "lon": lon + random.uniform(-0.0004, 0.0004),
                "accuracy": random.choice([8, 15, 30, 60])}  # fmt: skip
        with self.client.post(
            "/api/v1/check-ins/",
            json=body,
            headers={"X-CSRFToken": token.group(1), "Referer": f"{self.host}/beats/check-in/"},
            name=kinds.CHECKIN_POST,
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            if answer.status_code != 201 or "id" not in answer.json():
                answer.failure(f"{answer.status_code} {answer.text[:200]}")


class Analyst(_Browser):
    """Province staff on the dashboards: the province, then down through a city and county to a station."""

    fixed_count = int(os.environ.get("LOAD_ANALYSTS", "6"))
    wait_time = _think(5, 15)

    def on_start(self) -> None:
        self.dead_ends: set[str] = set()
        self.sign_in(ANALYSTS.take())
        _every_task_once(self)

    @task(3)
    def province(self) -> None:
        self.page("/evaluation/dashboard/", kinds.DASHBOARD)

    @task(2)
    def drill_down(self) -> None:
        """Province → city → county → station, clicking units at random; a unit whose page leads to no
        station is remembered and not opened again (analysts learn where the data is)."""
        links = DRILL_LINK.findall(self.page("/evaluation/dashboard/", kinds.DASHBOARD))
        # With LOAD_EVERY_TASK_FIRST (the test) the whole tree may be walked: the tiny demo has few stations.
        self._descend(links, budget=[10_000 if EVERY_TASK_FIRST else MAX_DRILL_PAGES], seen=set())

    def _descend(self, links: list[tuple[str, str]], budget: list[int], seen: set[str]) -> bool:
        stations = [pk for kind, pk in links if kind == "s"]
        if stations:
            self.page(f"/evaluation/dashboard/?unit=s:{random.choice(stations)}", kinds.DASHBOARD_STATION)
            return True
        regions = [pk for kind, pk in links if kind == "r" and pk not in self.dead_ends and pk not in seen]
        random.shuffle(regions)
        for pk in regions:
            if budget[0] <= 0:
                return False
            budget[0] -= 1
            seen.add(pk)
            below = DRILL_LINK.findall(
                self.page(f"/evaluation/dashboard/?unit=r:{pk}", kinds.DASHBOARD_REGION)
            )
            if self._descend(below, budget, seen):
                return True
            self.dead_ends.add(pk)
        return False


class SyncClient(HttpUser):
    """Another police system pulling the registry: a full sync from ``updated_since``, page by page along
    ``next``, then incremental syncs from the stored ``sync_cursor``; the collections take turns."""

    fixed_count = int(os.environ.get("LOAD_CLIENTS", "2"))
    wait_time = _think(1, 3)

    def on_start(self) -> None:
        username = CLIENTS.take()
        with self.client.post(
            "/api/v1/auth/token/", json={"username": username, "password": PASSWORD}, name=kinds.TOKEN,
            catch_response=True,
        ) as answer:  # fmt: skip
            if answer.status_code != 200 or "token" not in answer.json():
                answer.failure(f"{answer.status_code} {answer.text[:200]}")
                raise StopUser
            self.client.headers["Authorization"] = f"Token {answer.json()['token']}"
        self.next_url: dict[str, str | None] = dict.fromkeys(kinds.SYNC_ENDPOINTS)
        self.cursor: dict[str, str | None] = dict.fromkeys(kinds.SYNC_ENDPOINTS)
        self.order = list(kinds.SYNC_ENDPOINTS)
        if EVERY_TASK_FIRST:
            for _ in kinds.SYNC_ENDPOINTS:
                self.sync_page()

    @task
    def sync_page(self) -> None:
        name = self.order[0]
        url, params = self.next_url[name], None
        if url is None:
            url = kinds.SYNC_ENDPOINTS[name]
            position = {"cursor": self.cursor[name]} if self.cursor[name] else {"updated_since": "2000-01-01"}
            params = {**position, "page_size": SYNC_PAGE_SIZE}
        with self.client.get(url, params=params, name=kinds.SYNC[name], catch_response=True) as answer:
            data = answer.json() if answer.status_code == 200 else {}
            if "results" not in data or "sync_cursor" not in data:
                answer.failure(f"{answer.status_code} {answer.text[:200]}")
                return
        self.next_url[name] = data["next"]
        self.cursor[name] = data["sync_cursor"]
        self.order.append(self.order.pop(0))  # the collections take turns, a page at a time
