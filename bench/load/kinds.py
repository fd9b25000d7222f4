"""The kinds of request the load scenario makes: the names locust reports each request under.

Kept apart from the locustfile so that the report and the test can read them without importing
locust (which monkey-patches the standard library with gevent on import)."""

from __future__ import annotations

# Signing in (once per simulated user).
LOGIN_PAGE = "sign-in: page"
LOGIN_POST = "sign-in: POST"
TOKEN = "api: token"

# Officers in a browser, usually on a phone.
HOME = "officer: home"
PERSON_LIST = "officer: registry list"
PERSON_SEARCH = "officer: registry search"
DISPUTE_LIST = "officer: dispute list"
DISPUTE_DETAIL = "officer: dispute detail"
BEAT = "officer: beat page"
CHECKIN_PAGE = "officer: check-in page"
CHECKIN_POST = "officer: check-in POST (api)"
BEAT_JSON = "officer: beat (api)"

# Analysts on the dashboards.
DASHBOARD = "analyst: province dashboard"
DASHBOARD_REGION = "analyst: dashboard city/county"
DASHBOARD_STATION = "analyst: dashboard station"

# An API client syncing the registry incrementally (updated_since, then cursor pages).
SYNC_ENDPOINTS = {
    "persons": "/api/v1/registry/persons/",
    "addresses": "/api/v1/registry/addresses/",
    "houses": "/api/v1/registry/houses/",
    "units": "/api/v1/registry/units/",
}
SYNC = {name: f"client: sync {name}" for name in SYNC_ENDPOINTS}

ALL = [
    LOGIN_PAGE, LOGIN_POST, TOKEN,
    HOME, PERSON_LIST, PERSON_SEARCH, DISPUTE_LIST, DISPUTE_DETAIL, BEAT, CHECKIN_PAGE, CHECKIN_POST, BEAT_JSON,
    DASHBOARD, DASHBOARD_REGION, DASHBOARD_STATION,
    *SYNC.values(),
]  # fmt: skip
