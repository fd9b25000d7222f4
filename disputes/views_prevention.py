"""Pages of mass prevention (群防群治) and training (三会一懂): the station's activities with counts
per station and kind this year, recording an activity; who is trained in what, recording a session.
Writes go through ``disputes.prevention``; recording is for a station's users."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from disputes import selectors
from disputes.choices import PreventionKind, TrainingSkill
from disputes.forms import PreventionForm, TrainingForm, apply_errors
from disputes.models import PreventionActivity, TrainingSession
from disputes.prevention import prevention_activity_record, training_session_record
from disputes.views import WriterRequiredMixin
from stations.api.permissions import can_write
from stations.jurisdiction import scope
from stations.models import Station
from stations.views import get_scoped_object_or_404

RECENT = 30


def _station(request: HttpRequest) -> Station | None:
    raw = request.GET.get("station", "")
    if raw:
        if not raw.isdigit():
            raise Http404
        return get_scoped_object_or_404(Station, request.user, pk=int(raw))
    return getattr(request.user, "home_station", None)


class PreventionView(LoginRequiredMixin, TemplateView):
    template_name = "disputes/prevention.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        today = timezone.localdate()
        recent = (
            scope(PreventionActivity.objects.all(), user)
            .select_related("station")
            .order_by("-held_on", "-id")
        )
        return super().get_context_data(
            since=dt.date(today.year, 1, 1),
            counts=selectors.prevention_counts(user=user, since=dt.date(today.year, 1, 1), until=today),
            kinds=PreventionKind.choices,
            recent=list(recent[:RECENT]),
            can_record=can_write(user) and getattr(user, "home_station_id", None) is not None,
            **kwargs,
        )


class _StationFormView(LoginRequiredMixin, WriterRequiredMixin, TemplateView):
    template_name = "disputes/simple_form.html"
    form_class: Any = None
    heading = ""
    back = ""

    def station(self) -> Station:
        station = getattr(self.request.user, "home_station", None)
        if station is None:
            raise Http404(_("Record this from a station's account."))
        return station

    def make_form(self) -> Any:
        data = self.request.POST if self.request.method == "POST" else None
        return self.form_class(data, user=self.request.user, station_id=self.station().pk)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        kwargs.setdefault("form", self.make_form())
        return super().get_context_data(heading=self.heading, back=self.back, **kwargs)

    def record(self, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.make_form()
        if form.is_valid():
            try:
                self.record(dict(form.cleaned_data))
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect(self.back)
        return self.render_to_response(self.get_context_data(form=form))


class PreventionCreateView(_StationFormView):
    form_class = PreventionForm
    back = "disputes:prevention"

    @property
    def heading(self) -> str:  # type: ignore[override]
        return _("Record a mass-prevention activity")

    def record(self, data: dict[str, Any]) -> Any:
        return prevention_activity_record(user=self.request.user, station=self.station(), **data)  # type: ignore[arg-type]


class TrainingView(LoginRequiredMixin, TemplateView):
    """Who at a station is trained in which of the four skills, and the station's recent sessions."""

    template_name = "disputes/training.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        station = _station(self.request)
        stations = []
        if getattr(user, "home_station_id", None) is None:
            stations = list(scope(Station.objects.order_by("code"), user).values("pk", "name")[:500])
        rows = selectors.training_matrix(user=user, station=station) if station is not None else []
        sessions = (
            list(
                scope(TrainingSession.objects.filter(station=station), user).order_by("-held_on", "-id")[
                    :RECENT
                ]
            )
            if station is not None
            else []
        )
        return super().get_context_data(
            station=station,
            stations=stations,
            rows=rows,
            skills=TrainingSkill.choices,
            sessions=sessions,
            can_record=can_write(user) and getattr(user, "home_station_id", None) is not None,
            **kwargs,
        )


class TrainingCreateView(_StationFormView):
    form_class = TrainingForm
    back = "disputes:training"

    @property
    def heading(self) -> str:  # type: ignore[override]
        return _("Record a training session")

    def record(self, data: dict[str, Any]) -> Any:
        return training_session_record(user=self.request.user, station=self.station(), **data)  # type: ignore[arg-type]
