"""Pages of the stations app, and the view mixins every app's pages use for jurisdiction.

How a page applies jurisdiction (the one way, for every app):

* A list or detail page derives from :class:`ScopedViewMixin` placed *before* a Django generic view
  (``ListView``, ``DetailView``, ``UpdateView`` …) and names its ``model`` or ``queryset``. The mixin
  requires a signed-in user and passes whatever queryset the view builds through
  ``stations.jurisdiction.scope(queryset, request.user)``; so an object outside the user's subtree
  is simply not found and answers 404, exactly as a missing one.
* A big list page derives from :class:`ScopedKeysetListView`: jurisdiction first, then the app's
  FilterSet (the same one the API uses), then keyset paging (``common.paging.keyset_page``) — never
  a ``COUNT(*)``.
* A page that looks up an object from a query parameter uses :func:`get_scoped_object_or_404`.

Never filter by jurisdiction by hand in a view.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView, TemplateView
from django_filters import FilterSet

from common.paging import KeysetPage, keyset_page
from stations import selectors, services
from stations.choices import FacilityKind, OfficerKind, Role
from stations.filters import OfficerFilterSet, StationFilterSet
from stations.forms import bootstrap_form, label_filter_choices
from stations.jurisdiction import scope
from stations.models import Facility, Officer, Region, Station


class LoginView(auth_views.LoginView):
    """The sign-in page. Lockout after repeated failures is django-axes' (see settings)."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """Signing out ends every session and API token of the user, not just this browser's."""

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:  # type: ignore[no-untyped-def]
        if request.user.is_authenticated:
            services.user_end_all_sessions(user=request.user)  # type: ignore[arg-type]
        return super().post(request, *args, **kwargs)


# --- Jurisdiction for pages ----------------------------------------------------------------------


class ScopedViewMixin(LoginRequiredMixin):
    """Restricts a generic view's queryset to the signed-in user's jurisdiction.

    Put it first in the bases of any Django generic view that has ``get_queryset`` and set ``model``
    or ``queryset`` as usual (the model must declare a ``Jurisdiction`` and use ``ScopedManager``)::

        class DisputeDetailView(ScopedViewMixin, DetailView):
            model = Dispute

    Anonymous users are sent to the sign-in page; out-of-scope objects answer 404. Views that add
    their own filtering override ``get_queryset`` and start from ``super().get_queryset()``, which
    is already scoped.
    """

    request: HttpRequest

    def get_queryset(self) -> QuerySet[Any]:
        return scope(super().get_queryset(), self.request.user)  # type: ignore[misc]


def get_scoped_object_or_404(queryset: QuerySet[Any] | type[Model], user: Any, **lookup: Any) -> Any:
    """Fetch one object inside ``user``'s jurisdiction, or raise 404 (also for a malformed lookup)."""
    qs = queryset._default_manager.all() if isinstance(queryset, type) else queryset
    try:
        return scope(qs, user).get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


class ScopedKeysetListView(ScopedViewMixin, ListView):  # type: ignore[type-arg]
    """A list page over a big table: jurisdiction, then the FilterSet, then keyset paging.

    ``filterset_class``: the app's FilterSet (shared with its API viewset), fed with ``request.GET``.
    ``filter_fields``: the filters shown in the page's filter bar (all of the FilterSet's filters are
    still accepted in the URL, so other pages can link to e.g. ``?station=3&kind=police``).
    ``keyset_ordering``: unique, indexed ordering the pages follow. The context holds ``filter``,
    ``filter_fields`` (bound fields), ``page_obj`` (a :class:`KeysetPage` with ``next_cursor``)
    and ``object_list``. A request whose filters are invalid (e.g. a station outside the user's
    jurisdiction) shows the errors and no rows. No ``COUNT(*)`` is ever run. Templates include
    ``partials/filter_bar.html`` and ``partials/keyset_pager.html`` for the bar and the pager.
    """

    filterset_class: type[FilterSet] | None = None
    filter_fields: tuple[str, ...] = ()
    keyset_ordering: tuple[str, ...] = ("id",)
    paginate_by = 50
    filterset: FilterSet | None = None

    def get_filter_fields(self) -> tuple[str, ...]:
        return self.filter_fields

    def get_queryset(self) -> QuerySet[Any]:
        qs = super().get_queryset()
        if self.filterset_class is None:
            return qs
        self.filterset = self.filterset_class(self.request.GET or None, queryset=qs, request=self.request)
        bootstrap_form(label_filter_choices(self.filterset.form), size="sm")
        if self.filterset.is_bound and not self.filterset.is_valid():
            return qs.none()
        return self.filterset.qs

    def paginate_queryset(
        self, queryset: QuerySet[Any], page_size: int
    ) -> tuple[None, KeysetPage[Any], list[Any], bool]:
        page = keyset_page(
            queryset, after=self.request.GET.get("after"), size=page_size, ordering=self.keyset_ordering
        )
        return None, page, page.items, page.next_cursor is not None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = self.filterset.form if self.filterset is not None else None
        context["filter"] = self.filterset
        context["filter_fields"] = [form[name] for name in self.get_filter_fields()] if form is not None else []
        context["is_filtered"] = form is not None and any(
            self.request.GET.get(name) not in (None, "", "unknown") for name in form.fields
        )
        return context


# --- Pages -----------------------------------------------------------------------------------------


class HomeView(LoginRequiredMixin, TemplateView):
    """The landing page: who the user is, where they sit, and the links their role needs most."""

    template_name = "stations/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        links: list[dict[str, str]] = []
        station_id = getattr(user, "home_station_id", None)
        role = getattr(user, "role", None)
        if station_id is not None:
            links.append({
                "title": _("My station"),
                "text": _("Code, facilities, officers and terminals of your station."),
                "url": reverse("station_detail", args=[station_id]),
            })
            links.append({
                "title": _("Officers of my station"),
                "text": _("Officers and auxiliary officers posted at your station."),
                "url": reverse("officer_list") + f"?station={station_id}",
            })
        if role in (Role.COUNTY_STAFF, Role.CITY_STAFF, Role.PROVINCE_STAFF, Role.AUDITOR) or (
            station_id is None and role != Role.API_CLIENT
        ):
            links.append({
                "title": _("Police strength"),
                "text": _("How much of the force sits in stations, unit by unit, against last year."),
                "url": reverse("police_strength"),
            })
            links.append({
                "title": _("Stations"),
                "text": _("Every station in your jurisdiction."),
                "url": reverse("station_list"),
            })
            links.append({
                "title": _("Officers"),
                "text": _("Search officers by name or badge; filter by kind, station and terminal."),
                "url": reverse("officer_list"),
            })
        elif role == Role.STATION_HEAD:
            links.append({
                "title": _("Police strength"),
                "text": _("Your station's force against last year."),
                "url": reverse("police_strength"),
            })
        if role == Role.API_CLIENT:
            links.append({
                "title": _("API docs"),
                "text": _("The REST API under /api/v1/ and its OpenAPI schema."),
                "url": reverse("api-docs"),
            })
        return super().get_context_data(quick_links=links, **kwargs)


class StationListView(ScopedKeysetListView):
    queryset = Station.objects.select_related("county__parent")
    template_name = "stations/station_list.html"
    filterset_class = StationFilterSet
    filter_fields = ("name", "code", "kind", "within")
    keyset_ordering = ("code",)

    def get_filter_fields(self) -> tuple[str, ...]:
        if getattr(self.request.user, "home_station_id", None) is not None:
            return ("name", "code", "kind")  # a station's user has no regions to pick from
        return self.filter_fields


class StationDetailView(ScopedViewMixin, DetailView):  # type: ignore[type-arg]
    queryset = Station.objects.select_related("county__parent", "heating_retrofit")
    template_name = "stations/station_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        station: Station = self.object
        user = self.request.user
        today = timezone.localdate()
        # h2's selectors: a fixed number of queries each, jurisdiction checked again inside.
        summary = selectors.unit_summary(user=user, unit=station, on=today)
        strength = selectors.police_strength(user=user, unit=station, on=today).total
        have = {f.kind: f for f in Facility.objects.for_user(user).filter(station=station)}
        facilities = [{"kind": label, "facility": have.get(value)} for value, label in FacilityKind.choices]
        officer_list = reverse("officer_list")
        by_kind = [
            {
                "label": OfficerKind.POLICE.label,
                "count": summary.police,
                "terminals": summary.police_terminals,
                "url": f"{officer_list}?station={station.pk}&kind={OfficerKind.POLICE}",
            },
            {
                "label": OfficerKind.AUXILIARY.label,
                "count": summary.auxiliary,
                "terminals": summary.auxiliary_terminals,
                "url": f"{officer_list}?station={station.pk}&kind={OfficerKind.AUXILIARY}",
            },
        ]
        return super().get_context_data(
            by_kind=by_kind,
            officers_url=f"{officer_list}?station={station.pk}",
            terminals_url=f"{officer_list}?station={station.pk}&has_terminal=true",
            facilities=facilities,
            retrofit=getattr(station, "heating_retrofit", None),
            summary=summary,
            strength=_strength_figures(strength),
            strength_url=reverse("police_strength") + f"?unit=station:{station.pk}",
            **kwargs,
        )


class OfficerListView(ScopedKeysetListView):
    queryset = Officer.objects.select_related("station", "region")
    template_name = "stations/officer_list.html"
    filterset_class = OfficerFilterSet
    filter_fields = ("q", "kind", "station", "in_station", "has_terminal", "is_active")
    keyset_ordering = ("badge_number",)


def _pct(value: float | None, factor: float = 100) -> float | None:
    return None if value is None else round(value * factor, 1)


def _strength_figures(row: selectors.StrengthRow) -> dict[str, Any]:
    """A strength row with its ratios as percentages rounded for display."""
    return {
        "row": row,
        "share_pct": _pct(row.share),
        "last_year_share_pct": _pct(row.last_year_share),
        "share_change_points": _pct(row.share_change_points, 1),
        "in_stations_change_pct": _pct(row.in_stations_change),
    }


class PoliceStrengthView(LoginRequiredMixin, TemplateView):
    """Police strength of a unit's children, drilling down province → city → county → station.

    ``?unit=region:<id>`` or ``?unit=station:<id>`` picks the unit (default: the user's home unit);
    a unit outside the user's jurisdiction answers 404. ``?on=YYYY-MM-DD`` picks the date."""

    template_name = "stations/strength.html"
    unit_kinds: dict[str, type[Region] | type[Station]] = {"region": Region, "station": Station}

    def get_unit(self) -> Region | Station | None:
        raw = self.request.GET.get("unit", "")
        user = self.request.user
        if not raw:
            return getattr(user, "home_unit", None)
        kind, _sep, pk = raw.partition(":")
        model = self.unit_kinds.get(kind)
        if model is None or not pk.isdigit():
            raise Http404
        queryset = Station.objects.select_related("county") if model is Station else Region.objects.all()
        return get_scoped_object_or_404(queryset, user, pk=int(pk))

    def get_on(self) -> dt.date:
        try:
            return dt.date.fromisoformat(self.request.GET.get("on", ""))
        except ValueError:
            return timezone.localdate()

    def unit_url(self, kind: str, pk: int) -> str:
        query = QueryDict(mutable=True)
        query["unit"] = f"{kind}:{pk}"
        if "on" in self.request.GET:
            query["on"] = self.request.GET["on"]
        return f"{reverse('police_strength')}?{query.urlencode(safe=':')}"

    def breadcrumbs(self, unit: Region | Station | None) -> list[dict[str, Any]]:
        """The units from the top of the user's jurisdiction down to ``unit`` (the last is current)."""
        if unit is None:
            return []
        path = unit.county.path if isinstance(unit, Station) else unit.path
        codes = [code for code in path.split("/") if code]
        crumbs: list[dict[str, Any]] = [
            {"name": region.name, "url": self.unit_url("region", region.pk)}
            for region in Region.objects.for_user(self.request.user).filter(code__in=codes).order_by("path")
        ]
        if isinstance(unit, Station):
            crumbs.append({"name": unit.name, "url": self.unit_url("station", unit.pk)})
        if crumbs:
            crumbs[-1]["url"] = None
        return crumbs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        unit = self.get_unit()
        on = self.get_on()
        report = selectors.police_strength(user=self.request.user, unit=unit, on=on)
        rows: list[dict[str, Any]] = []
        if isinstance(unit, Region):  # a station's report is its own single row, shown as the total
            for row in report.rows:
                is_own_bureau = row.unit_kind == "region" and row.unit_id == unit.pk
                if is_own_bureau and not any(getattr(row, name) for name in selectors.COUNT_FIELDS):
                    continue  # no one posted at the bureau itself
                rows.append({
                    **_strength_figures(row),
                    "url": None if is_own_bureau else self.unit_url(row.unit_kind, row.unit_id),
                    "is_own_bureau": is_own_bureau,
                })
        chart = {
            "labels": {
                "police_total": _("Police officers"),
                "police_in_stations": _("In stations"),
                "share": _("Share in stations (%)"),
                "share_axis": _("Share (%)"),
                "count": _("Headcount"),
            },
            "rows": [
                {
                    "name": item["row"].name + (" " + _("(bureau)") if item["is_own_bureau"] else ""),
                    "police_total": item["row"].police_total,
                    "police_in_stations": item["row"].police_in_stations,
                    "share": item["share_pct"],
                    "url": item["url"],
                }
                for item in rows
            ],
        }
        return super().get_context_data(
            unit=unit,
            unit_is_station=isinstance(unit, Station),
            on=on,
            report=report,
            total=_strength_figures(report.total),
            rows=rows,
            chart=chart,
            breadcrumbs=self.breadcrumbs(unit),
            **kwargs,
        )

