"""The auditor's pages: the landing page, the search of row-level change events, and the CSV exports
of the access log, the denied-attempt log and the change events.

Exports stream (``StreamingHttpResponse``, rows read in keyset chunks, no ``COUNT(*)``) and carry the
same fields as the pages, through the same filters and jurisdiction: nothing a page masks is unmasked
(the access log never held a national ID; change events are exported without their row data)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from audit import selectors
from audit.forms import ChangeEventSearchForm
from registry.filters import AccessLogFilterSet
from registry.selectors import access_log_for
from stations.choices import Role
from stations.filters import DeniedAccessFilterSet
from stations.forms import bootstrap_form
from stations.jurisdiction import scope
from stations.models import DeniedAccess

EXPORT_CHUNK = 2000
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class AuditorRequiredMixin(LoginRequiredMixin):
    """Auditors and superusers only (others: 403; anonymous: the sign-in page)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not (
            request.user.role == Role.AUDITOR or request.user.is_superuser
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class IndexView(AuditorRequiredMixin, TemplateView):
    template_name = "audit/index.html"


def _search_form(request: HttpRequest) -> ChangeEventSearchForm:
    form = ChangeEventSearchForm(request.GET or None)
    bootstrap_form(form, size="sm")
    return form


def _cursor(value: str) -> tuple[datetime, str, int] | None:
    try:
        at, label, event_id = value.split("~")
        parsed = parse_datetime(at)
        return (parsed, label, int(event_id)) if parsed else None
    except ValueError:
        return None


class ChangeEventListView(AuditorRequiredMixin, TemplateView):
    """Row-level change events of every audited table, newest first, keyset-paged."""

    template_name = "audit/events.html"
    page_size = 50

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form = _search_form(self.request)
        rows: list[selectors.ChangeEvent] = []
        if not form.is_bound or form.is_valid():
            filters = form.cleaned_data if form.is_bound else {}
            rows = selectors.change_event_page(
                user=self.request.user,
                filters=filters,
                cursor=_cursor(self.request.GET.get("before", "")),
                size=self.page_size,
            )
        more = len(rows) > self.page_size
        rows = rows[: self.page_size]
        last = rows[-1] if rows else None
        return super().get_context_data(
            rows=rows,
            filter=form,
            filter_fields=list(form),
            is_filtered=any(self.request.GET.get(name) for name in form.fields),
            next_before=f"{last.at.isoformat()}~{last.table}~{last.event_id}" if more and last else None,
            **kwargs,
        )


# --- CSV exports ------------------------------------------------------------------------------------------


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text  # no formula injection in a spreadsheet


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable[Any]]) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff"  # spreadsheets then read UTF-8 (Chinese names)
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([_cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response


def _keyset(queryset: Any, fields: tuple[str, ...]) -> Iterator[tuple[Any, ...]]:
    """Every row of ``queryset`` newest first, in chunks by id (one query per chunk, bounded memory)."""
    before = None
    while True:
        qs = queryset.order_by("-id")
        if before is not None:
            qs = qs.filter(id__lt=before)
        chunk = list(qs.values_list("id", *fields)[:EXPORT_CHUNK])
        if not chunk:
            return
        for row in chunk:
            yield row[1:]
        before = chunk[-1][0]


class AccessLogExportView(AuditorRequiredMixin, View):
    """The access log of unmasked reads, as the auditor's page filters it."""

    def get(self, request: HttpRequest) -> HttpResponse:
        filterset = AccessLogFilterSet(
            request.GET or None, queryset=access_log_for(user=request.user), request=request
        )
        if filterset.is_bound and not filterset.is_valid():
            return HttpResponse(_("Some filters are not valid."), status=400)
        fields = (
            "at",
            "user__username",
            "station__name",
            "region__name",
            "action",
            "person_ids",
            "purpose",
            "path",
        )
        rows = (
            (at, username, station or region or "", action, " ".join(map(str, person_ids)), purpose, path)
            for at, username, station, region, action, person_ids, purpose, path in _keyset(
                filterset.qs, fields
            )
        )
        header = [_("At"), _("User"), _("Unit"), _("Action"), _("Persons"), _("Purpose"), _("Path")]
        return csv_response("access-log", header, rows)


class DeniedAccessExportView(AuditorRequiredMixin, View):
    """Denied attempts (404s on single objects), as the auditor's page filters them."""

    def get(self, request: HttpRequest) -> HttpResponse:
        base = scope(DeniedAccess.objects.all(), request.user)
        filterset = DeniedAccessFilterSet(request.GET or None, queryset=base, request=request)
        if filterset.is_bound and not filterset.is_valid():
            return HttpResponse(_("Some filters are not valid."), status=400)
        fields = ("at", "user__username", "outcome", "model", "object_id", "method", "path")
        header = [_("At"), _("User"), _("Outcome"), _("Model"), _("Object id"), _("Method"), _("Path")]
        return csv_response("denied-attempts", header, _keyset(filterset.qs, fields))


class ChangeEventExportView(AuditorRequiredMixin, View):
    """Row-level change events (who, when, table, object id, operation; never the row data)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        form = ChangeEventSearchForm(request.GET or None)
        if form.is_bound and not form.is_valid():
            return HttpResponse(_("Some filters are not valid."), status=400)
        filters = form.cleaned_data if form.is_bound else {}
        events = selectors.change_events_all(user=request.user, filters=filters, chunk=EXPORT_CHUNK)
        rows = (
            (e.at, e.username, e.user_id, e.table, e.object_id, e.operation, e.via, e.event_id, e.context_id)
            for e in events
        )
        header = [
            _("At"),
            _("User"),
            _("User id"),
            _("Table"),
            _("Object id"),
            _("Operation"),
            _("Through"),
            _("Event id"),
            _("Context"),
        ]
        return csv_response("change-events", header, rows)
