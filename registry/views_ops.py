"""Pages of the registry's operations: bulk imports (upload, progress, bad-row report), data-quality
rates (my unit, drilling down through my jurisdiction, and the failing records), key-venue
inspections (this week's plan, recording, coverage)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, TemplateView

from common.paging import KeysetPage, keyset_page
from registry.api.views_ops import quality_request_recompute
from registry.choices import KEY_TRADES, RecordKind
from registry.imports import selectors as import_selectors
from registry.imports import services as import_services
from registry.inspections import (
    COVERAGE_WEEKS,
    NotAKeyVenue,
    inspection_coverage,
    inspection_record,
    week_start,
)
from registry.models import ImportJob, Inspection, InspectionPlanItem, QualityIssue, QualityRate, Unit
from registry.quality import THRESHOLD, is_red, rule_info
from stations.api.permissions import can_write
from stations.forms import bootstrap_form
from stations.jurisdiction import scope
from stations.models import Officer, Region, Station
from stations.views import ScopedViewMixin, get_scoped_object_or_404

# --- imports ------------------------------------------------------------------------------------------


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind of records"), choices=RecordKind.choices)
    file = forms.FileField(
        label=gettext_lazy("File (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )


class ImportListView(LoginRequiredMixin, View):
    """The import page: upload a file, and the user's imports newest first (keyset-paged)."""

    template_name = "registry/imports.html"

    def get(self, request: HttpRequest, form: ImportForm | None = None) -> HttpResponse:
        page = _newest_first(
            import_selectors.import_list(user=request.user), after=request.GET.get("after"), size=25
        )
        form = form or ImportForm()
        bootstrap_form(form)
        return render(
            request,
            self.template_name,
            {"form": form, "page_obj": page, "jobs": page.items, "can_import": can_write(request.user),
             "max_mb": import_services.max_upload_bytes() // (1024 * 1024)},
        )  # fmt: skip

    def post(self, request: HttpRequest) -> HttpResponse:
        if not can_write(request.user):
            raise PermissionDenied
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > import_services.max_upload_bytes():
            return HttpResponse(_("The file is too large."), status=413)
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.get(request, form=form)
        try:
            job = import_services.import_create(
                user=request.user, kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"]
            )
        except import_services.ImportTooLarge:
            return HttpResponse(_("The file is too large."), status=413)
        messages.success(request, _("The import is queued; its progress shows below."))
        return HttpResponseRedirect(reverse("registry:import-detail", args=[job.pk]))


class ImportDetailView(ScopedViewMixin, DetailView):  # type: ignore[type-arg]
    """One import with its progress bar (htmx polls the progress fragment while it runs)."""

    model = ImportJob
    template_name = "registry/imports_detail.html"
    context_object_name = "job"

    def get_template_names(self) -> list[str]:
        if self.request.headers.get("HX-Request"):
            return ["registry/imports_progress.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        job: ImportJob = self.object
        errors = job.row_errors.order_by("line", "id")[:20]
        return super().get_context_data(
            running=job.status in ("queued", "running"),
            first_errors=errors,
            can_resume=can_write(self.request.user) and job.status == "failed",
            **kwargs,
        )


class ImportReportView(ScopedViewMixin, DetailView):  # type: ignore[type-arg]
    model = ImportJob

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> StreamingHttpResponse:
        job = self.get_object()
        response = StreamingHttpResponse(
            import_selectors.import_report_lines(job=job), content_type="text/csv"
        )
        response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-bad-rows.csv"'
        return response


class ImportResumeView(ScopedViewMixin, DetailView):  # type: ignore[type-arg]
    model = ImportJob

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        job = self.get_object()
        if not can_write(request.user):
            raise PermissionDenied
        if import_services.import_resume(user=request.user, job=job):
            messages.success(request, _("The import continues where it stopped."))
        return HttpResponseRedirect(reverse("registry:import-detail", args=[job.pk]))


def _newest_first(queryset: QuerySet[Any], *, after: str | None, size: int) -> KeysetPage[Any]:
    """Keyset paging by descending id (``common.paging`` pages ascending orders only)."""
    if after and after.isdigit():
        queryset = queryset.filter(pk__lt=int(after))
    rows = list(queryset.order_by("-id")[: size + 1])
    next_cursor = str(rows[size - 1].pk) if len(rows) > size else None
    return KeysetPage(items=rows[:size], next_cursor=next_cursor)


# --- quality ------------------------------------------------------------------------------------------


def _pct(value: float) -> float:
    return round(value * 100, 1)


def _rate_cells(rate: QualityRate | None) -> dict[str, Any] | None:
    if rate is None:
        return None
    return {
        "total": rate.total,
        "cells": [
            {"value": _pct(v), "red": is_red(v)} for v in (rate.completeness, rate.accuracy, rate.freshness)
        ],
        "computed_at": rate.computed_at,
    }


class QualityView(LoginRequiredMixin, TemplateView):
    """Quality rates of a unit (default: the user's own) and of its children, per kind, read only from
    the summary table. ``?unit=region:<id>`` / ``station:<id>`` drills down (404 outside)."""

    template_name = "registry/quality.html"

    def get_unit(self) -> Region | Station | None:
        raw = self.request.GET.get("unit", "")
        user = self.request.user
        if not raw:
            return getattr(user, "home_unit", None) or user.home_station or user.home_region
        kind, _sep, pk = raw.partition(":")
        model = {"region": Region, "station": Station}.get(kind)
        if model is None or not pk.isdigit():
            raise Http404
        return get_scoped_object_or_404(model, user, pk=int(pk))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        unit = self.get_unit()
        rates = QualityRate.objects.for_user(user)
        latest = rates.order_by("-day").values_list("day", flat=True).first()
        day = latest
        raw_day = self.request.GET.get("day")
        if raw_day:
            try:
                day = dt.date.fromisoformat(raw_day)
            except ValueError:
                day = latest
        kinds = list(RecordKind)
        own: dict[str, Any] = {}
        children: list[dict[str, Any]] = []
        if unit is not None and day is not None:
            if isinstance(unit, Station):
                own_rows = rates.filter(day=day, station=unit)
                child_rows: QuerySet[QualityRate] = rates.none()
            else:
                own_rows = rates.filter(day=day, region=unit)
                child_regions = scope(Region.objects.filter(parent=unit), user)
                child_stations = scope(Station.objects.filter(county=unit), user)
                child_rows = rates.filter(day=day, region__in=child_regions) | rates.filter(
                    day=day, station__in=child_stations
                )
            own = {r.kind: _rate_cells(r) for r in own_rows}
            grouped: dict[tuple[str, int], dict[str, Any]] = {}
            for r in child_rows.select_related("station", "region").order_by("id"):
                key = ("station", r.station_id) if r.station_id else ("region", r.region_id)
                target = r.station if r.station_id else r.region
                entry = grouped.setdefault(
                    key,
                    {
                        "name": target.name,
                        "code": target.code,
                        "url": f"?unit={key[0]}:{key[1]}&day={day}",
                        "rates": {},
                    },
                )
                entry["rates"][r.kind] = _rate_cells(r)
            children = sorted(grouped.values(), key=lambda e: e["code"])
            for child in children:
                child["row"] = [child["rates"].get(k.value) for k in kinds]
        return super().get_context_data(
            unit=unit,
            unit_is_station=isinstance(unit, Station),
            day=day,
            kinds=kinds,
            own=[(k, own.get(k.value)) for k in kinds],
            children=children,
            threshold=_pct(THRESHOLD),
            can_recompute=can_write(user),
            issues_url=reverse("registry:quality-issues"),
            **kwargs,
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        if not can_write(request.user):
            raise PermissionDenied
        quality_request_recompute(user=request.user)
        messages.success(request, _("The rates are being recomputed; reload in a minute."))
        return HttpResponseRedirect(reverse("registry:quality"))


_DETAIL_URLS = {
    "persons": "registry:person_detail",
    "houses": "registry:house_detail",
    "units": "registry:unit_detail",
    "addresses": "registry:address_detail",
}
_EDIT_URLS = {
    "persons": "registry:person_edit",
    "houses": "registry:house_edit",
    "units": "registry:unit_edit",
    "addresses": "registry:address_edit",
}


class QualityIssueListView(LoginRequiredMixin, TemplateView):
    """The failing records of the user's jurisdiction — which record, which rule, and a link to fix it.
    Keyset-paged over ``QualityIssue``; one query for the page and one per kind on it for the names."""

    template_name = "registry/quality_issues.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from django.apps import apps

        user = self.request.user
        kind = self.request.GET.get("kind") or RecordKind.PERSONS
        if kind not in RecordKind.values:
            raise Http404
        dimension = self.request.GET.get("dimension") or ""
        issues = QualityIssue.objects.for_user(user).filter(kind=kind)
        if dimension in ("completeness", "accuracy", "freshness"):
            issues = issues.filter(dimension=dimension)
        station = self.request.GET.get("station")
        if station and station.isdigit():
            issues = issues.filter(station_id=int(station))
        page = keyset_page(issues, after=self.request.GET.get("after"), size=50)
        model = apps.get_model(
            "registry",
            {"persons": "Person", "houses": "House", "units": "Unit", "addresses": "Address"}[kind],
        )
        ids = {i.record_id for i in page.items}
        labels = {obj.pk: str(obj) for obj in scope(model.objects.filter(pk__in=ids), user)} if ids else {}
        rows = []
        for issue in page.items:
            rule = rule_info(kind, issue.rule)
            rows.append({
                "issue": issue,
                "label": labels.get(issue.record_id, f"#{issue.record_id}"),
                "message": rule.message if rule else issue.rule,
                "field": rule.field if rule else "",
                "url": reverse(_DETAIL_URLS[kind], args=[issue.record_id]),
                "edit_url": reverse(_EDIT_URLS[kind], args=[issue.record_id]),
            })  # fmt: skip
        return super().get_context_data(
            kind=kind, dimension=dimension, kinds=RecordKind.choices, page_obj=page, rows=rows, **kwargs
        )


# --- inspections ---------------------------------------------------------------------------------------


class InspectionForm(forms.Form):
    venue = forms.ModelChoiceField(label=gettext_lazy("Key venue"), queryset=Unit.objects.none())
    inspected_at = forms.DateTimeField(
        label=gettext_lazy("Date and time"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    officers = forms.ModelMultipleChoiceField(label=gettext_lazy("Officers"), queryset=Officer.objects.none())
    unannounced = forms.BooleanField(label=gettext_lazy("Unannounced"), required=False, initial=True)
    findings = forms.CharField(
        label=gettext_lazy("Findings"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    rectification = forms.CharField(
        label=gettext_lazy("Rectification demanded"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    deadline = forms.DateField(
        label=gettext_lazy("Deadline"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["venue"].queryset = (
            Unit.objects.for_user(user)
            .filter(kind__in=[k.value for k in KEY_TRADES], deleted=False)
            .order_by("name")
        )
        self.fields["officers"].queryset = (
            Officer.objects.for_user(user).filter(is_active=True).order_by("name")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("inspected_at") and data["inspected_at"] > timezone.now() + dt.timedelta(minutes=5):
            self.add_error("inspected_at", _("An inspection cannot be in the future."))
        if data.get("deadline") and not data.get("rectification"):
            self.add_error("deadline", _("A deadline needs a rectification demanded."))
        return data


class InspectionsView(LoginRequiredMixin, TemplateView):
    """This week's plan of the user's stations, the latest inspections, a form to record one, and the
    coverage of the week's plan and of all key venues over four weeks, per station and rolled up."""

    template_name = "registry/inspections.html"

    def monday(self) -> dt.date:
        raw = self.request.GET.get("week")
        try:
            return week_start(dt.date.fromisoformat(raw)) if raw else week_start(timezone.localdate())
        except ValueError:
            return week_start(timezone.localdate())

    def get_context_data(self, form: InspectionForm | None = None, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        monday = self.monday()
        plan = (
            InspectionPlanItem.objects.for_user(user)
            .filter(plan__week_start=monday)
            .select_related("plan__station", "venue")
            .order_by("plan__station__code", "venue__name")[:500]
        )
        latest = list(
            Inspection.objects.for_user(user)
            .filter(inspected_at__gte=timezone.now() - dt.timedelta(days=7 * COVERAGE_WEEKS))
            .select_related("venue")
            .order_by("-inspected_at", "-id")[:25]
        )
        rows, total = inspection_coverage(user=user, monday=monday)
        if form is None and can_write(user):
            form = InspectionForm(
                user=user, initial={"inspected_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}
            )
        if form is not None:
            bootstrap_form(form)
        return super().get_context_data(
            monday=monday,
            previous_week=monday - dt.timedelta(days=7),
            next_week=monday + dt.timedelta(days=7),
            plan=plan,
            latest=latest,
            rows=[
                {
                    "row": r,
                    "plan_pct": _maybe_pct(r.coverage.plan_rate),
                    "four_pct": _maybe_pct(r.coverage.four_week_rate),
                }
                for r in rows
            ],  # fmt: skip
            total=total,
            total_plan_pct=_maybe_pct(total.plan_rate),
            total_four_pct=_maybe_pct(total.four_week_rate),
            form=form,
            **kwargs,
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        if not can_write(request.user):
            raise PermissionDenied
        form = InspectionForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                inspection_record(
                    user=request.user,
                    venue_id=data["venue"].pk,
                    inspected_at=data["inspected_at"],
                    officer_ids=[o.pk for o in data["officers"]],
                    unannounced=data["unannounced"],
                    findings=data["findings"],
                    rectification=data["rectification"],
                    deadline=data["deadline"],
                )
            except (NotAKeyVenue, Unit.DoesNotExist, Officer.DoesNotExist):
                form.add_error(None, _("This inspection cannot be recorded."))
            else:
                messages.success(request, _("The inspection is recorded."))
                return HttpResponseRedirect(reverse("registry:inspections"))
        return self.render_to_response(self.get_context_data(form=form), status=400)


def _maybe_pct(value: float | None) -> float | None:
    return None if value is None else _pct(value)
