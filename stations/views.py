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

import base64
import datetime as dt
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import django_otp
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView, TemplateView
from django_filters import FilterSet
from django_otp.plugins.otp_totp.models import TOTPDevice

from common.paging import KeysetPage, keyset_page
from stations import selectors, services
from stations.choices import FacilityKind, OfficerKind, Role
from stations.filters import DeniedAccessFilterSet, OfficerFilterSet, StationFilterSet
from stations.forms import bootstrap_form, label_filter_choices
from stations.jurisdiction import record_404, scope
from stations.models import DeniedAccess, Facility, Officer, Region, Station
from stations.twofactor import confirmed_device


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


# --- Two-factor sign-in (TOTP) ------------------------------------------------------------------------


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("home")


class TwoFactorVerifyView(LoginRequiredMixin, TemplateView):
    """Second step of sign-in: the current code of the user's authenticator. A code is accepted once."""

    template_name = "registration/two_factor_verify.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if confirmed_device(request.user) is None:
            return redirect(f"{reverse('two_factor_enrol')}?{urlencode({'next': _safe_next(request)})}")
        return super().get(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        device = services.totp_verify(user=request.user, token=request.POST.get("otp_token", ""))  # type: ignore[arg-type]
        if device is None:
            return self.render_to_response(self.get_context_data(error=True), status=200)
        django_otp.login(request, device)
        return redirect(_safe_next(request))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(next=_safe_next(self.request), **kwargs)


class TwoFactorEnrolView(LoginRequiredMixin, TemplateView):
    """Enrol an authenticator app: the page shows the ``otpauth://`` URI and the secret (to type in or
    to turn into a QR code); a code from the app confirms it and verifies this session. Replacing an
    enrolled authenticator needs a session already verified with it."""

    template_name = "registration/two_factor_enrol.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if user.is_authenticated and confirmed_device(user) is not None and not user.is_verified():  # type: ignore[union-attr]
            return redirect(f"{reverse('two_factor_verify')}?{urlencode({'next': _safe_next(request)})}")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        device = services.totp_device_start(user=request.user)  # type: ignore[arg-type]
        return self.render_to_response(self.get_context_data(device=device))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        device = services.totp_device_confirm(user=request.user, token=request.POST.get("otp_token", ""))  # type: ignore[arg-type]
        if device is None:
            pending = TOTPDevice.objects.filter(user=request.user, confirmed=False).order_by("-pk").first()
            if pending is None:
                return redirect(reverse("two_factor_enrol"))
            return self.render_to_response(self.get_context_data(device=pending, error=True))
        django_otp.login(request, device)
        messages.success(request, _("Your authenticator is enrolled; sign-in now asks for its code."))
        return redirect(_safe_next(request))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        device = kwargs.get("device")
        if device is not None:
            kwargs["otpauth_uri"] = device.config_url
            kwargs["secret"] = base64.b32encode(device.bin_key).decode()
        return super().get_context_data(next=_safe_next(self.request), **kwargs)


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

    def get_object(self, queryset: QuerySet[Any] | None = None) -> Any:
        """A detail page's object; its 404 (out of scope or missing, the same page) is logged."""
        try:
            return super().get_object(queryset)  # type: ignore[misc]
        except Http404:
            pk = self.kwargs.get(getattr(self, "pk_url_kwarg", "pk"))
            if pk is not None:
                model = (queryset if queryset is not None else self.get_queryset()).model
                record_404(
                    user=self.request.user, model=model, lookup={"pk": pk},
                    path=self.request.path, method=self.request.method or "",
                )
            raise


def get_scoped_object_or_404(
    queryset: QuerySet[Any] | type[Model], user: Any, *, request: HttpRequest | None = None, **lookup: Any
) -> Any:
    """Fetch one object inside ``user``'s jurisdiction, or raise 404 (also for a malformed lookup).
    The 404 is logged in ``DeniedAccess`` (with the request's path when ``request`` is given)."""
    qs = queryset._default_manager.all() if isinstance(queryset, type) else queryset
    try:
        return scope(qs, user).get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError) as exc:
        record_404(
            user=user, model=qs.model, lookup=lookup,
            path=request.path if request is not None else "", method=request.method or "" if request else "",
        )
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


def unit_breadcrumbs(
    unit: Region | Station | None, user: Any, unit_url: Callable[[str, int], str]
) -> list[dict[str, Any]]:
    """The units from the top of ``user``'s jurisdiction down to ``unit``, each linked through
    ``unit_url(kind, pk)`` except the last (the current one). One query, whatever the depth."""
    if unit is None:
        return []
    path = unit.county.path if isinstance(unit, Station) else unit.path
    codes = [code for code in path.split("/") if code]
    crumbs: list[dict[str, Any]] = [
        {"name": region.name, "url": unit_url("region", region.pk)}
        for region in Region.objects.for_user(user).filter(code__in=codes).order_by("path")
    ]
    if isinstance(unit, Station):
        crumbs.append({"name": unit.name, "url": None})
    if crumbs:
        crumbs[-1]["url"] = None
    return crumbs


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
        return unit_breadcrumbs(unit, self.request.user, self.unit_url)

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



# --- the log of denied attempts (auditor) -------------------------------------------------------------


class AuditLogListView(LoginRequiredMixin, ListView):  # type: ignore[type-arg]
    """Base of the auditor's logs: auditors (and superusers) only; the rows of ``base_queryset()``
    through ``filterset_class``, newest first, keyset-paged by id (``?before=<id>``)."""

    page_size = 50
    filterset_class: type[Any]
    filter_field_names: tuple[str, ...] | None = None  # the filters shown; None: all of them

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not (request.user.role == Role.AUDITOR or request.user.is_superuser):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def base_queryset(self) -> QuerySet[Any]:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet[Any]:
        base = self.base_queryset()
        self.filterset = self.filterset_class(self.request.GET or None, queryset=base, request=self.request)
        bootstrap_form(self.filterset.form, size="sm")
        if self.filterset.is_bound and not self.filterset.is_valid():
            return base.none()
        qs = self.filterset.qs.order_by("-id")
        before = self.request.GET.get("before", "")
        if before.isdigit():
            qs = qs.filter(id__lt=int(before))
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        rows = list(self.object_list[: self.page_size + 1])
        more = len(rows) > self.page_size
        rows = rows[: self.page_size]
        form = self.filterset.form
        return super().get_context_data(
            rows=rows, next_before=rows[-1].pk if more and rows else None, filter=self.filterset,
            filter_fields=[form[name] for name in self.filter_field_names or form.fields],
            is_filtered=any(self.request.GET.get(name) for name in form.fields), **kwargs,
        )


class DeniedAccessListView(AuditLogListView):
    """Requests for single objects that answered 404; whether each object existed outside the
    caller's jurisdiction (denied) or not at all (not found)."""

    template_name = "stations/denied_access.html"
    filterset_class = DeniedAccessFilterSet

    def base_queryset(self) -> QuerySet[Any]:
        return scope(DeniedAccess.objects.select_related("user"), self.request.user)
