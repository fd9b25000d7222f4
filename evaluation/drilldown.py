"""Why did we lose points, down to the records: for an indicator's metric and a scored unit and period,
the pages of the source apps that list the records behind the figure, through their existing URLs
and filters (a station gets its filtered lists; a county or city the app's drill-down page for the
unit, from which it reaches its stations' lists).

Pure URL building: no database query."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


def _url(name: str, **query: Any) -> str | None:
    try:
        base = reverse(name)
    except NoReverseMatch:
        return None
    params = {key: value for key, value in query.items() if value not in (None, "")}
    return f"{base}?{urlencode(params)}" if params else base


def _months(start: dt.date, end: dt.date) -> dict[str, int]:
    """The period as the disputes figures page takes it (``year``, ``from``, ``to`` months)."""
    return {"year": end.year, "from": start.month if start.year == end.year else 1, "to": end.month}


def record_links(metric: str, *, station_id: int | None, region_id: int | None, start: dt.date,
                 end: dt.date) -> list[dict[str, Any]]:
    """``[{"label", "url"}]`` of the pages listing the records behind ``metric`` for the unit (a
    station, else the region) and the period ``start``–``end``; empty when the metric has none."""
    day = {"found_after": start.isoformat(), "found_before": end.isoformat()}
    closed = {"closed_after": start.isoformat(), "closed_before": end.isoformat()}
    unit = f"station:{station_id}" if station_id else f"region:{region_id}"
    monday = end - dt.timedelta(days=end.weekday())
    links: list[tuple[Any, str | None]] = []

    if metric in ("registry_completeness", "registry_accuracy", "registry_freshness"):
        dimension = metric.removeprefix("registry_")
        links = [(_("Failing records"), _url("registry:quality-issues", dimension=dimension, station=station_id))]
    elif metric == "checkin_compliance":
        links = [(_("Check-in compliance"), _url("beats:compliance", unit=unit, month=f"{end:%Y-%m}"))]
    elif metric == "dispute_resolution":
        if station_id:
            links = [(_("Disputes found in the period"), _url("disputes:list", station=station_id, **day))]
        else:
            links = [(_("Dispute figures"), _url("disputes:figures", unit=unit, **_months(start, end)))]
    elif metric == "dispute_escalations":
        if station_id:
            links = [
                (_("Escalated to criminal cases"),
                 _url("disputes:list", station=station_id, state="escalated_criminal", **closed)),
                (_("Escalated to homicides"),
                 _url("disputes:list", station=station_id, state="escalated_homicide", **closed)),
            ]
        else:
            links = [(_("Dispute figures"), _url("disputes:figures", unit=unit, **_months(start, end)))]
    elif metric == "inspection_coverage":
        links = [(_("Inspections and coverage"), _url("registry:inspections", week=monday.isoformat()))]
        if station_id:
            links.append((_("Key venues"), _url("registry:unit_list", station=station_id, key_venue="true",
                                                deleted="false")))
    elif metric == "eight_nos_share":
        if station_id:
            links = [(_("Communities that broke one of the eight nos"),
                      _url("beats:community_list", station=station_id, year=end.year, holds="broken"))]
        else:
            links = [(_("Communities by unit"), _url("beats:index", unit=unit, year=end.year))]
    elif metric == "household_head_activity":
        if station_id:
            links = [
                (_("Household heads"), _url("beats:head_list", station=station_id, is_active="true")),
                (_("Confirmed activities in the period"),
                 _url("beats:activity_list", station=station_id, status="confirmed",
                      occurred_from=start.isoformat(), occurred_to=end.isoformat())),
            ]
        else:
            links = [(_("Household heads by unit"), _url("beats:index", unit=unit, year=end.year))]
    elif metric == "award_share":
        links = [(_("Award share by issuing unit"), _url("rewards:share", year=end.year))]
        awards = {"individual": "true", "confirmed": "true", "awarded_from": start.isoformat(),
                  "awarded_until": end.isoformat()}
        if station_id:  # the awards list filters by the recipient's station, not by region
            links.append((_("Individual awards in the period"), _url("rewards:index", station=station_id, **awards)))
    return [{"label": label, "url": url} for label, url in links if url]
