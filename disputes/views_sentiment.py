"""Pages of sentiment reports (社情民意): the list, recording one, one report with its timeline and
the station head's decision, and the counts by category and unit. Writes go through
``disputes.sentiment``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.generic import DetailView, TemplateView

from common.paging import KeysetPage, decode_cursor, encode_cursor
from disputes import selectors
from disputes.filters import SentimentReportFilterSet
from disputes.forms import SentimentReportForm, TriageForm, apply_errors
from disputes.models import SentimentReport
from disputes.sentiment import can_decide, sentiment_report_create, sentiment_triage
from disputes.views import WriterRequiredMixin
from stations.api.permissions import can_write
from stations.views import ScopedKeysetListView, ScopedViewMixin


class SentimentListView(ScopedKeysetListView):
    """Sentiment reports in the user's jurisdiction, newest first, filtered with the API's FilterSet."""

    model = SentimentReport
    template_name = "disputes/sentiment_list.html"
    filterset_class = SentimentReportFilterSet
    filter_fields = ("q", "is_open", "state", "category", "urgency", "reported_after", "reported_before")
    paginate_by = 50

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("station")

    def paginate_queryset(
        self, queryset: Any, page_size: int
    ) -> tuple[None, KeysetPage[Any], list[Any], bool]:
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


class SentimentCreateView(LoginRequiredMixin, WriterRequiredMixin, TemplateView):
    template_name = "disputes/sentiment_form.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        if "form" not in kwargs:
            kwargs["form"] = SentimentReportForm(user=self.request.user)
        return super().get_context_data(**kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = SentimentReportForm(request.POST, user=request.user)
        if form.is_valid():
            data = dict(form.cleaned_data)
            station = data.pop("station", None) or request.user.home_station  # type: ignore[union-attr]
            try:
                report = sentiment_report_create(user=request.user, station=station, **data)  # type: ignore[arg-type]
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request, _("The report is recorded and waits for the station head's decision.")
                )
                return redirect("disputes:sentiment_detail", pk=report.pk)
        return self.render_to_response(self.get_context_data(form=form))


class SentimentDetailView(ScopedViewMixin, DetailView):  # type: ignore[type-arg]
    """One report with its timeline; the station head decides on it here (POST)."""

    model = SentimentReport
    template_name = "disputes/sentiment_detail.html"
    context_object_name = "report"

    def get_queryset(self) -> Any:
        return (
            super()
            .get_queryset()
            .select_related("station", "beat", "community", "officer", "household_head", "created_by")
            .prefetch_related("steps__user")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        report = self.object
        decide = can_decide(self.request.user) and report.is_open
        if decide and "form" not in kwargs:
            kwargs["form"] = TriageForm(report=report)
        return super().get_context_data(can_decide=decide, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = report = self.get_object()
        if not can_decide(request.user):
            raise PermissionDenied(_("Only the station head decides on sentiment reports."))
        form = TriageForm(request.POST, report=report)
        if form.is_valid():
            try:
                sentiment_triage(user=request.user, report=report, **form.cleaned_data)  # type: ignore[arg-type]
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The decision is recorded."))
                return redirect("disputes:sentiment_detail", pk=report.pk)
        return self.render_to_response(self.get_context_data(form=form))


class SentimentCountsView(LoginRequiredMixin, TemplateView):
    """Counts by category and unit in a period (default: this year so far); ``?by=county`` groups
    by county for users above the counties."""

    template_name = "disputes/sentiment_counts.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        today = timezone.localdate()
        since = _date(self.request.GET.get("since", "")) or dt.date(today.year, 1, 1)
        until = _date(self.request.GET.get("until", "")) or today
        by = "county" if self.request.GET.get("by") == "county" else "station"
        counts = selectors.sentiment_counts(user=self.request.user, since=since, until=until, by=by)
        return super().get_context_data(counts=counts, **kwargs)


def _date(raw: str) -> dt.date | None:
    try:
        return parse_date(raw[:10]) if raw else None
    except ValueError:
        return None
