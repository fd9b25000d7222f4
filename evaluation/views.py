"""Pages of the evaluation app: ranking and "why did we lose points", appeals, the indicator editor,
recompute and task history, the ledger catalogue and ledgers (page + XLSX), the legacy-form
inventory, and the drill-down dashboard."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView, UpdateView

from evaluation import selectors, services
from evaluation.drilldown import record_links
from evaluation.forms import AppealForm, IndicatorForm
from evaluation.ledgers import COLUMN_LABELS, to_xlsx
from evaluation.models import (
    Appeal,
    AppealStatus,
    FormFate,
    GeneratedLedger,
    Indicator,
    LedgerCategory,
    LegacyForm,
    Period,
    Score,
    ScoreRun,
    UnitLevel,
)
from stations.models import Region, Station
from stations.views import ScopedViewMixin, get_scoped_object_or_404


class ProvinceStaffMixin(LoginRequiredMixin, UserPassesTestMixin):
    def test_func(self) -> bool:
        return services.is_province_staff(self.request.user)  # type: ignore[attr-defined]


def _period(request: HttpRequest) -> Period | None:
    pk = request.GET.get("period")
    if pk and pk.isdigit():
        return Period.objects.filter(pk=pk).first()
    return selectors.latest_scored_period()


class IndexView(LoginRequiredMixin, TemplateView):
    """The assessment: the ranking of the units in the user's jurisdiction for a period."""

    template_name = "evaluation/index.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        period = _period(self.request)
        level = self.request.GET.get("level") or ""
        if level not in UnitLevel.values:
            level = ""
        context.update(
            period=period, level=level, levels=UnitLevel.choices,
            periods=Period.objects.filter(scores__isnull=False).distinct()[:24],
            scores=list(selectors.score_list(user=self.request.user, period=period, level=level or None)[:500]),
            is_province=services.is_province_staff(self.request.user),
        )
        return context


class ScoreDetailView(ScopedViewMixin, DetailView):  # type: ignore[type-arg]
    """Why did we lose points: each indicator's target, value, points, deductions and reasons."""

    model = Score
    template_name = "evaluation/score_detail.html"

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return super().get_queryset().select_related("period", "station", "region")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        lines = []
        for line in self.object.breakdown:
            links = record_links(line["metric"], station_id=self.object.station_id, region_id=self.object.region_id,
                                 start=self.object.period.start, end=self.object.period.end)
            lines.append({**line, "record_links": links,
                          "lost_total": round(line["max"] - line["net"], 2) if line["net"] is not None else None})
        context.update(
            lines=lines,
            appeals=list(self.object.appeals.select_related("filed_by", "decided_by")),
            appeal_form=AppealForm(),
            is_province=services.is_province_staff(self.request.user),
        )
        return context


class AppealCreateView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        score = get_scoped_object_or_404(Score, request.user, pk=pk)
        form = AppealForm(request.POST)
        if form.is_valid():
            try:
                services.appeal_file(user=request.user, score=score, **form.cleaned_data)
                messages.success(request, _("Your appeal was filed."))
            except ValueError:
                messages.error(request, _("There is no such deduction."))
        else:
            messages.error(request, _("Please give a reason for the appeal."))
        return redirect("evaluation:score", pk=score.pk)


class AppealDecideView(ProvinceStaffMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        appeal = get_scoped_object_or_404(Appeal.objects.filter(status=AppealStatus.PENDING), request.user, pk=pk)
        accept = request.POST.get("decision") == "accept"
        services.appeal_decide(user=request.user, appeal=appeal, accept=accept, note=request.POST.get("note", ""))
        messages.success(request, _("Appeal accepted; the score was recomputed.") if accept else _("Appeal rejected."))
        return redirect("evaluation:score", pk=appeal.score_id)


class AppealListView(ProvinceStaffMixin, ListView):  # type: ignore[type-arg]
    template_name = "evaluation/appeals.html"
    context_object_name = "appeals"

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return Appeal.objects.for_user(self.request.user).select_related("score", "period", "filed_by")[:200]


class IndicatorListView(ProvinceStaffMixin, ListView):  # type: ignore[type-arg]
    template_name = "evaluation/indicators.html"
    context_object_name = "indicators"

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return Indicator.objects.select_related("table").order_by("table", "order", "code")


class IndicatorEditView(ProvinceStaffMixin, UpdateView):  # type: ignore[type-arg]
    model = Indicator
    form_class = IndicatorForm
    template_name = "evaluation/indicator_form.html"

    def form_valid(self, form: IndicatorForm) -> HttpResponse:
        services.indicator_update(user=self.request.user, indicator=self.object,
                                  data={name: form.cleaned_data[name] for name in form.Meta.fields})
        messages.success(self.request, _("Indicator saved. Recompute to apply it."))
        return redirect("evaluation:indicators")


class RecomputeView(ProvinceStaffMixin, View):
    def post(self, request: HttpRequest) -> HttpResponse:
        from evaluation.tasks import score_submit

        period = Period.objects.filter(pk=request.POST.get("period") or 0).first() or selectors.latest_scored_period()
        if period is None:
            raise Http404
        # Recorded as a job, then queued on commit: a Redis outage delays it, never loses it.
        job, created = score_submit(period=period, requested_by=request.user.get_username())
        if created:
            messages.success(request, _("Recompute queued; see the task history."))
        else:
            messages.info(request, _("A recompute of this period is already queued (job %(job)s).") % {"job": job.pk})
        return redirect("evaluation:runs")


class RunListView(LoginRequiredMixin, ListView):  # type: ignore[type-arg]
    template_name = "evaluation/runs.html"
    context_object_name = "runs"

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return ScoreRun.objects.select_related("period")[:50]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["is_province"] = services.is_province_staff(self.request.user)
        context["periods"] = Period.objects.all()[:24]
        return context


class LedgerCatalogueView(LoginRequiredMixin, TemplateView):
    template_name = "evaluation/ledgers.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        period = _period(self.request) or Period.objects.filter(ledgers__isnull=False).first()
        context.update(
            period=period,
            categories=list(LedgerCategory.objects.prefetch_related("definitions")),
            generated=list(selectors.ledger_list(user=self.request.user, period=period)[:300]),
        )
        return context


class LedgerDetailView(ScopedViewMixin, DetailView):  # type: ignore[type-arg]
    model = GeneratedLedger
    template_name = "evaluation/ledger_detail.html"
    context_object_name = "ledger"

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return super().get_queryset().select_related("definition", "station", "period")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        columns = self.object.columns
        context["headers"] = [COLUMN_LABELS.get(c, c) for c in columns]
        context["table"] = [[row.get(c) for c in columns] for row in self.object.rows]
        return context


class LedgerXlsxView(ScopedViewMixin, DetailView):  # type: ignore[type-arg]
    model = GeneratedLedger

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        ledger = self.get_object()
        return xlsx_response(ledger)


def xlsx_response(ledger: GeneratedLedger) -> HttpResponse:
    title = f"{ledger.definition.name} {ledger.period}"
    body = to_xlsx(title=title, columns=ledger.columns, labels=COLUMN_LABELS, rows=ledger.rows)
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="ledger-{ledger.pk}-{ledger.period}.xlsx"'
    return response


class InventoryView(LoginRequiredMixin, TemplateView):
    """The 97 legacy forms and what became of each."""

    template_name = "evaluation/inventory.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        forms = list(LegacyForm.objects.select_related("replaced_by"))
        fates = Counter(f.fate for f in forms)
        context.update(
            forms=forms,
            n_forms=len(forms),
            n_categories=len({f.category for f in forms}),
            n_kinds=len({f.kind for f in forms}),
            fates=[(label, fates.get(value, 0)) for value, label in FormFate.choices],
        )
        return context


class DashboardView(LoginRequiredMixin, TemplateView):
    """Province → city → county → station: scores, quality vs 98 %, police share; pre-aggregated only."""

    template_name = "evaluation/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        unit: Region | Station | None = None
        key = self.request.GET.get("unit", "")
        if key.startswith("r:") and key[2:].isdigit():
            unit = get_scoped_object_or_404(Region, self.request.user, pk=int(key[2:]))
        elif key.startswith("s:") and key[2:].isdigit():
            unit = get_scoped_object_or_404(Station, self.request.user, pk=int(key[2:]))
        board = selectors.dashboard(user=self.request.user, unit=unit)
        quality: dict[str, dict[str, Any]] = {}
        for row in board.quality:
            name = row["station__name"] or row["region__name"]
            acc = quality.setdefault(name, {"name": name, "total": 0, "complete": 0, "accurate": 0, "fresh": 0})
            for field in ("total", "complete", "accurate", "fresh"):
                acc[field] += row[field]
        quality_rows = [
            {"name": q["name"], **{f: round(q[f] / q["total"], 4) if q["total"] else None
                                   for f in ("complete", "accurate", "fresh")}}
            for q in quality.values()
        ]
        strength_rows = board.strength.rows if board.strength else []
        chart = {
            "scores": [{"name": s.unit_name, "total": float(s.total), "max": float(s.max_points)} for s in board.children],
            "quality": quality_rows,
            "share": [{"name": r.name, "share": r.share} for r in strength_rows if r.share is not None],
            "target_quality": 0.98,
        }
        context.update(board=board, chart=chart, quality_rows=quality_rows, strength_rows=strength_rows,
                       parent=getattr(board.unit, "parent", None) or getattr(board.unit, "county", None))
        return context
