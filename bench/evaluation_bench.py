"""Evaluation benchmarks, measured side by side in one run on scratch databases.

    .venv/bin/python bench/evaluation_bench.py [--province demo|synthetic|skip] [--small 100000] [--large 1000000]
                                              [--reuse-province DB] [--keep]

a. Scoring every unit (stations, counties, cities) of a province for one month with
   ``evaluation.services.assessment_score``: wall time and number of queries, for the first run (every
   score inserted) and the rerun (every score updated in place). The province is either the demo
   (``load_demo --scale province``: ~1,000 stations and every app's data; slow to build) or a synthetic
   one built by SQL (``--province synthetic``: the stations demo's org tree at province scale, then the
   tables the metrics read filled with one INSERT ... SELECT each). ``--reuse-province DB`` scores an
   already loaded database instead of building one (it is not dropped).
b. The province dashboard (``evaluation:dashboard`` as ``province_admin``, in-process with Django's test
   client, median of 21 after a warm-up) with the registry at ``--small`` persons, then again after
   filling it up to ``--large`` persons (by SQL, as ``bench/registry_bench.py --synthetic`` does) and
   recomputing the data-quality rates and scores as the nightly tasks would. The page reads
   pre-aggregated tables only, so the goal is large / small <= 1.2.

Scratch databases ``bench_heval2_<pid>_a`` / ``_b`` are created on the running server (``BENCH_PG``,
default ``postgres://portal:portal@127.0.0.1:54329``) and dropped at the end unless ``--keep``.
Nothing here runs in the test suite; speed is measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.registry_bench import PG, SYNTHETIC_SQL, admin_sql, say  # noqa: E402


def use_database(name: str) -> None:
    """Point Django (set up once) at database ``name``."""
    from django.db import connections

    connections.close_all()
    connections["default"].settings_dict["NAME"] = name


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def last_month() -> Any:
    from django.utils import timezone

    from evaluation import services

    return services.period_month(day=timezone.localdate().replace(day=1) - dt.timedelta(days=1))


def time_scoring(label: str) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from evaluation import services
    from evaluation.models import Score
    from stations.models import Station

    period = last_month()
    say(f"\na. Scoring every unit for {period} ({label}): {Station.objects.filter(is_active=True).count():,} "
        f"active stations")  # fmt: skip
    for what in ("first run (scores inserted)", "rerun (scores updated in place)", "rerun again"):
        if what.startswith("first"):
            Score.objects.filter(period=period).delete()
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            run = services.assessment_score(period=period, triggered_by="bench")
            seconds = time.perf_counter() - started
        say(f"  {what:<36} {run.units_scored:6,} units  {seconds:7.2f} s  {len(ctx.captured_queries):4} queries")
    scored = Score.objects.filter(period=period).exclude(breakdown=[]).count()
    with_points = sum(
        1 for b in Score.objects.filter(period=period).values_list("breakdown", flat=True)
        if any(line["points"] is not None for line in b)
    )  # fmt: skip
    say(f"  {scored:,} scores, {with_points:,} with points on at least one indicator")


# --- a synthetic province ----------------------------------------------------------------------------------


def synthetic_province() -> None:
    """The stations demo's org tree at province scale (Gansu's 14 cities and 86 counties, ~1,000 stations,
    officers and postings), then one INSERT ... SELECT per table a metric reads, so every indicator has
    data for every station: quality rates, check-in compliance, dispute months, key venues and their
    inspections, communities, household heads with activities, awards."""
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from common.demo import DemoContext
    from stations import demo as stations_demo

    started = time.perf_counter()
    today = timezone.localdate()
    ctx = DemoContext(scale="province", seed=1, today=today, password=settings.DEMO_PASSWORD)
    stations_demo.build(ctx)
    say(f"  stations demo at province scale in {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    month = last_month()
    from django.db import transaction

    with connection.cursor() as cur:
        for sql in synthetic_sql(month.start, month.end, today):
            table = sql.split()[2]
            try:
                with transaction.atomic():
                    cur.execute(sql)
                say(f"    {table:<32} {cur.rowcount:9,} rows")
            except Exception as error:  # a table whose shape moved on: say so, score without it
                say(f"    {table:<32} skipped: {str(error).splitlines()[0]}")
        cur.execute("ANALYZE")
    say(f"  metric source tables filled by SQL in {time.perf_counter() - started:.0f} s")


def synthetic_sql(start: dt.date, end: dt.date, today: dt.date) -> list[str]:
    """One statement per table a metric reads; figures vary by station id so units rank apart."""
    s, e = f"DATE '{start}'", f"DATE '{end}'"
    return [
        # registry quality rates of the period's last day, per station and record kind
        f"""INSERT INTO registry_qualityrate (day, kind, total, complete, accurate, fresh, computed_at, station_id)
            SELECT {e}, k, 2000 + st.id % 700, 2000 + st.id % 700 - st.id % 61, 2000 + st.id % 700 - st.id % 47,
                   2000 + st.id % 700 - st.id % 83, now(), st.id
            FROM stations_station st CROSS JOIN unnest(ARRAY['persons', 'addresses', 'houses', 'units']) k""",
        # check-in compliance of every officer posted at a station
        f"""INSERT INTO beats_monthlycompliance (month, days_checked, days_required, met, computed_at, officer_id,
                                                 station_id)
            SELECT {s}, 10 + o.id % 15, 20, 10 + o.id % 15 >= 20 - o.id % 3, now(), o.id, o.station_id
            FROM stations_officer o WHERE o.station_id IS NOT NULL""",
        # the disputes app's monthly summary
        f"""INSERT INTO disputes_disputemonth (month, found, resolved, transferred, open_low, open_medium, open_high,
                                               criminal, homicide, computed_at, station_id)
            SELECT {s}, 30 + st.id % 20, 28 + st.id % 20 - st.id % 4, 0, 1, 0, 0, (st.id % 9 = 0)::int,
                   (st.id % 97 = 0)::int, now(), st.id
            FROM stations_station st""",
        # key venues, eight per station, and their inspections in the period (about 85 % of them)
        """INSERT INTO registry_unit (created_at, updated_at, deleted, name, uscc, kind, legal_rep_name,
                                      legal_rep_national_id, security_contact, security_phone, trade_details, station_id)
            SELECT now(), now(), false, 'bench venue ' || st.id || '-' || k,
                   'BENCH' || lpad(st.id::text, 8, '0') || lpad(k::text, 5, '0'),
                   (ARRAY['hotel', 'internet_cafe', 'logistics', 'entertainment'])[1 + k % 4], '', '', '', '', '{}', st.id
            FROM stations_station st CROSS JOIN generate_series(1, 8) k""",
        f"""INSERT INTO registry_inspection (inspected_at, venue_id, station_id, officer_ids, unannounced, findings,
                                             rectification, created_at)
            SELECT {s} + interval '10 hours' + (u.id % 20) * interval '1 day', u.id, u.station_id, '{{}}', true, '', '',
                   now()
            FROM registry_unit u WHERE u.uscc LIKE 'BENCH%' AND u.id % 7 <> 0""",
        # communities, six per station, a few with a breach of the eight nos this year
        """INSERT INTO beats_community (code, name, kind, station_id)
            SELECT 'BENCH-' || st.id || '-' || k, 'bench community ' || st.id || '-' || k,
                   CASE WHEN k % 2 = 0 THEN 'urban' ELSE 'rural' END, st.id
            FROM stations_station st CROSS JOIN generate_series(1, 6) k""",
        f"""INSERT INTO beats_eightnosbreach (item, occurred_on, case_number, description, recorded_at, community_id)
            SELECT 'drugs', {s}, '', '', now(), c.id FROM beats_community c WHERE c.id % 5 = 0""",
        # household heads, two per community, and their confirmed activities in the period
        """INSERT INTO beats_householdhead (national_id, name, phone, source, appointed_on, is_active, community_id,
                                            station_id)
            SELECT 'BENCH' || lpad(c.id::text, 10, '0') || k, 'head', '', 'resident', DATE '2020-01-01', true, c.id,
                   c.station_id
            FROM beats_community c CROSS JOIN generate_series(1, 2) k""",
        f"""INSERT INTO beats_householdheadactivity (kind, occurred_on, description, status, reported_at,
                                                     decision_note, head_id, station_id)
            SELECT 'traffic', {s} + 3, '', 'confirmed', now(), '', h.id, h.station_id
            FROM beats_householdhead h WHERE h.id % 4 <> 0""",
        # individual awards in the period to one officer in twenty (where each is posted)
        f"""INSERT INTO rewards_award (awarded_on, reason, wartime, emergency, people, confirmed, at_station,
                                       officer_id, issuing_region_id, region_id, station_id, level_id)
            SELECT {s} + 10, 'bench', false, '', 1, true, o.station_id IS NOT NULL, o.id, o.region_id,
                   COALESCE(st.county_id, o.region_id), o.station_id, (SELECT min(id) FROM rewards_awardlevel)
            FROM stations_officer o LEFT JOIN stations_station st ON st.id = o.station_id
            WHERE o.id % 20 = 0 AND o.region_id IS NOT NULL""",
    ]


# --- b. the dashboard at two registry sizes ---------------------------------------------------------------


CODES = ["620102", "620103", "620104", "620105", "620111", "620121", "620122", "620123", "620201", "620302"]


def fill_persons(first: int, last: int, addresses: int) -> None:
    """Persons ``first`` .. ``last - 1`` by SQL (bench/registry_bench.py's statement, in 1M-row chunks
    aligned on multiples of 1M, so filling 0..100k and then 100k..1M gives distinct national IDs)."""
    from django.db import connection

    chunk = 1_000_000
    with connection.cursor() as cur:
        cur.execute("ALTER TABLE registry_person DISABLE TRIGGER USER")  # a fill, not a workload
        i = first
        while i < last:
            stop = min(last, (i // chunk + 1) * chunk)
            cur.execute(SYNTHETIC_SQL, {
                "code": CODES[(i // chunk) % len(CODES)], "start": i % 25_000_000,
                "stop": (stop - 1) % 25_000_000, "addresses": addresses,
            })  # fmt: skip
            i = stop
        cur.execute("ALTER TABLE registry_person ENABLE TRIGGER USER")
        cur.execute("ANALYZE registry_person")


def nightly() -> float:
    """What Celery keeps current overnight: the day's quality rates and last month's scores."""
    from django.utils import timezone

    from evaluation import services
    from registry.quality import quality_recompute

    started = time.perf_counter()
    quality_recompute(day=timezone.localdate())
    services.assessment_score(period=last_month(), triggered_by="bench")
    return time.perf_counter() - started


def time_dashboard(repeats: int = 21) -> tuple[float, int, int]:
    """Median ms of the province dashboard as province_admin, its query count and response size."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from stations.models import User

    client = Client()
    client.force_login(User.objects.get(username="province_admin"))
    from django.urls import reverse

    url = reverse("evaluation:dashboard")
    response = client.get(url)  # warm-up
    assert response.status_code == 200, response.status_code
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return statistics.median(times) * 1000, len(ctx.captured_queries), len(response.content)


def dashboard_bench(small: int, large: int, addresses: int, *, org_tree: bool) -> None:
    """``org_tree``: the database already holds one (the synthetic province of part a)."""
    from django.conf import settings
    from django.utils import timezone

    from common.demo import DemoContext
    from registry.models import Address, Person
    from stations import demo as stations_demo
    from stations.models import Station

    started = time.perf_counter()
    if not org_tree:
        stations_demo.build(
            DemoContext(scale="tiny", seed=1, today=timezone.localdate(), password=settings.DEMO_PASSWORD)
        )
    stations = list(Station.objects.select_related("county"))
    Address.objects.bulk_create(
        [
            Address(
                code=f"BENCH-{i:06d}", level="room", county=stations[i % len(stations)].county,
                station=stations[i % len(stations)], name=f"{i}", full_text=f"兰州市城关区测试路{i}号",
            )
            for i in range(addresses)
        ],
        batch_size=5000,
    )  # fmt: skip
    say(f"  org tree ({len(stations)} stations) and {addresses:,} addresses in {time.perf_counter() - started:.0f} s")
    results = {}
    done = 0
    for size in (small, large):
        started = time.perf_counter()
        fill_persons(done, size, addresses)
        done = size
        filled = time.perf_counter() - started
        recomputed = nightly()
        ms, queries, size_bytes = time_dashboard()
        results[size] = ms
        say(f"  {Person.objects.count():>12,} persons (fill {filled:5.0f} s, nightly quality + scores {recomputed:5.0f} s): "
            f"dashboard {ms:7.1f} ms median, {queries} queries, {size_bytes / 1024:.0f} KiB")  # fmt: skip
    ratio = results[large] / results[small]
    say(f"  dashboard at {large:,} / at {small:,} persons = {ratio:.2f}x   (goal <= 1.2x)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--province", choices=["demo", "synthetic", "skip"], default="synthetic")
    parser.add_argument("--reuse-province", default="", help="an already loaded database to score (kept)")
    parser.add_argument("--small", type=int, default=100_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--addresses", type=int, default=2000)
    parser.add_argument("--skip-dashboard", action="store_true")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    base = f"bench_heval2_{os.getpid()}"
    created: list[str] = []
    os.environ["DATABASE_URL"] = f"{PG}/postgres"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"  # nothing published to a broker another worker reads
    try:
        import django

        django.setup()
        from django.db import connection

        say(f"{os.cpu_count()} cores; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        if args.reuse_province:
            use_database(args.reuse_province)
            time_scoring(f"reused database {args.reuse_province}")
        elif args.province != "skip":
            name = f"{base}_a"
            admin_sql(f"CREATE DATABASE {name}")
            created.append(name)
            use_database(name)
            with connection.cursor() as cur:
                cur.execute("SHOW server_version")
                say(f"PostgreSQL {cur.fetchone()[0]}; database {name}")
            started = time.perf_counter()
            migrate()
            if args.province == "demo":
                from django.core.management import call_command

                call_command("load_demo", scale="province", seed=1, verbosity=0)
                say(f"  migrated and loaded the province demo in {time.perf_counter() - started:.0f} s")
            else:
                synthetic_province()
            time_scoring(f"{args.province} province")
        if not args.skip_dashboard:
            # On the synthetic province when part a built one (a province-sized dashboard, one migrate
            # less); otherwise on a database of its own with the tiny org tree.
            org_tree = args.province == "synthetic" and not args.reuse_province
            if not org_tree:
                name = f"{base}_b"
                admin_sql(f"CREATE DATABASE {name}")
                created.append(name)
                use_database(name)
                migrate()
            say(f"\nb. The province dashboard at {args.small:,} vs {args.large:,} persons (database "
                f"{connection.settings_dict['NAME']})")  # fmt: skip
            dashboard_bench(args.small, args.large, args.addresses, org_tree=org_tree)
        say(f"load average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        from django.db import connections

        connections.close_all()
        for name in created:
            if args.keep:
                say(f"kept {name}")
            else:
                admin_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
                say(f"dropped {name}")


if __name__ == "__main__":
    main()
