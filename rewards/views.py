"""Pages of the rewards app: awards and batches, the 30 % share, household-head points and per-event rewards."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView

from rewards import selectors, services, shares
from rewards.filters import AwardBatchFilterSet, AwardFilterSet
from rewards.forms import AwardForm, BatchAwardForm, BatchForm, EventRewardForm
from rewards.models import Award, AwardBatch, BatchStatus
from stations.choices import Role
from stations.views import ScopedKeysetListView, ScopedViewMixin


def _year(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or _("You may not do this.")


class AwardListView(ScopedKeysetListView):
    """The landing page: this year's figures and the awards list."""

    model = Award
    queryset = Award.objects.select_related("level", "officer", "recipient_station", "recipient_region",
                                            "issuing_region", "issuing_station")
    template_name = "rewards/award_list.html"
    filterset_class = AwardFilterSet
    filter_fields = ("level", "awarded_from", "awarded_until", "wartime", "individual")
    keyset_ordering = ("-id",)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        year = _year(self.request)
        start, end = selectors.year_period(year)
        ctx.update(year=year, counts=selectors.award_counts(self.request.user, start=start, end=end),
                   can_enter=self.request.user.role in services.AWARD_ROLES)
        return ctx


class _FormPage(LoginRequiredMixin, View):
    form_class: type = AwardForm
    template_name = "rewards/form.html"
    title = ""

    def form(self, request: HttpRequest) -> Any:
        return self.form_class(request.POST or None, user=request.user)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render(request, self.form(request))

    def render(self, request: HttpRequest, form: Any, **extra: Any) -> HttpResponse:
        return render(request, self.template_name, {"form": form, "title": self.title, **extra})

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.form(request)
        if form.is_valid():
            try:
                return self.save(request, form.cleaned_data)
            except (ValidationError, PermissionDenied) as exc:
                form.add_error(None, _error_text(exc))
        return self.render(request, form)

    def save(self, request: HttpRequest, data: dict[str, Any]) -> HttpResponse:
        raise NotImplementedError


class AwardCreateView(_FormPage):
    title = _("New award")

    def save(self, request: HttpRequest, data: dict[str, Any]) -> HttpResponse:
        services.award_grant(user=request.user, **data)
        messages.success(request, _("The award was entered."))
        return HttpResponseRedirect(reverse("rewards:index"))


class BatchListView(ScopedKeysetListView):
    model = AwardBatch
    queryset = AwardBatch.objects.select_related("issuing_region", "issuing_station")
    template_name = "rewards/batch_list.html"
    filterset_class = AwardBatchFilterSet
    filter_fields = ("status",)
    keyset_ordering = ("-id",)


class BatchCreateView(_FormPage):
    form_class = BatchForm
    title = _("New commendation batch")

    def save(self, request: HttpRequest, data: dict[str, Any]) -> HttpResponse:
        batch = services.batch_create(user=request.user, **data)
        return HttpResponseRedirect(reverse("rewards:batch", args=[batch.pk]))


class BatchDetailView(ScopedViewMixin, DetailView):  # type: ignore[type-arg]
    """A batch with its awards; while a draft, a form to add awards and the confirm form, which shows
    the 30 % warning and asks to confirm anyway."""

    model = AwardBatch
    template_name = "rewards/batch_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        batch = self.object
        ctx["awards"] = batch.awards.select_related("level", "officer", "recipient_station", "recipient_region")
        if batch.status == BatchStatus.DRAFT:
            ctx.setdefault("form", BatchAwardForm(user=self.request.user))
            ctx.setdefault("warning", services.batch_share_warning(batch=batch))
        return ctx

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = batch = self.get_object()
        if "confirm" in request.POST:
            try:
                services.batch_confirm(user=request.user, batch=batch, force=request.POST.get("force") == "1")
            except services.ShareBelowThreshold as exc:
                return self.render_to_response(self.get_context_data(warning=exc.warning, ask_force=True))
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, _error_text(exc))
            else:
                messages.success(request, _("The batch is confirmed."))
            return HttpResponseRedirect(request.path)
        form = BatchAwardForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                services.award_grant(user=request.user, batch=batch, **form.cleaned_data)
                return HttpResponseRedirect(request.path)
            except (ValidationError, PermissionDenied) as exc:
                form.add_error(None, _error_text(exc))
        return self.render_to_response(self.get_context_data(form=form))


class ShareView(LoginRequiredMixin, TemplateView):
    """The station share of individual awards per issuing unit for a year, against the 30 % line."""

    template_name = "rewards/share.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        year = _year(self.request)
        start, end = selectors.year_period(year)
        rows = selectors.share_by_issuer(self.request.user, start=start, end=end)
        ctx.update(
            year=year, rows=rows, below=[r for r in rows if r.below],
            total=shares.percent(selectors.total_share(rows)),
            counts=selectors.award_counts(self.request.user, start=start, end=end),
            chart={
                "units": [r.name for r in rows if r.percent is not None],
                "shares": [r.percent for r in rows if r.percent is not None],
                "threshold": 30, "label_share": _("Station officers' share, percent"),
                "label_line": _("The 30 percent line"),
            },
        )
        return ctx


class PointsView(LoginRequiredMixin, TemplateView):
    """Household-head points: rankings of heads, stations and counties; one head's balance and history."""

    template_name = "rewards/points.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        year = _year(self.request)
        start, end = selectors.year_period(year)
        ctx.update(
            year=year,
            heads=selectors.head_ranking(user, start=start, end=end),
            stations=selectors.station_ranking(user, start=start, end=end),
            counties=selectors.county_ranking(user, start=start, end=end),
        )
        head_id = self.request.GET.get("head", "")
        if head_id.isdigit():
            history = selectors.head_history(user, head_id=int(head_id))
            ctx.update(head_history=history, head_balance=selectors.head_balance(user, head_id=int(head_id)))
        return ctx


class EventRewardListView(LoginRequiredMixin, ListView):  # type: ignore[type-arg]
    """Per-event rewards waiting for a decision; the station head approves or rejects, officers propose."""

    template_name = "rewards/event_rewards.html"
    context_object_name = "rewards"

    def get_queryset(self) -> Any:
        return selectors.rewards_to_decide(self.request.user)[:200]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["can_decide"] = self.request.user.role == Role.STATION_HEAD
        ctx["form"] = kwargs.get("form") or EventRewardForm(user=self.request.user, initial={"event_date": dt.date.today()})
        return ctx

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from rewards.models import EventReward
        from stations.views import get_scoped_object_or_404

        self.object_list = self.get_queryset()
        if "reward" in request.POST:
            reward = get_scoped_object_or_404(EventReward, request.user, pk=request.POST["reward"])
            decide = services.reward_approve if request.POST.get("approve") == "1" else services.reward_reject
            try:
                decide(user=request.user, reward=reward, note=request.POST.get("note", "")[:200])
                messages.success(request, _("The decision was recorded."))
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, _error_text(exc))
            return HttpResponseRedirect(request.path)
        form = EventRewardForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                services.reward_propose(user=request.user, **form.cleaned_data)
                messages.success(request, _("The reward was proposed."))
                return HttpResponseRedirect(request.path)
            except (ValidationError, PermissionDenied) as exc:
                form.add_error(None, _error_text(exc))
        return self.render_to_response(self.get_context_data(form=form))
