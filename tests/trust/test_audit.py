"""The audit trail is a database property: every model of the six apps carries pghistory's insert,
update and delete triggers (enabled, in the database itself), so writes that bypass the ORM are
recorded too. Models left out are listed here, each with the reason."""

from __future__ import annotations

from typing import Any

import pghistory.models
import pytest
from django.apps import apps
from django.db import connection

from registry.models import Person

APPS = ["stations", "beats", "registry", "disputes", "evaluation", "rewards"]

# Append-only records that are themselves the trail, and tables the tasks derive and rewrite.
NOT_ROW_AUDITED = {
    "registry.AccessLog": "is itself the log of unmasked reads (append-only)",
    "stations.DeniedAccess": "is itself the log of denied attempts (append-only, a trigger refuses UPDATE/DELETE)",
    "registry.Inspection": "each row is a dated, attributed record (recorded_by); partitioned, billions of rows",
    "registry.ImportRowError": "the bad-row report of an import job, written once with it",
    "registry.QualityRate": "derived: recomputed nightly from the registry",
    "registry.QualityIssue": "derived: recomputed nightly from the registry",
    "registry.DuplicateCandidate": "derived: found by the matching task, resolved through audited records",
    "registry.RicPlace": "reference data (GB/T 2260 region codes) loaded by a migration",
}


def _domain_models() -> list[Any]:
    return [
        model
        for app in APPS
        for model in apps.get_app_config(app).get_models()
        if not issubclass(model, pghistory.models.Event) and not model._meta.proxy
    ]


def test_every_domain_model_is_audited_or_exempt_for_a_reason() -> None:
    missing = sorted(
        model._meta.label
        for model in _domain_models()
        if not hasattr(model, "pgh_event_model") and model._meta.label not in NOT_ROW_AUDITED
    )
    assert not missing, f"decorate with common.audit.audited (or exempt here, with the reason): {missing}"


@pytest.mark.django_db
def test_the_audit_triggers_are_installed_and_enabled_in_the_database() -> None:
    audited = [model for model in _domain_models() if hasattr(model, "pgh_event_model")]
    assert len(audited) > 30
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgrelid::regclass::text, tgname FROM pg_trigger "
            "WHERE NOT tgisinternal AND tgenabled IN ('O', 'A') AND tgname LIKE 'pgtrigger_%%'"
        )
        triggers: dict[str, set[str]] = {}
        for table, name in cursor.fetchall():
            triggers.setdefault(table.strip('"'), set()).add(name.split("_")[1])
    lacking = {
        model._meta.db_table: sorted(
            {"insert", "update", "delete"} - triggers.get(model._meta.db_table, set())
        )
        for model in audited
    }
    assert not {table: ops for table, ops in lacking.items() if ops}


@pytest.mark.django_db
def test_raw_sql_writes_are_recorded() -> None:
    person = Person.objects.filter(deleted=False).first()
    events = Person.pgh_event_model.objects.filter(pgh_obj_id=person.pk)  # type: ignore[attr-defined]
    before = events.count()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE registry_person SET name = %s WHERE id = %s", ["王审计", person.pk])
    event = events.order_by("-pgh_id").first()
    assert events.count() == before + 1
    assert (event.pgh_label, event.name) == ("update", "王审计")
