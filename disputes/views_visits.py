"""Pages of door-to-door visits (phone first): find the house or unit by its address, record the
visit on the doorstep, the list of visits, one visit, and coverage per beat with the households
never visited. Jurisdiction comes from ``stations.views``; the write goes through
``disputes.visits.visit_record``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import DetailView, TemplateView

from common.paging import KeysetPage, decode_cursor, encode_cursor
from disputes import selectors
from disputes.filters import VisitFilterSet
from disputes.forms import VisitForm, apply_errors
from disputes.models import Visit
from disputes.views import WriterRequiredMixin
from disputes.visits import ConflictInput, visit_record
from stations.api.permissions import can_write
from stations.jurisdiction import scope
from stations.models import Station
from stations.views import ScopedKeysetListView, ScopedViewMixin, get_scoped_object_or_404

SEARCH_LIMIT = 20
NEVER_PAGE = 50


class VisitStartView(LoginRequiredMixin, WriterRequiredMixin, TemplateView):
    """Step one on the doorstep: type part of the address (or the unit's name), pick the house."""

    template_name = "disputes/visit_start.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from registry.models import House, Unit

        user = self.request.user
        q = self.request.GET.get("q", "").strip()[:100]
        houses: list[Any] = []
        units: list[Any] = []
        if len(q) >= 2:
            houses = list(
                scope(House.objects.filter(deleted=False, address__full_text__icontains=q), user)
                .select_related("address")
                .order_by("address__code")[:SEARCH_LIMIT]
            )
            units = list(
                scope(
                    Unit.objects.filter(deleted=False).filter(
                        Q(name__icontains=q) | Q(address__full_text__icontains=q)
                    ),
                    user,
                )
                .select_related("address")
                .order_by("name")[:SEARCH_LIMIT]
            )
        return super().get_context_data(q=q, houses=houses, units=units, limit=SEARCH_LIMIT, **kwargs)


class VisitCreateView(LoginRequiredMixin, WriterRequiredMixin, TemplateView):
    """Step two: the visit form for one house (with its residents) or one unit."""

    template_name = "disputes/visit_form.html"
    kind = "house"

    def place(self) -> Any:
        from registry.models import House, Unit

        model = House if self.kind == "house" else Unit
        return get_scoped_object_or_404(
            model.objects.filter(deleted=False).select_related("address"),
            self.request.user,
            pk=self.kwargs["pk"],
        )

    def residents(self, place: Any) -> list[Any]:
        from registry.models import Person, Residence

        if self.kind != "house":
            return []
        today = timezone.localdate()
        living = Residence.objects.filter(house=place, start__lte=today).filter(
            Q(end__isnull=True) | Q(end__gte=today)
        )
        return list(
            scope(Person.objects.filter(deleted=False), self.request.user)
            .filter(Q(pk__in=living.values("person_id")) | Q(address_id=place.address_id))
            .order_by("name", "pk")
        )

    def form(self, place: Any) -> VisitForm:
        data = self.request.POST if self.request.method == "POST" else None
        return VisitForm(
            data, user=self.request.user, station_id=place.station_id, residents=self.residents(place)
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        place = kwargs.pop("place", None) or self.place()
        if "form" not in kwargs:
            kwargs["form"] = self.form(place)
        return super().get_context_data(place=place, kind=self.kind, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        place = self.place()
        form = self.form(place)
        if form.is_valid():
            data = form.cleaned_data
            findings = form.findings()
            conflict = None
            if data["conflict"]:
                conflict = ConflictInput(
                    title=data["conflict_title"],
                    kind=data["conflict_kind"] or "neighbour",
                    risk=data["conflict_risk"] or "low",
                )
            try:
                visit = visit_record(
                    user=request.user,  # type: ignore[arg-type]
                    house=place if self.kind == "house" else None,
                    unit=place if self.kind == "unit" else None,
                    officer=data["officer"],
                    household_head=data["household_head"],
                    visited_on=data["visited_on"],
                    purpose=data["purpose"],
                    met=data["met"],
                    notes=data["notes"],
                    confirmed=findings["confirmed"],
                    changed=findings["changed"],
                    moved_out=findings["moved_out"],
                    conflict=conflict,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The visit is recorded."))
                if visit.dispute_id:
                    messages.info(request, _("A dispute was opened in screening."))
                return redirect("disputes:visit_detail", pk=visit.pk)
        return self.render_to_response(self.get_context_data(form=form, place=place))


class VisitListView(ScopedKeysetListView):
    """Visits in the user's jurisdiction, newest first, filtered with the API's FilterSet."""

    model = Visit
    template_name = "disputes/visit_list.html"
    filterset_class = VisitFilterSet
    filter_fields = ("q", "purpose", "beat", "officer", "visited_after", "visited_before")
    paginate_by = 50

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("house__address", "unit", "officer", "station")

    def paginate_queryset(
        self, queryset: Any, page_size: int
    ) -> tuple[None, KeysetPage[Any], list[Any], bool]:
        """Keyset paging newest first (descending id): no COUNT(*), constant time at any depth."""
        qs = queryset.order_by("-id")
        values = decode_cursor(self.request.GET.get("after", "")) if self.request.GET.get("after") else None
        if values and len(values) == 1 and isinstance(values[0], int):
            qs = qs.filter(id__lt=values[0])
        rows = list(qs[: page_size + 1])
        more = len(rows) > page_size
        rows = rows[:page_size]
        page = KeysetPage(items=rows, next_cursor=encode_cursor([rows[-1].pk]) if more and rows else None)
        return None, page, rows, more

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(can_write=can_write(self.request.user), **kwargs)


class VisitDetailView(ScopedViewMixin, DetailView):  # type: ignore[type-arg]
    model = Visit
    template_name = "disputes/visit_detail.html"
    context_object_name = "visit"

    def get_queryset(self) -> Any:
        return (
            super()
            .get_queryset()
            .select_related(
                "house__address",
                "unit__address",
                "officer",
                "household_head",
                "station",
                "beat",
                "dispute",
                "recorded_by",
            )
            .prefetch_related("persons__person")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(can_write=can_write(self.request.user), **kwargs)


class CoverageView(LoginRequiredMixin, TemplateView):
    """Coverage of the households this quarter and this year, per beat (a station's user, or a
    station picked with ``?station=``) or per station (users above the stations)."""

    template_name = "disputes/coverage.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        raw = self.request.GET.get("station", "")
        station: Station | None = None
        if raw:
            if not raw.isdigit():
                raise Http404
            station = get_scoped_object_or_404(Station, user, pk=int(raw))
        elif getattr(user, "home_station_id", None):
            station = user.home_station  # type: ignore[union-attr]
        coverage = selectors.visit_coverage(user=user, today=timezone.localdate(), station=station)
        return super().get_context_data(
            coverage=coverage, station=station, per_beat=station is not None, **kwargs
        )


class NeverVisitedView(LoginRequiredMixin, TemplateView):
    """The households of a beat never visited, by address, paged by key (``?after=``)."""

    template_name = "disputes/never_visited.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from beats.models import Beat

        user = self.request.user
        beat = get_scoped_object_or_404(Beat.objects.select_related("station"), user, pk=self.kwargs["pk"])
        qs = selectors.never_visited(user=user, today=timezone.localdate(), beat=beat).order_by("id")
        values = decode_cursor(self.request.GET.get("after", "")) if self.request.GET.get("after") else None
        if values and len(values) == 1 and isinstance(values[0], int):
            qs = qs.filter(id__gt=values[0])
        rows = list(qs[: NEVER_PAGE + 1])
        more = len(rows) > NEVER_PAGE
        rows = rows[:NEVER_PAGE]
        return super().get_context_data(
            beat=beat,
            houses=rows,
            page_obj=KeysetPage(
                items=rows, next_cursor=encode_cursor([rows[-1].pk]) if more and rows else None
            ),
            can_write=can_write(user),
            **kwargs,
        )
