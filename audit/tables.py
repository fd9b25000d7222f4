"""Which tables are the audit trail, found generically (nothing here names another app's event model).

* every pghistory event model (one per ``@audited`` model, in any app, now or later);
* pghistory's ``Context`` (who/what of each write), mutable while its request or task runs;
* the registry's access log of unmasked reads and the stations' log of denied attempts;
* the hash-chain table of this app.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pghistory.models
from django.apps import apps
from django.db import models

# Audit records kept by other apps that are not pghistory events: (app label, model, time column).
LOG_MODELS: tuple[tuple[str, str, str], ...] = (
    ("registry", "AccessLog", "at"),
    ("stations", "DeniedAccess", "at"),
)
CONTEXT_TABLE = "pghistory_context"


@dataclass(frozen=True)
class AuditTable:
    """One audit table: its name, key column, time column and whether rows are ordered by the key
    (an id from a sequence) or by ``(time, key)`` (the Context table's UUIDs)."""

    table: str
    key: str
    time: str
    model: type[models.Model]
    by_time: bool = False

    @property
    def label(self) -> str:
        return self.model._meta.label

    def columns(self) -> list[str]:
        return [field.column for field in self.model._meta.concrete_fields]


def event_models() -> list[type[pghistory.models.Event]]:
    """Every concrete pghistory event model installed, in a stable order."""
    found = [
        model
        for model in apps.get_models()
        if issubclass(model, pghistory.models.Event)
        and not model._meta.proxy
        and not model._meta.abstract
        and model._meta.managed
    ]
    return sorted(found, key=lambda model: model._meta.db_table)


def audit_tables(*, include_context: bool = True) -> list[AuditTable]:
    """The tables the chain seals and the purge may thin, in a stable order."""
    tables = [AuditTable(model._meta.db_table, "pgh_id", "pgh_created_at", model) for model in event_models()]
    for app_label, name, time_column in LOG_MODELS:
        model = apps.get_model(app_label, name)
        tables.append(AuditTable(model._meta.db_table, model._meta.pk.column, time_column, model))
    if include_context:
        tables.append(AuditTable(CONTEXT_TABLE, "id", "created_at", pghistory.models.Context, by_time=True))
    return tables


def table_named(name: str) -> AuditTable:
    for spec in audit_tables():
        if spec.table == name:
            return spec
    raise KeyError(name)


def chain_table() -> str:
    return apps.get_model("audit", "Seal")._meta.db_table


def describe(spec: AuditTable) -> dict[str, Any]:
    return {"table": spec.table, "model": spec.label, "key": spec.key, "time": spec.time}
