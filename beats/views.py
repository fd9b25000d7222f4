"""Pages of community policing. Jurisdiction comes from the stations app's view mixins (never by
hand); writes go through ``beats.services``; lists page by keyset, never COUNT(*)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, TemplateView

from beats import selectors, services
from beats.choices import ALL_EIGHT, FIRST_FOUR, ActivityStatus, EightNo
from beats.filters import (
    BeatFilterSet,
    CheckInFilterSet,
    CommunityFilterSet,
    HouseholdHeadActivityFilterSet,
    HouseholdHeadFilterSet,
    PoliceRoomFilterSet,
    parse_month,
)
from beats.forms import (
    ActivityDecisionForm,
    ActivityForm,
    BeatAssignForm,
    BreachForm,
    CertifyForm,
    CheckInPolicyForm,
    CheckInReviewForm,
    HouseholdHeadForm,
    PoliceRoomForm,
)
from beats.masking import mask_national_id, mask_phone, sees_personal_data
from beats.models import (
    Beat,
    BeatAssignment,
    CheckIn,
    CheckInPolicy,
    Community,
    EightNosBreach,
    EightNosStatus,
    HouseholdHead,
    HouseholdHeadActivity,
    PoliceRoom,
)
from beats.models.eightnos import status_field
from beats.permissions import can_enter, can_manage, can_set_policy
from common.paging import KeysetPage, decode_cursor, encode_cursor
from stations.models import Region, Station
from stations.views import ScopedKeysetListView, ScopedViewMixin, get_scoped_object_or_404, unit_breadcrumbs

# --- helpers ---------------------------------------------------------------------------------------


def _form_errors(form: Any, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form (field errors on their fields where they exist)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class NewestFirstMixin:
    """Keyset paging newest first: ``common.paging.keyset_page`` pages ascending only, so lists whose
    users want the latest rows first (check-ins, activities) page down a descending unique key here,
    still without COUNT(*)."""

    request: HttpRequest
    newest_first: tuple[str, ...] = ("id",)

    def paginate_queryset(self, queryset: Any, page_size: int) -> tuple[None, KeysetPage[Any], list[Any], bool]:
        fields = self.newest_first
        qs = queryset.order_by(*(f"-{f}" for f in fields))
        values = decode_cursor(self.request.GET.get("after") or "") if self.request.GET.get("after") else None
        if values is not None and len(values) == len(fields):
            before = Q()
            for i, name in enumerate(fields):
                step = Q(**{f"{name}__lt": values[i]})
                for prior, value in zip(fields[:i], values[:i], strict=False):
                    step &= Q(**{prior: value})
                before |= step
            qs = qs.filter(before)
        rows = list(qs[: page_size + 1])
        more = len(rows) > page_size
        rows = rows[:page_size]
        cursor = encode_cursor([getattr(rows[-1], f) for f in fields]) if more and rows else None
        page: KeysetPage[Any] = KeysetPage(items=rows, next_cursor=cursor)
        return None, page, rows, more


def _error_message(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year", "")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else timezone.localdate().year


def _unit_from_query(request: HttpRequest) -> Region | Station | None:
    """``?unit=region:<id>`` or ``station:<id>`` within the user's jurisdiction (404 outside), else
    the user's home unit."""
    raw = request.GET.get("unit", "")
    if not raw:
        return getattr(request.user, "home_unit", None)
    kind, _sep, pk = raw.partition(":")
    if kind not in ("region", "station") or not pk.isdigit():
        raise Http404
    if kind == "station":
        return get_scoped_object_or_404(Station.objects.select_related("county"), request.user, pk=int(pk))
    return get_scoped_object_or_404(Region, request.user, pk=int(pk))


def _unit_url(name: str, kind: str, pk: int, request: HttpRequest, *keep: str) -> str:
    query = QueryDict(mutable=True)
    query["unit"] = f"{kind}:{pk}"
    for key in keep:
        if request.GET.get(key):
            query[key] = request.GET[key]
    return f"{reverse(name)}?{query.urlencode()}"


def _breadcrumbs(request: HttpRequest, name: str, unit: Region | Station | None, *keep: str) -> list[dict[str, Any]]:
    return unit_breadcrumbs(unit, request.user, lambda kind, pk: _unit_url(name, kind, pk, request, *keep))


# --- Overview: counts by unit, rolled up -----------------------------------------------------------------


class OverviewView(LoginRequiredMixin, TemplateView):
    """The section's landing page: beats, rooms (urban / rural / named after an officer),
    communities holding all eight nos and the first four, and household heads, for the user's unit
    and each unit below it (drill down province → city → county → station)."""

    template_name = "beats/index.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        request = self.request
        unit = _unit_from_query(request)
        year = _year(request)
        report = selectors.community_policing_counts(user=request.user, unit=unit, year=year)  # type: ignore[arg-type]
        rows = [
            {"counts": row, "url": _unit_url("beats:index", row.unit_kind, row.unit_id, request, "year")}
            for row in report.rows
        ]
        user = request.user
        station_id = getattr(user, "home_station_id", None)
        return super().get_context_data(
            unit=unit,
            unit_is_station=isinstance(unit, Station),
            year=year,
            total=report.total,
            rows=rows,
            breadcrumbs=_breadcrumbs(request, "beats:index", unit, "year"),
            my_beat=selectors.my_beat(user=user),  # type: ignore[arg-type]
            station_id=station_id if isinstance(unit, Station) else None,
            can_manage=can_manage(user),
            can_set_policy=can_set_policy(user),
            **kwargs,
        )


# --- Beats ------------------------------------------------------------------------------------------------------


class BeatListView(ScopedKeysetListView):
    queryset = Beat.objects.select_related("station", "officer")
    template_name = "beats/beat_list.html"
    filterset_class = BeatFilterSet
    filter_fields = ("q", "kind", "station", "staffed")
    keyset_ordering = ("code",)

    def get_filter_fields(self) -> tuple[str, ...]:
        if getattr(self.request.user, "home_station_id", None) is not None:
            return ("q", "kind", "officer", "staffed")
        return self.filter_fields


class BeatDetailView(ScopedViewMixin, DetailView):  # type: ignore[type-arg]
    """A beat: its boundary and recent check-ins drawn on a plain lon/lat chart, its officer and
    their assignment history, the communities it covers and its rooms."""

    queryset = Beat.objects.select_related("station", "officer")
    template_name = "beats/beat_detail.html"
    days = 30

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        beat: Beat = self.object
        user = self.request.user
        since = timezone.localdate() - dt.timedelta(days=self.days)
        check_ins = selectors.beat_check_ins(user=user, beat=beat, since=since)  # type: ignore[arg-type]
        labels = selectors.flag_labels()
        chart = {
            "boundary": beat.boundary,
            "check_ins": [
                {
                    "lon": c["lon"], "lat": c["lat"], "inside": c["inside_beat"], "counts": c["counts"],
                    "at": timezone.localtime(c["at"]).strftime("%Y-%m-%d %H:%M"), "officer": c["officer__name"],
                    "flags": [labels.get(f, f) for f in c["flags"]],
                }
                for c in check_ins
            ],
            "labels": {
                "boundary": _("Beat boundary"),
                "counted": _("Counted check-ins"),
                "flagged": _("Flagged check-ins"),
                "lon": _("Longitude"),
                "lat": _("Latitude"),
            },
        }
        assignments = BeatAssignment.objects.for_user(user).filter(beat=beat).select_related("officer").order_by("-start")
        communities = Community.objects.for_user(user).filter(beat=beat).order_by("code")
        rooms = PoliceRoom.objects.for_user(user).filter(beat=beat).select_related("named_after").order_by("code")
        manager = can_manage(user)
        return super().get_context_data(
            chart=chart,
            check_in_count=len(check_ins),
            flagged_count=sum(1 for c in check_ins if c["flags"]),
            days=self.days,
            assignments=list(assignments),
            communities=list(communities),
            rooms=list(rooms),
            can_manage=manager,
            assign_form=BeatAssignForm(user=user, beat=beat) if manager else None,  # type: ignore[arg-type]
            is_my_beat=getattr(user, "officer_id", None) is not None and beat.officer_id == user.officer_id,  # type: ignore[union-attr]
            **kwargs,
        )


class BeatAssignView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        beat = get_scoped_object_or_404(Beat, request.user, pk=pk)
        if not can_manage(request.user):
            raise PermissionDenied
        form = BeatAssignForm(request.POST, user=request.user, beat=beat)  # type: ignore[arg-type]
        if form.is_valid():
            try:
                services.beat_assign_officer(
                    user=request.user, beat=beat, officer=form.cleaned_data["officer"],  # type: ignore[arg-type]
                    full_time=form.cleaned_data["full_time"], on=form.cleaned_data["start"],
                )
                messages.success(request, _("The beat's dedicated officer was changed."))
            except ValidationError as exc:
                _error_message(request, exc)
        else:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
        return HttpResponseRedirect(reverse("beats:beat_detail", args=[beat.pk]))


# --- Police rooms -----------------------------------------------------------------------------------------------------


class RoomListView(ScopedKeysetListView):
    queryset = PoliceRoom.objects.select_related("station", "beat", "named_after")
    template_name = "beats/room_list.html"
    filterset_class = PoliceRoomFilterSet
    filter_fields = ("q", "kind", "station", "named", "is_active")
    keyset_ordering = ("code",)

    def get_filter_fields(self) -> tuple[str, ...]:
        if getattr(self.request.user, "home_station_id", None) is not None:
            return ("q", "kind", "beat", "named", "is_active")
        return self.filter_fields

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(can_manage=can_manage(self.request.user), **kwargs)


class RoomFormView(LoginRequiredMixin, View):
    """Open a police room, or change one (station head / province staff)."""

    template_name = "beats/room_form.html"

    def _room(self, request: HttpRequest, pk: int | None) -> PoliceRoom | None:
        room = get_scoped_object_or_404(PoliceRoom, request.user, pk=pk) if pk is not None else None
        if not can_manage(request.user):
            raise PermissionDenied
        return room

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        room = self._room(request, pk)
        form = PoliceRoomForm(instance=room, user=request.user)  # type: ignore[arg-type]
        return render(request, self.template_name, {"form": form, "room": room})

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        room = self._room(request, pk)
        form = PoliceRoomForm(request.POST, instance=room or PoliceRoom(), user=request.user)  # type: ignore[arg-type]
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in form.Meta.fields if name != "beat"}
            try:
                if room is None:
                    services.police_room_create(user=request.user, beat=form.cleaned_data["beat"], **data)  # type: ignore[arg-type]
                else:
                    services.police_room_update(user=request.user, room=room, beat=form.cleaned_data["beat"], **data)  # type: ignore[arg-type]
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("The police room was saved."))
                return HttpResponseRedirect(reverse("beats:room_list"))
        return render(request, self.template_name, {"form": form, "room": room})


# --- Check-ins ------------------------------------------------------------------------------------------------------


class CheckInPageView(LoginRequiredMixin, TemplateView):
    """The phone page: the browser's geolocation checks the officer in through the API (session and
    CSRF header) and the page shows whether the point is inside the beat and any flags."""

    template_name = "beats/checkin.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        beat = selectors.my_beat(user=user)  # type: ignore[arg-type]
        recent = selectors.recent_check_ins(user=user, officer=user.officer) if beat is not None else []  # type: ignore[arg-type, union-attr]
        labels = selectors.flag_labels()
        page = {
            "api_url": reverse("check-in-list"),
            "labels": {
                "inside": _("Inside your beat"),
                "outside": _("Outside your beat"),
                "counts": _("This check-in counts toward your monthly compliance."),
                "not_counted": _("This check-in is kept but flagged; it counts only if the station accepts it."),
                "locating": _("Finding your location…"),
                "sending": _("Checking in…"),
                "denied": _("Location permission was denied. Allow location for this site and try again."),
                "unavailable": _("Your location is not available right now. Try again outdoors."),
                "timeout": _("Finding your location took too long. Try again."),
                "unsupported": _("This browser cannot share its location."),
                "failed": _("The check-in was not recorded. Try again."),
                "accuracy": _("Accuracy: about {m} m"),
                "flags": labels,
            },
        }
        for item in recent:
            item.flag_labels = [labels.get(f, f) for f in item.flags]  # type: ignore[attr-defined]
        return super().get_context_data(beat=beat, recent=recent, page=page, **kwargs)


class CheckInListView(NewestFirstMixin, ScopedKeysetListView):
    queryset = CheckIn.objects.select_related("officer", "beat")
    template_name = "beats/checkin_list.html"
    filterset_class = CheckInFilterSet
    filter_fields = ("officer", "day_from", "day_to", "flagged", "flag", "review")
    newest_first = ("at", "id")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(can_manage=can_manage(self.request.user), **kwargs)
        labels = selectors.flag_labels()
        for item in context["object_list"]:
            item.flag_labels = [labels.get(f, f) for f in item.flags]
        return context


class CheckInReviewView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        check_in = get_scoped_object_or_404(CheckIn, request.user, pk=pk)
        form = CheckInReviewForm(request.POST)
        if form.is_valid():
            try:
                services.checkin_review(
                    user=request.user, check_in=check_in, accepted=form.cleaned_data["accepted"],  # type: ignore[arg-type]
                    note=form.cleaned_data["note"],
                )
                messages.success(request, _("The check-in was reviewed."))
            except ValidationError as exc:
                _error_message(request, exc)
        back = request.POST.get("next", "")
        return HttpResponseRedirect(back if back.startswith("/") and not back.startswith("//") else reverse("beats:checkin_list"))


class ComplianceView(LoginRequiredMixin, TemplateView):
    """Monthly check-in compliance: per officer at a station, per unit above it."""

    template_name = "beats/compliance.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        request = self.request
        user = request.user
        unit = _unit_from_query(request)
        month = parse_month(request.GET.get("month"), timezone.localdate())
        policy = services.policy_in_force(month)
        station = unit if isinstance(unit, Station) else None
        rows = selectors.compliance_rows(user=user, month=month, station=station)  # type: ignore[arg-type]
        summaries = []
        if isinstance(unit, Region):
            summaries = [
                {"summary": s, "url": _unit_url("beats:compliance", s.unit_kind, s.unit_id, request, "month"),
                 "share_pct": None if s.share_met is None else round(s.share_met * 100, 1)}
                for s in selectors.compliance_by_unit(user=user, unit=unit, rows=rows)  # type: ignore[arg-type]
            ]
        prev_month = (month - dt.timedelta(days=1)).replace(day=1)
        next_month = (month + dt.timedelta(days=32)).replace(day=1)
        return super().get_context_data(
            unit=unit,
            month=month,
            policy=policy,
            rows=rows if station is not None else [],
            summaries=summaries,
            officers=len(rows),
            met=sum(1 for r in rows if r.met),
            prev_url=f"?{_query(request, month=f'{prev_month:%Y-%m}')}",
            next_url=f"?{_query(request, month=f'{next_month:%Y-%m}')}" if next_month <= timezone.localdate() else None,
            breadcrumbs=_breadcrumbs(request, "beats:compliance", unit, "month"),
            **kwargs,
        )


def _query(request: HttpRequest, **changes: str) -> str:
    query = request.GET.copy()
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()


class PolicyView(LoginRequiredMixin, View):
    """The check-in policy in force and its history; province staff set a new one."""

    template_name = "beats/policy.html"

    def _context(self, form: CheckInPolicyForm | None) -> dict[str, Any]:
        today = timezone.localdate()
        return {
            "form": form,
            "current": services.policy_in_force(today),
            "policies": CheckInPolicy.objects.select_related("set_by").order_by("-effective_from")[:24],
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        form = CheckInPolicyForm(initial={"effective_from": timezone.localdate().replace(day=1)}) if can_set_policy(request.user) else None
        return render(request, self.template_name, self._context(form))

    def post(self, request: HttpRequest) -> HttpResponse:
        if not can_set_policy(request.user):
            raise PermissionDenied
        form = CheckInPolicyForm(request.POST)
        if form.is_valid():
            try:
                services.checkin_policy_set(user=request.user, **form.cleaned_data)  # type: ignore[arg-type]
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("The check-in policy was saved."))
                return HttpResponseRedirect(reverse("beats:policy"))
        return render(request, self.template_name, self._context(form))


# --- Communities and the eight nos -----------------------------------------------------------------------------------


class CommunityListView(ScopedKeysetListView):
    queryset = Community.objects.select_related("station", "beat")
    template_name = "beats/community_list.html"
    filterset_class = CommunityFilterSet
    filter_fields = ("q", "kind", "station", "holds", "year")
    keyset_ordering = ("code",)

    def get_filter_fields(self) -> tuple[str, ...]:
        if getattr(self.request.user, "home_station_id", None) is not None:
            return ("q", "kind", "beat", "holds", "year")
        return self.filter_fields

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        year = _year(self.request)
        items = context["object_list"]
        statuses = {
            s.community_id: s
            for s in EightNosStatus.objects.filter(community__in=items, year=year)
        }
        for item in items:
            status = statuses.get(item.pk)
            item.status = status
            item.all_eight = status is not None and all(getattr(status, status_field(i)) for i in ALL_EIGHT)
            item.first_four = status is not None and all(getattr(status, status_field(i)) for i in FIRST_FOUR)
        context["year"] = year
        return context


class CommunityDetailView(ScopedViewMixin, DetailView):  # type: ignore[type-arg]
    queryset = Community.objects.select_related("station", "beat__officer")
    template_name = "beats/community_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        community: Community = self.object
        year = _year(self.request)
        status = EightNosStatus.objects.filter(community=community, year=year).first()
        breaches = list(EightNosBreach.objects.filter(community=community, occurred_on__year=year).order_by("-occurred_on"))
        broken_by: dict[str, list[EightNosBreach]] = {}
        for breach in breaches:
            broken_by.setdefault(breach.item, []).append(breach)
        flags = [
            {
                "item": value, "label": label, "first_four": value in FIRST_FOUR,
                "held": getattr(status, status_field(value)) if status else None,
                "breaches": broken_by.get(value, []),
            }
            for value, label in EightNo.choices
        ]
        years = list(EightNosStatus.objects.filter(community=community).order_by("-year").values_list("year", flat=True))
        manager = can_manage(self.request.user)
        today = timezone.localdate()
        return super().get_context_data(
            year=year,
            years=years,
            status=status,
            flags=flags,
            all_eight=status is not None and all(f["held"] for f in flags),
            first_four=status is not None and all(f["held"] for f in flags if f["first_four"]),
            breaches=breaches,
            heads=list(HouseholdHead.objects.for_user(self.request.user).filter(community=community, is_active=True)),
            can_manage=manager,
            breach_form=BreachForm(initial={"occurred_on": today}) if manager else None,
            certify_form=CertifyForm(initial={"on": today}) if manager else None,
            **kwargs,
        )


class BreachCreateView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        community = get_scoped_object_or_404(Community, request.user, pk=pk)
        form = BreachForm(request.POST)
        year = timezone.localdate().year
        if form.is_valid():
            year = form.cleaned_data["occurred_on"].year
            try:
                services.eight_nos_breach_record(user=request.user, community=community, **form.cleaned_data)  # type: ignore[arg-type]
                messages.success(request, _("The breach was recorded."))
            except ValidationError as exc:
                _error_message(request, exc)
        else:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
        return HttpResponseRedirect(reverse("beats:community_detail", args=[community.pk]) + f"?year={year}")


class CertifyView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        community = get_scoped_object_or_404(Community, request.user, pk=pk)
        form = CertifyForm(request.POST)
        year = timezone.localdate().year
        if form.is_valid():
            year = form.cleaned_data["on"].year
            try:
                services.eight_nos_certify(user=request.user, community=community, year=year, on=form.cleaned_data["on"])  # type: ignore[arg-type]
                messages.success(request, _("The community was certified as holding all eight nos."))
            except ValidationError as exc:
                _error_message(request, exc)
        return HttpResponseRedirect(reverse("beats:community_detail", args=[community.pk]) + f"?year={year}")


# --- Household heads and their activities ---------------------------------------------------------------------------


class HeadListView(ScopedKeysetListView):
    queryset = HouseholdHead.objects.select_related("community", "station")
    template_name = "beats/head_list.html"
    filterset_class = HouseholdHeadFilterSet
    filter_fields = ("q", "station", "source", "is_active")
    keyset_ordering = ("station_id", "id")

    def get_filter_fields(self) -> tuple[str, ...]:
        if getattr(self.request.user, "home_station_id", None) is not None:
            return ("q", "community", "source", "is_active")
        return self.filter_fields

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(can_manage=can_manage(self.request.user), **kwargs)
        unmasked = sees_personal_data(self.request.user)
        for head in context["object_list"]:
            head.shown_id = head.national_id if unmasked else mask_national_id(head.national_id)
            head.shown_phone = head.phone if unmasked or not head.phone else mask_phone(head.phone)
        return context


class HeadCreateView(LoginRequiredMixin, View):
    template_name = "beats/head_form.html"

    def _check(self, request: HttpRequest) -> None:
        if not can_manage(request.user):
            raise PermissionDenied

    def get(self, request: HttpRequest) -> HttpResponse:
        self._check(request)
        form = HouseholdHeadForm(user=request.user, initial={"appointed_on": timezone.localdate()})  # type: ignore[arg-type]
        return render(request, self.template_name, {"form": form})

    def post(self, request: HttpRequest) -> HttpResponse:
        self._check(request)
        form = HouseholdHeadForm(request.POST, user=request.user)  # type: ignore[arg-type]
        if form.is_valid():
            try:
                head = services.household_head_appoint(user=request.user, **form.cleaned_data)  # type: ignore[arg-type]
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("The household head was appointed."))
                return HttpResponseRedirect(reverse("beats:head_detail", args=[head.pk]))
        return render(request, self.template_name, {"form": form})


class HeadDetailView(ScopedViewMixin, DetailView):  # type: ignore[type-arg]
    queryset = HouseholdHead.objects.select_related("community", "station", "appointed_by")
    template_name = "beats/head_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        head: HouseholdHead = self.object
        user = self.request.user
        unmasked = sees_personal_data(user)
        activities = list(
            HouseholdHeadActivity.objects.for_user(user).filter(head=head).select_related("decided_by").order_by("-occurred_on", "-id")[:100]
        )
        return super().get_context_data(
            shown_id=head.national_id if unmasked else mask_national_id(head.national_id),
            shown_phone=head.phone if unmasked or not head.phone else mask_phone(head.phone),
            activities=activities,
            confirmed=sum(1 for a in activities if a.status == ActivityStatus.CONFIRMED),
            activity_form=ActivityForm(user=user, head=head) if can_enter(user) and head.is_active else None,  # type: ignore[arg-type]
            can_manage=can_manage(user),
            **kwargs,
        )


class ActivityListView(NewestFirstMixin, ScopedKeysetListView):
    queryset = HouseholdHeadActivity.objects.select_related("head__community")
    template_name = "beats/activity_list.html"
    filterset_class = HouseholdHeadActivityFilterSet
    filter_fields = ("kind", "status", "occurred_from", "occurred_to")
    newest_first = ("occurred_on", "id")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(can_manage=can_manage(self.request.user), **kwargs)


class ActivityCreateView(LoginRequiredMixin, View):
    """Enter an activity a household head reports (from the head's page, or choosing the head)."""

    template_name = "beats/activity_form.html"

    def _head(self, request: HttpRequest) -> HouseholdHead | None:
        raw = request.POST.get("head") or request.GET.get("head") or ""
        if not can_enter(request.user):
            raise PermissionDenied
        if raw.isdigit():
            return get_scoped_object_or_404(HouseholdHead.objects.select_related("community"), request.user, pk=int(raw))
        if getattr(request.user, "home_station_id", None) is None:
            raise Http404  # above the station, activities are entered from the head's page
        return None

    def get(self, request: HttpRequest) -> HttpResponse:
        head = self._head(request)
        form = ActivityForm(user=request.user, head=head)  # type: ignore[arg-type]
        return render(request, self.template_name, {"form": form, "head": head})

    def post(self, request: HttpRequest) -> HttpResponse:
        head = self._head(request)
        form = ActivityForm(request.POST, user=request.user, head=head)  # type: ignore[arg-type]
        if form.is_valid():
            try:
                activity = services.household_head_activity_report(user=request.user, **form.cleaned_data)  # type: ignore[arg-type]
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("The activity was entered; it awaits the station's confirmation."))
                return HttpResponseRedirect(reverse("beats:head_detail", args=[activity.head_id]))
        return render(request, self.template_name, {"form": form, "head": head})


class ActivityDecideView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        activity = get_scoped_object_or_404(HouseholdHeadActivity, request.user, pk=pk)
        form = ActivityDecisionForm(request.POST)
        if form.is_valid():
            try:
                services.household_head_activity_decide(
                    user=request.user, activity=activity, confirm=form.cleaned_data["confirm"],  # type: ignore[arg-type]
                    note=form.cleaned_data["note"],
                )
                messages.success(request, _("The activity was decided."))
            except ValidationError as exc:
                _error_message(request, exc)
        back = request.POST.get("next", "")
        return HttpResponseRedirect(back if back.startswith("/") and not back.startswith("//") else reverse("beats:activity_list"))

