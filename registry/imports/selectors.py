"""Reads of the import feature, jurisdiction first."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from registry.models import ImportJob, ImportRowError


def import_list(*, user: Any) -> QuerySet[ImportJob]:
    return ImportJob.objects.for_user(user).select_related("created_by").order_by("-id")


def import_report_lines(*, job: ImportJob, chunk: int = 5000) -> Iterator[str]:
    """The bad-row report as CSV text (header, then line, column, reason by line), read in keyset
    chunks so a report of any size streams in constant memory."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")  # so spreadsheet programs open it as UTF-8
    writer.writerow([_("line"), _("column"), _("reason")])
    yield buffer.getvalue()
    last: tuple[int, int] = (0, 0)
    while True:
        rows = list(
            ImportRowError.objects.filter(job=job)
            .filter(line__gte=last[0])
            .exclude(line=last[0], id__lte=last[1])
            .order_by("line", "id")
            .values_list("line", "id", "column", "reason")[:chunk]
        )
        if not rows:
            return
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for line, _id, column, reason in rows:
            writer.writerow([line, column, reason])
        yield buffer.getvalue()
        last = (rows[-1][0], rows[-1][1])
