"""The audit trail holds up: the portal's own database role cannot change or remove audit rows; a
keyed hash chain, sealed asynchronously, lets ``manage.py audit_verify`` name any row altered,
deleted or slipped in by someone who switched the triggers off; only the retention purge deletes,
only rows past retention, and the chain still verifies after it."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from typing import Any

import pghistory.models
import psycopg2
import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audit import chain, protection, services
from audit.models import Seal, SealKind
from audit.tables import audit_tables, event_models
from registry.models import AccessLog
from stations.models import DeniedAccess, Officer, Station, User

EVENT_MODEL = Station.pgh_event_model  # type: ignore[attr-defined]
EVENT_TABLE = EVENT_MODEL._meta.db_table
DENIED = DeniedAccess._meta.db_table


def _sql(statement: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])
        return cursor.fetchall() if cursor.description else []


def _as_superuser_without_triggers(statement: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    """What a database superuser can do: write with every trigger off (the chain must still tell)."""
    _sql("SET LOCAL session_replication_role = replica")
    try:
        return _sql(statement, params)
    finally:
        _sql("SET LOCAL session_replication_role = origin")


def _denied_row(user: User, *, age: timedelta = timedelta(0), object_id: str = "1") -> int:
    """A denied-attempt row written ``age`` ago (raw SQL: the model stamps the time itself)."""
    rows = _sql(
        f"INSERT INTO {DENIED} (at, user_id, path, method, model, object_id, outcome) "
        "VALUES (now() - %s, %s, '/x/', 'GET', 'stations.station', %s, 'denied') RETURNING id",
        [age, user.pk, object_id],
    )
    return int(rows[0][0])


def _old_event(age: timedelta) -> int:
    """A copy of an event row of the Station event table, dated ``age`` ago."""
    columns = [f.column for f in EVENT_MODEL._meta.concrete_fields if f.column != "pgh_id"]
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    select = ", ".join(
        "now() - %s" if c == "pgh_created_at" else connection.ops.quote_name(c) for c in columns
    )
    rows = _sql(
        f"INSERT INTO {EVENT_TABLE} ({names}) SELECT {select} FROM {EVENT_TABLE} ORDER BY pgh_id LIMIT 1 "
        "RETURNING pgh_id",
        [age],
    )
    return int(rows[0][0])


def _problems() -> list[str]:
    return [str(problem) for problem in chain.verify().problems]


# --- 1. append-only ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_audit_table_carries_the_protecting_triggers() -> None:
    tables = {table for table, _time, _context in protection.protected_tables()}
    expected = {
        model._meta.db_table for model in apps.get_models() if issubclass(model, pghistory.models.Event)
    }
    assert len(expected) > 30 and expected <= tables, "every pghistory event table, found generically"
    assert {AccessLog._meta.db_table, DENIED, "pghistory_context", Seal._meta.db_table} <= tables
    assert protection.missing_protection() == {}


@pytest.mark.django_db
def test_a_new_event_table_is_protected_on_the_next_migrate() -> None:
    """Triggers missing on an audit table (as on one a later migration creates) come back with the
    post_migrate hook, with no migration of its own; the test above fails until they do."""
    _sql(
        f"DROP TRIGGER audit_no_update ON {EVENT_TABLE}; DROP TRIGGER audit_delete_past_retention ON {EVENT_TABLE}"
    )
    assert protection.missing_protection() == {
        EVENT_TABLE: ["audit_delete_past_retention", "audit_no_update"]
    }
    protection.install_after_migrate(sender=apps.get_app_config("audit"), using="default")
    assert protection.missing_protection() == {}


@pytest.mark.django_db
def test_inserts_carry_no_trigger_of_ours() -> None:
    """Bulk imports write event rows at full speed: the protection is on UPDATE/DELETE/TRUNCATE only."""
    rows = _sql(
        "SELECT tgname, tgtype FROM pg_trigger WHERE tgname = ANY(%s) AND tgrelid = %s::regclass",
        [list(protection.TRIGGER_NAMES), EVENT_TABLE],
    )
    assert len(rows) == 3
    insert_bit = 1 << 2  # pg_trigger.tgtype: TRIGGER_TYPE_INSERT
    assert all(not tgtype & insert_bit for _name, tgtype in rows)


@pytest.mark.django_db
@pytest.mark.parametrize("statement", ["UPDATE {t} SET {k} = {k}", "DELETE FROM {t}", "TRUNCATE {t} CASCADE"])
def test_the_app_role_cannot_update_delete_or_truncate_audit_rows(statement: str, officer: User) -> None:
    AccessLog.objects.create(user=officer, action="test", person_ids=[1], path="/x/")
    _denied_row(officer)
    chain.seal_pending()
    _sql("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE refuses a table with deferred checks pending
    targets = [
        (EVENT_TABLE, "pgh_label"),
        (Officer.pgh_event_model._meta.db_table, "pgh_label"),  # type: ignore[attr-defined]
        (AccessLog._meta.db_table, "purpose"),
        (DENIED, "outcome"),
        (Seal._meta.db_table, "mac"),
    ]
    for table, column in targets:
        before = _sql(f"SELECT count(*) FROM {table}")[0][0]
        assert before > 0, table
        with pytest.raises(DatabaseError, match="append-only|refused"), transaction.atomic():
            _sql(statement.format(t=table, k=column))
        assert _sql(f"SELECT count(*) FROM {table}")[0][0] == before


@pytest.mark.django_db
def test_a_context_grows_while_its_request_runs_and_is_frozen_after(officer: User) -> None:
    """pghistory upserts its Context during a request (the user once known, the URL): while young it
    may gain metadata, never lose a key; once closed it cannot change; it is never deleted."""
    with pghistory.context(url="/test/"):
        Station.objects.filter(pk=officer.home_station_id).update(name="审计所一")
        pghistory.context(user=officer.pk)
        Station.objects.filter(pk=officer.home_station_id).update(name="审计所二")  # the upsert updates
    context = pghistory.models.Context.objects.order_by("-created_at").first()
    assert context is not None and context.metadata == {"url": "/test/", "user": officer.pk}
    table = "pghistory_context"
    with pytest.raises(DatabaseError, match="refused"), transaction.atomic():
        _sql(f"UPDATE {table} SET metadata = '{{\"user\": 1}}' WHERE id = %s", [context.id])  # drops "url"
    with pytest.raises(DatabaseError, match="refused"), transaction.atomic():
        _sql(f"DELETE FROM {table} WHERE id = %s", [context.id])
    _as_superuser_without_triggers(
        f"UPDATE {table} SET created_at = now() - interval '2 days' WHERE id = %s", [context.id]
    )
    with pytest.raises(DatabaseError, match="frozen"), transaction.atomic():
        _sql(f"UPDATE {table} SET metadata = metadata || '{{\"x\": 1}}' WHERE id = %s", [context.id])


# --- 2. the hash chain -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_untouched_trail_verifies_clean(officer: User, capsys: pytest.CaptureFixture[str]) -> None:
    _denied_row(officer)
    sealed = chain.seal_pending()
    assert sealed.get(EVENT_TABLE, 0) > 0 and sealed.get(DENIED, 0) > 0
    assert chain.seal_pending() == {}, "a second run seals nothing twice"
    report = chain.verify()
    assert report.ok and report.rows >= sum(sealed.values())
    call_command("audit_verify")
    assert capsys.readouterr().out.startswith("OK:")


@pytest.mark.django_db
def test_verify_names_an_altered_a_deleted_and_an_inserted_row(
    officer: User, capsys: pytest.CaptureFixture[str]
) -> None:
    gap = int(_sql(f"SELECT nextval(pg_get_serial_sequence('{DENIED}', 'id'))")[0][0])  # an id never used
    altered, deleted = _denied_row(officer, object_id="11"), _denied_row(officer, object_id="12")
    event = int(_sql(f"SELECT min(pgh_id) FROM {EVENT_TABLE}")[0][0])
    chain.seal_pending()
    assert _problems() == []

    _as_superuser_without_triggers(f"UPDATE {DENIED} SET outcome = 'not_found' WHERE id = %s", [altered])
    _as_superuser_without_triggers(f"UPDATE {EVENT_TABLE} SET name = 'forged' WHERE pgh_id = %s", [event])
    _as_superuser_without_triggers(f"DELETE FROM {DENIED} WHERE id = %s", [deleted])
    _as_superuser_without_triggers(
        f"INSERT INTO {DENIED} (id, at, user_id, path, method, model, object_id, outcome) "
        "VALUES (%s, now(), %s, '/x/', 'GET', 'stations.station', '99', 'denied')",
        [gap, officer.pk],  # slipped in under an id inside the sealed range
    )
    problems = _problems()
    assert sorted(problems) == sorted(
        [
            f"{DENIED} row {altered}: altered",
            f"{EVENT_TABLE} row {event}: altered",
            f"{DENIED} row {deleted}: deleted",
            f"{DENIED} row {gap}: inserted into a sealed range",
        ]
    )

    with pytest.raises(SystemExit) as exit_:
        call_command("audit_verify")
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert all(problem in err for problem in problems) and "FAILED: 4 problem(s)" in err


@pytest.mark.django_db
def test_verify_finds_a_forged_or_removed_link() -> None:
    chain.seal_pending()
    links = list(Seal.objects.order_by("id").values_list("id", flat=True))
    assert len(links) >= 3
    _as_superuser_without_triggers("UPDATE audit_seal SET row_keys = row_keys[2:] WHERE id = %s", [links[1]])
    assert f"audit_seal row {links[1]}: link altered or forged, or the link before it removed" in _problems()
    _as_superuser_without_triggers("DELETE FROM audit_seal WHERE id = %s", [links[1]])
    assert f"audit_seal row {links[2]}: link altered or forged, or the link before it removed" in _problems()


@pytest.mark.django_db
def test_the_chain_cannot_be_reforged_without_the_key(officer: User, settings: Any) -> None:
    """Someone who can write the database but lacks the key recomputes the chain with another key:
    verification (with the real key) still fails."""
    row = _denied_row(officer)
    chain.seal_pending()
    real = settings.AUDIT_CHAIN_KEY
    settings.AUDIT_CHAIN_KEY = "attacker-guess"
    _as_superuser_without_triggers(f"UPDATE {DENIED} SET outcome = 'not_found' WHERE id = %s", [row])
    _as_superuser_without_triggers("DELETE FROM audit_seal")
    chain.seal_pending()
    assert chain.verify().ok  # consistent under the forger's key…
    settings.AUDIT_CHAIN_KEY = real
    assert not chain.verify().ok  # …but not under the portal's


def _context_written_by(user: User, *, age: timedelta) -> str:
    """A pghistory context of a write by ``user``, dated ``age`` ago (as if its request ran then)."""
    with pghistory.context(user=user.pk, url="/old/"):
        Station.objects.filter(pk=user.home_station_id).update(name="旧所")
    context = pghistory.models.Context.objects.filter(metadata__url="/old/").order_by("-created_at").first()
    assert context is not None
    _as_superuser_without_triggers(
        "UPDATE pghistory_context SET created_at = now() - %s WHERE id = %s", [age, context.id]
    )
    return str(context.id)


@pytest.mark.django_db
def test_closed_contexts_are_sealed_and_an_altered_who_is_found(officer: User, officer_b: User) -> None:
    """The context says who made a change: once closed it is sealed, and rewriting its user is found."""
    context = _context_written_by(officer, age=timedelta(days=2))
    young = pghistory.models.Context.objects.order_by("-created_at").values_list("id", flat=True).first()
    sealed = chain.seal_pending()
    assert sealed.get("pghistory_context", 0) >= 1
    keys = {
        k
        for keys in Seal.objects.filter(table="pghistory_context").values_list("row_keys", flat=True)
        for k in keys
    }
    assert context in keys and str(young) not in keys, "open (young) contexts wait"
    assert _problems() == []
    _as_superuser_without_triggers(
        "UPDATE pghistory_context SET metadata = jsonb_set(metadata, '{user}', %s::jsonb) WHERE id = %s",
        [str(officer_b.pk), context],
    )
    assert _problems() == [f"pghistory_context row {context}: altered"]


@pytest.mark.django_db(transaction=True)
def test_a_row_committed_late_with_a_lower_id_is_sealed_not_flagged(officer: User) -> None:
    """A long transaction takes id N, a later one commits N+1 first: the sealer waits until N's
    transaction ends instead of sealing past it (which would make N look slipped in later)."""
    db = settings.DATABASES["default"]
    other = psycopg2.connect(
        dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"], host=db["HOST"], port=db["PORT"]
    )
    try:
        with other.cursor() as cursor:  # psycopg2 opens a transaction and keeps it open
            cursor.execute(
                f"INSERT INTO {DENIED} (at, user_id, path, method, model, object_id, outcome) "
                "VALUES (now(), %s, '/late/', 'GET', 'stations.station', '1', 'denied') RETURNING id",
                [officer.pk],
            )
            late = cursor.fetchone()[0]
        early = _denied_row(officer)
        assert early > late
        chain.seal_pending()
        sealed = {
            key
            for keys in Seal.objects.filter(table=DENIED).values_list("row_keys", flat=True)
            for key in keys
        }
        assert str(early) not in sealed, "sealed past a transaction still open"
        other.commit()
        chain.seal_pending()
        sealed = {
            key
            for keys in Seal.objects.filter(table=DENIED).values_list("row_keys", flat=True)
            for key in keys
        }
        assert {str(late), str(early)} <= sealed
        assert chain.verify().ok
    finally:
        other.close()


# --- 3. retention ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_purge_keeps_a_366_day_old_row_and_removes_rows_past_retention(officer: User) -> None:
    now = timezone.now()
    kept = _denied_row(officer, age=timedelta(days=366))
    old = _denied_row(officer, age=timedelta(days=401))
    old_event = _old_event(timedelta(days=401))
    recent_event = _old_event(timedelta(days=366))
    old_context = _context_written_by(officer, age=timedelta(days=401))
    deleted = services.audit_purge_expired(now=now, retention_days=400)
    assert deleted == {DENIED: 1, EVENT_TABLE: 1, "pghistory_context": 1}
    assert not pghistory.models.Context.objects.filter(id=old_context).exists()
    assert DeniedAccess.objects.filter(pk=kept).exists() and not DeniedAccess.objects.filter(pk=old).exists()
    assert (
        not EVENT_MODEL.objects.filter(pk=old_event).exists()
        and EVENT_MODEL.objects.filter(pk=recent_event).exists()
    )
    assert _problems() == [], "the chain still verifies after a purge"
    assert Seal.objects.filter(kind=SealKind.PURGE, table=DENIED, row_keys=[str(old)]).exists()
    assert services.audit_purge_expired(now=now, retention_days=400) == {}


@pytest.mark.django_db
def test_the_purge_path_refuses_rows_within_retention_and_a_purge_below_a_year(officer: User) -> None:
    now = timezone.now()
    recent = _denied_row(officer, age=timedelta(days=10))
    aged = _denied_row(officer, age=timedelta(days=200))
    recent_event = _old_event(timedelta(days=10))
    for table, key, row in [(DENIED, "id", recent), (EVENT_TABLE, "pgh_id", recent_event)]:
        with pytest.raises(DatabaseError, match="DELETE refused"), transaction.atomic():
            with services.purge_scope(purge_before=now - timedelta(days=400)):
                _sql(f"DELETE FROM {table} WHERE {key} = %s", [row])
    with pytest.raises(DatabaseError, match="DELETE refused"), transaction.atomic():
        # the application asking for a shorter retention: the trigger's floor is a year whatever it says
        with services.purge_scope(purge_before=now - timedelta(days=30)):
            _sql(f"DELETE FROM {DENIED} WHERE id = %s", [aged])
    assert DeniedAccess.objects.filter(pk__in=[recent, aged]).count() == 2
    assert EVENT_MODEL.objects.filter(pk=recent_event).exists()
    with pytest.raises(ValueError):
        services.audit_purge_expired(now=now, retention_days=365)


@pytest.mark.parametrize(("days", "starts"), [("365", False), ("366", True)])
def test_a_retention_below_a_year_stops_start_up(days: str, starts: bool) -> None:
    env = {**os.environ, "AUDIT_RETENTION_DAYS": days}
    result = subprocess.run(
        [sys.executable, "-c", "import portal.settings as s; print(s.AUDIT_RETENTION_DAYS)"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=settings.BASE_DIR,
    )
    assert (result.returncode == 0) is starts, result.stderr[-500:]
    if not starts:
        assert "AUDIT_RETENTION_DAYS must be at least 366" in result.stderr


def test_sealing_and_purging_are_scheduled() -> None:
    from portal.schedules import BEAT_SCHEDULE

    tasks = {entry["task"] for entry in BEAT_SCHEDULE.values()}
    assert {"audit.tasks.seal_pending_task", "audit.tasks.purge_expired_task"} <= tasks
    assert settings.AUDIT_RETENTION_DAYS >= 366


@pytest.mark.django_db
def test_the_nightly_task_purges_with_the_setting(officer: User, settings: Any) -> None:
    from audit.tasks import purge_expired_task

    settings.AUDIT_RETENTION_DAYS = 500
    at_450 = _denied_row(officer, age=timedelta(days=450))
    at_510 = _denied_row(officer, age=timedelta(days=510))
    assert purge_expired_task() == 1
    assert list(DeniedAccess.objects.filter(pk__in=[at_450, at_510]).values_list("pk", flat=True)) == [at_450]


def test_the_audit_tables_are_found_generically() -> None:
    tables = {spec.table for spec in audit_tables()}
    assert {model._meta.db_table for model in event_models()} <= tables
    assert len(event_models()) == sum(
        1
        for model in apps.get_models()
        if issubclass(model, pghistory.models.Event) and not model._meta.proxy
    )
