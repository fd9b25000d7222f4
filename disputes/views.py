"""Pages of the disputes section. Jurisdiction comes from ``stations.views`` (``ScopedViewMixin``,
``ScopedKeysetListView``, ``get_scoped_object_or_404``); every write goes through
``disputes.services``; writes need a writing role (``stations.api.permissions.can_write``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import DetailView, TemplateView
from django.views.generic.detail import SingleObjectMixin

from common.paging import KeysetPage, decode_cursor, encode_cursor
from disputes import selectors, services, transitions
from disputes.choices import FollowUpOutcome, FollowUpStatus, MediationOutcome
from disputes.figures import Period, percent
from disputes.filters import DisputeFilterSet
from disputes.forms import (
    DisputeForm,
    FollowUpRecordForm,
    FollowUpScheduleForm,
    MediationSessionForm,
    PartyForm,
    PartyFormSet,
    TransitionForm,
    apply_errors,
)
from disputes.models import Dispute, FollowUp
from registry.masking import policy_for
from stations.api.permissions import can_write
from stations.jurisdiction import scope
from stations.models import Region, Station
from stations.views import ScopedKeysetListView, ScopedViewMixin, get_scoped_object_or_404, unit_breadcrumbs


class WriterRequiredMixin:
    """Forms that change dispute records need a writing role (403 otherwise)."""

    request: HttpRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not can_write(request.user):
            raise PermissionDenied(_("Your role may not change dispute records."))
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


# --- landing, board, list -----------------------------------------------------------------------


class IndexView(LoginRequiredMixin, TemplateView):
    """The section's landing page: what needs attention now, the station's disputes by state, and
    the way to the board, the list, the figures and a new dispute."""

    template_name = "disputes/index.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        station_id = getattr(user, "home_station_id", None)
        by_state: list[dict[str, Any]] = []
        if station_id is not None:
            counts = dict(
                scope(Dispute.objects.filter(station_id=station_id), user)
                .order_by()
                .values_list("state")
                .annotate(n=Count("id"))
            )
            list_url = reverse("disputes:list")
            for key, label, states in selectors.board_columns():
                query = QueryDict(mutable=True)
                if len(states) == 1:
                    query["state"] = states[0]
                by_state.append(
                    {
                        "key": key,
                        "label": label,
                        "count": sum(counts.get(s, 0) for s in states),
                        "url": reverse("disputes:board") + f"#col-{key}"
                        if len(states) > 1
                        else f"{list_url}?{query.urlencode()}",
                    }
                )
        return super().get_context_data(
            attention=selectors.dispute_attention(user=user, now=timezone.now()),
            by_state=by_state,
            can_write=can_write(user),
            **kwargs,
        )


class BoardView(LoginRequiredMixin, TemplateView):
    """A station's dispute board, one column per state (tabs on a phone). ``?station=<id>`` picks
    the station (default: the user's own); users above the stations pick one first."""

    template_name = "disputes/board.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        raw = self.request.GET.get("station", "")
        station: Station | None
        if raw:
            if not raw.isdigit():
                raise Http404
            station = get_scoped_object_or_404(Station, user, pk=int(raw))
        else:
            station = getattr(user, "home_station", None)
        stations = []
        if getattr(user, "home_station_id", None) is None:
            stations = list(scope(Station.objects.order_by("code"), user).values("pk", "name"))
        columns = selectors.dispute_board(user=user, station=station) if station is not None else []
        return super().get_context_data(
            station=station, stations=stations, columns=columns, can_write=can_write(user), **kwargs
        )


class DisputeListView(ScopedKeysetListView):
    """Disputes in the user's jurisdiction, newest first, filtered with the API's FilterSet."""

    model = Dispute
    template_name = "disputes/list.html"
    filterset_class = DisputeFilterSet
    filter_fields = ("q", "state", "kind", "risk", "officer", "found_after", "found_before")
    region_filter_fields = ("q", "state", "kind", "risk", "station", "found_after", "found_before")
    paginate_by = 50

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("station", "officer")

    def get_filter_fields(self) -> tuple[str, ...]:
        # A station's user picks among its officers; users above pick a station (a province has
        # thousands of officers: too many for a list box; ?officer= still works in the URL).
        if getattr(self.request.user, "home_station_id", None) is not None:
            return self.filter_fields
        return self.region_filter_fields

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


# --- one dispute --------------------------------------------------------------------------------


def timeline(dispute: Dispute) -> list[dict[str, Any]]:
    """The dispute's steps, mediation sessions and follow-up visits in date order (from the
    prefetched relations: no queries of its own)."""
    tz = timezone.get_current_timezone()

    def day_start(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time.min, tzinfo=tz)

    entries: list[dict[str, Any]] = []
    for step in dispute.transitions.all():
        entries.append({"kind": "transition", "when": step.at, "show_time": True, "object": step})
    for session in dispute.sessions.all():
        entries.append(
            {"kind": "session", "when": day_start(session.held_on), "show_time": False, "object": session}
        )
    for followup in dispute.followups.all():
        if followup.status == FollowUpStatus.DONE and followup.done_on:
            entries.append(
                {
                    "kind": "followup",
                    "when": day_start(followup.done_on),
                    "show_time": False,
                    "object": followup,
                }
            )
    entries.sort(key=lambda e: e["when"])
    return entries


class DisputeDetailView(ScopedViewMixin, DetailView):  # type: ignore[type-arg]
    template_name = "disputes/detail.html"
    context_object_name = "dispute"

    def get_queryset(self) -> Any:
        return selectors.dispute_detail_queryset(user=self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        dispute: Dispute = self.object
        user = self.request.user
        writer = can_write(user)
        pending = [f for f in dispute.followups.all() if f.status == FollowUpStatus.PENDING]
        return super().get_context_data(
            timeline=timeline(dispute),
            moves=transitions.allowed_moves(dispute.state),
            transition_form=TransitionForm(dispute=dispute) if writer else None,
            pending_followups=pending,
            can_write=writer,
            shows_phones=policy_for(user, self.request).unmasked(dispute.station_id),
            today=timezone.localdate(),
            **kwargs,
        )


class DisputeCreateView(LoginRequiredMixin, WriterRequiredMixin, TemplateView):
    """Record a new dispute with its parties (phone-first form)."""

    template_name = "disputes/dispute_form.html"

    def forms(self) -> tuple[DisputeForm, Any]:
        data = self.request.POST if self.request.method == "POST" else None
        return DisputeForm(data, user=self.request.user), PartyFormSet(data, prefix="parties")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        if "form" not in kwargs:
            kwargs["form"], kwargs["parties"] = self.forms()
        return super().get_context_data(
            creating=True, lookup_url=registry_lookup_url(), lookup_messages=lookup_messages(), **kwargs
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form, parties = self.forms()
        if form.is_valid() and parties.is_valid():
            data = dict(form.cleaned_data)
            station = data.pop("station", None) or request.user.home_station  # type: ignore[union-attr]
            party_inputs = [
                services.PartyInput(
                    role=p["role"],
                    name=p.get("name", ""),
                    phone=p.get("phone", ""),
                    national_id=p.get("national_id", ""),
                    person_id=p.get("person") or None,
                )
                for p in parties.cleaned_data
                if p and (p.get("name") or p.get("national_id") or p.get("person"))
            ]
            try:
                dispute = services.dispute_create(
                    user=request.user, station=station, parties=party_inputs, **data
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The dispute is recorded, in screening."))
                return redirect("disputes:detail", pk=dispute.pk)
        return self.render_to_response(self.get_context_data(form=form, parties=parties))


def lookup_messages() -> dict[str, str]:
    """What the national-ID look-up script says, in the user's language."""
    return {
        "looking": _("Looking the person up in the registry …"),
        "found": _("Found in the registry:"),
        "not_found": _("Not in the registry of your jurisdiction: type the name and phone."),
        "unavailable": _("The registry look-up is not available: type the name and phone."),
    }


def registry_lookup_url() -> str:
    """The registry's person look-up by national ID ("enter once"), if the registry provides it."""
    from django.urls import NoReverseMatch

    for name in ("registry-lookup-person", "registry:lookup-person", "person-lookup"):
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return "/api/v1/registry/lookup/person/"


class DisputeFormViewBase(ScopedViewMixin, WriterRequiredMixin, SingleObjectMixin, TemplateView):
    """A form page about one dispute in the user's jurisdiction (404 outside it)."""

    model = Dispute
    context_object_name = "dispute"
    template_name = "disputes/action_form.html"
    heading = ""

    def get_form(self, data: Any = None) -> Any:
        raise NotImplementedError

    def apply(self, form: Any) -> str:
        """Call the service; return the success message."""
        raise NotImplementedError

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        return self.render_to_response(self.get_context_data(form=self.get_form()))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        form = self.get_form(request.POST)
        if form.is_valid():
            try:
                message = self.apply(form)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, message)
                return HttpResponseRedirect(reverse("disputes:detail", args=[self.object.pk]))
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        kwargs.setdefault("heading", self.heading)
        return super().get_context_data(**kwargs)


class DisputeEditView(DisputeFormViewBase):
    template_name = "disputes/dispute_form.html"

    def get_form(self, data: Any = None) -> DisputeForm:
        return DisputeForm(data, instance=self.object, user=self.request.user, editing=True)

    def apply(self, form: DisputeForm) -> str:
        services.dispute_update(user=self.request.user, dispute=self.object, **form.cleaned_data)
        return _("The dispute's details are saved.")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(creating=False, **kwargs)


class TransitionView(DisputeFormViewBase):
    def get_form(self, data: Any = None) -> TransitionForm:
        return TransitionForm(data, dispute=self.object, initial={"to": self.request.GET.get("to")})

    def apply(self, form: TransitionForm) -> str:
        step = services.dispute_transition(
            dispute=self.object,
            to=form.cleaned_data["to"],
            note=form.cleaned_data["note"],
            user=self.request.user,
            at=form.cleaned_data["at"],
        )
        return _("The dispute is now: %(state)s.") % {"state": step.get_to_state_display()}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(heading=_("Next step"), transition=True, **kwargs)


class SessionCreateView(DisputeFormViewBase):
    def get_form(self, data: Any = None) -> MediationSessionForm:
        return MediationSessionForm(data, dispute=self.object, user=self.request.user)

    def apply(self, form: MediationSessionForm) -> str:
        data = form.cleaned_data
        services.mediation_session_record(
            user=self.request.user,
            dispute=self.object,
            held_on=data["held_on"],
            method=data["method"],
            outcome=data["outcome"],
            officer=data["officer"],
            mediators=data["mediators"],
            note=data["note"],
            resolve=data["resolve"]
            and data["outcome"] in (MediationOutcome.AGREEMENT, MediationOutcome.PARTIAL),
        )
        return _("The mediation session is recorded.")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(heading=_("Record a mediation session"), **kwargs)


class FollowUpScheduleView(DisputeFormViewBase):
    def get_form(self, data: Any = None) -> FollowUpScheduleForm:
        return FollowUpScheduleForm(data)

    def apply(self, form: FollowUpScheduleForm) -> str:
        services.followup_schedule(
            user=self.request.user, dispute=self.object, due_on=form.cleaned_data["due_on"]
        )
        return _("The follow-up visit is planned.")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(heading=_("Plan a follow-up visit"), **kwargs)


class FollowUpRecordView(DisputeFormViewBase):
    def get_followup(self) -> FollowUp:
        followup = FollowUp.objects.filter(dispute=self.object, pk=self.kwargs["followup_pk"]).first()
        if followup is None:
            raise Http404
        return followup

    def get_form(self, data: Any = None) -> FollowUpRecordForm:
        self.followup = self.get_followup()
        return FollowUpRecordForm(data, instance=self.followup, dispute=self.object, user=self.request.user)

    def apply(self, form: FollowUpRecordForm) -> str:
        data = form.cleaned_data
        reopen = data["reopen"] or data["outcome"] == FollowUpOutcome.FLARED_UP
        services.followup_record(
            user=self.request.user,
            followup=self.followup,
            done_on=data["done_on"],
            outcome=data["outcome"],
            note=data["note"],
            officer=data["officer"],
            reopen=reopen,
        )
        if reopen:
            return _("The follow-up visit is recorded and the dispute is reopened for mediation.")
        return _("The follow-up visit is recorded.")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            heading=_("Record a follow-up visit"), followup=self.followup, **kwargs
        )


class PartyAddView(DisputeFormViewBase):
    def get_form(self, data: Any = None) -> PartyForm:
        return PartyForm(data)

    def apply(self, form: PartyForm) -> str:
        data = form.cleaned_data
        services.party_add(
            user=self.request.user,
            dispute=self.object,
            party=services.PartyInput(
                role=data["role"],
                name=data["name"],
                phone=data["phone"],
                national_id=data["national_id"],
                person_id=data.get("person") or None,
            ),
        )
        return _("The party is added.")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            heading=_("Add a party"),
            lookup_url=registry_lookup_url(),
            lookup_messages=lookup_messages(),
            **kwargs,
        )


# --- figures ------------------------------------------------------------------------------------


class FiguresView(LoginRequiredMixin, TemplateView):
    """Dispute figures of a unit's children for a period against the same months last year,
    drilling down province → city → county → station.

    ``?unit=region:<id>`` / ``?unit=station:<id>`` picks the unit (default: the user's home unit;
    outside the jurisdiction: 404); ``?year=``, ``?from=`` and ``?to=`` (months) pick the period
    (default: this year to date)."""

    template_name = "disputes/figures.html"

    def get_unit(self) -> Region | Station | None:
        raw = self.request.GET.get("unit", "")
        user = self.request.user
        if not raw:
            return getattr(user, "home_unit", None)
        kind, _sep, pk = raw.partition(":")
        if kind not in ("region", "station") or not pk.isdigit():
            raise Http404
        if kind == "station":
            return get_scoped_object_or_404(Station.objects.select_related("county"), user, pk=int(pk))
        return get_scoped_object_or_404(Region.objects.all(), user, pk=int(pk))

    def get_period(self, today: dt.date) -> Period:
        def number(name: str, default: int, low: int, high: int) -> int:
            raw = self.request.GET.get(name, "")
            return int(raw) if raw.isdigit() and low <= int(raw) <= high else default

        year = number("year", today.year, 2000, today.year)
        first = number("from", 1, 1, 12)
        last = number("to", today.month if year == today.year else 12, 1, 12)
        if last < first:
            first, last = last, first
        return Period.months_of(year, first, last)

    def unit_url(self, kind: str, pk: int) -> str:
        query = QueryDict(mutable=True)
        query["unit"] = f"{kind}:{pk}"
        for name in ("year", "from", "to"):
            if self.request.GET.get(name):
                query[name] = self.request.GET[name]
        return f"{reverse('disputes:figures')}?{query.urlencode()}"

    def breadcrumbs(self, unit: Region | Station) -> list[dict[str, Any]]:
        return unit_breadcrumbs(unit, self.request.user, self.unit_url)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        today = timezone.localdate()
        unit = self.get_unit()
        period = self.get_period(today)
        report = selectors.dispute_figures(user=self.request.user, unit=unit, period=period) if unit else None
        rows = []
        if report is not None:
            for row in report.rows:
                rows.append({"row": row, "url": self.unit_url(row.unit_kind, row.unit_id)})
        list_url = None
        if isinstance(unit, Station):
            query = QueryDict(mutable=True)
            query.update(
                {
                    "station": unit.pk,
                    "found_after": period.first.isoformat(),
                    "found_before": period.end.isoformat(),
                }
            )
            list_url = f"{reverse('disputes:list')}?{query.urlencode()}"
        chart = {
            "labels": {
                "found": _("Found"),
                "resolved": _("Resolved"),
                "rate": _("Resolution rate (%)"),
                "last_rate": _("Resolution rate a year earlier (%)"),
                "count": _("Disputes"),
                "criminal": _("Became criminal cases"),
                "homicide": _("Became homicides"),
                "last_criminal": _("Criminal cases a year earlier"),
                "last_homicide": _("Homicides a year earlier"),
            },
            "rows": [
                {
                    "name": item["row"].name,
                    "url": item["url"],
                    "found": item["row"].this.found,
                    "resolved": item["row"].this.resolved,
                    "rate": percent(item["row"].rate),
                    "last_rate": percent(item["row"].last_rate),
                    "criminal": item["row"].this.criminal,
                    "homicide": item["row"].this.homicide,
                    "last_criminal": item["row"].last.criminal,
                    "last_homicide": item["row"].last.homicide,
                }
                for item in rows
            ],
        }
        years = list(range(today.year, today.year - 5, -1))
        months = [(m, dt.date(2000, m, 1)) for m in range(1, 13)]
        return super().get_context_data(
            unit=unit,
            report=report,
            period=period,
            last_period=period.last_year(),
            rows=rows,
            chart=chart,
            breadcrumbs=self.breadcrumbs(unit) if unit is not None else [],
            years=years,
            months=months,
            unit_param=self.request.GET.get("unit", ""),
            list_url=list_url,
            **kwargs,
        )
