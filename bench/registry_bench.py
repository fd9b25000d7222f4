"""Registry benchmarks, each measured side by side in one run on a scratch database.

    .venv/bin/python bench/registry_bench.py --rows 1000000 [--skip-http] [--keep]

1. import N persons from CSV through the real import path (streaming, validation, COPY into staging,
   upsert by national ID, bad-row report) vs raw ``COPY`` of the same file into a table with the same
   indexes vs ORM ``bulk_create(batch_size=5000)`` with the same validation; then the same file again
   (the idempotent rerun that changes nothing);
2. the data-quality computation of the persons at N rows;
3. the persons list and an ``updated_since`` sync page (API, in-process) at N rows;
4. requests/s of the persons list endpoint (50 rows, token auth, jurisdiction, masking) vs a bare
   Django keyset view of the same 50 rows, same gunicorn, same run (``wrk`` on loopback).

The scratch database ``bench_h6b_<pid>`` is created on the running server (``BENCH_PG``, default
``postgres://portal:portal@127.0.0.1:54329``) and dropped at the end unless ``--keep``.
Nothing here runs in the test suite; speed is measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG = os.environ.get("BENCH_PG", "postgres://portal:portal@127.0.0.1:54329")


def say(*args: object) -> None:
    print(*args, flush=True)


def admin_sql(sql: str) -> None:
    import psycopg2

    conn = psycopg2.connect(f"{PG}/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(sql)
    conn.close()


# --- data ----------------------------------------------------------------------------------------------


def national_ids(n: int, rng: random.Random, codes: list[str]) -> list[str]:
    """``n`` distinct valid national IDs (GB 11643 check character from python-stdnum)."""
    from stdnum.cn import ric

    start = dt.date(1940, 1, 1)
    ids = []
    for i in range(n):
        born = start + dt.timedelta(days=(i // 900) % 25000)
        code = codes[(i // (900 * 25000) + i) % len(codes)]
        body = f"{code}{born:%Y%m%d}{(i % 900) + 100:03d}"
        ids.append(body + ric.calc_check_digit(body + "0"))
    rng.shuffle(ids)
    return ids


def write_persons_csv(
    path: Path, n: int, address_codes: list[str], *, bad_share: float = 0.01, seed: int = 7
) -> int:
    """A CSV of ``n`` persons; about ``bad_share`` of them carry one flaw (checksum, phone or address)."""
    from stdnum.cn import ric

    rng = random.Random(seed)
    # Region codes in use for every birth year generated (1940-2010), as cn.ric checks.
    codes = [str(c) for c in range(620100, 623100) if _code_ok(str(c), 1940) and _code_ok(str(c), 2010)][:40]
    ids = national_ids(n, rng, codes)
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
    given = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英"
    bad = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["national_id", "name", "gender", "birth_date", "ethnicity", "phone", "hukou_place",
                      "address_code", "category", "inflow_date", "inflow_origin"])  # fmt: skip
        for number in ids:
            gender = "M" if int(number[16]) % 2 else "F"
            born = f"{number[6:10]}-{number[10:12]}-{number[12:14]}"
            phone = f"13{rng.randrange(10)}{rng.randrange(10**8):08d}"
            address = address_codes[rng.randrange(len(address_codes))]
            floating = rng.random() < 0.2
            if rng.random() < bad_share:
                bad += 1
                flaw = rng.randrange(3)
                if flaw == 0:
                    number = number[:17] + ("0" if number[17] != "0" else "1")
                elif flaw == 1:
                    phone = "12345"
                else:
                    address = "NO-SUCH-ADDRESS"
            out.writerow([
                number, rng.choice(surnames) + rng.choice(given) + rng.choice(given), gender, born, "汉族", phone,
                "甘肃省兰州市", address, "floating" if floating else "permanent",
                "2024-03-01" if floating else "", "四川省成都市" if floating else "",
            ])  # fmt: skip
    del ric
    return bad


def _code_ok(code: str, year: int) -> bool:
    from registry.validation import _region_code_valid

    try:
        return _region_code_valid(f"{code}{year}")
    except KeyError:
        return False


# --- measurements ---------------------------------------------------------------------------------------


def timed(label: str, fn, rows: int) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    fn()
    seconds = time.perf_counter() - started
    say(f"  {label:<58} {seconds:8.1f} s  {rows / seconds:10,.0f} rows/s")
    return rows / seconds


def raw_copy(path: Path) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_raw")
        # Exactly the person table's columns and indexes (unique ID and its LIKE index, sync, station,
        # phone, address, trigram name ...), plus the file's address code; no constraints to satisfy.
        cur.execute(
            "CREATE TABLE bench_raw (LIKE registry_person INCLUDING DEFAULTS INCLUDING INDEXES INCLUDING IDENTITY)"
        )
        cur.execute("ALTER TABLE bench_raw ADD COLUMN address_code varchar(40)")
        cur.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = 'bench_raw'::regclass AND attnum > 0 "
            "AND attnotnull AND attname NOT IN ('id', 'national_id') AND NOT attisdropped"
        )
        for (column,) in cur.fetchall():
            cur.execute(f'ALTER TABLE bench_raw ALTER COLUMN "{column}" DROP NOT NULL')
        with path.open("rb") as handle:
            cur.cursor.copy_expert(
                "COPY bench_raw (national_id, name, gender, birth_date, ethnicity, phone, hukou_place, address_code, "
                "category, inflow_date, inflow_origin) FROM STDIN WITH (FORMAT csv, HEADER true)",
                handle,
            )
        cur.execute("SELECT count(*) FROM bench_raw")
        say(f"    raw COPY loaded {cur.fetchone()[0]:,} rows")


def real_import(path: Path, user) -> None:  # type: ignore[no-untyped-def]
    from django.core.files import File

    from registry.imports.pipeline import import_process
    from registry.imports.services import import_create

    with path.open("rb") as handle:
        job = import_create(user=user, kind="persons", upload=File(handle, name=path.name))
    import_process(job_id=job.pk)
    job.refresh_from_db()
    say(
        f"    job {job.pk}: {job.status} done={job.rows_done:,} ok={job.rows_ok:,} bad={job.rows_bad:,} {job.error}"
    )


def orm_bulk_create(path: Path, today: dt.date, limit: int) -> None:
    from registry.models import Address, Person
    from registry.validation import normalise_phone, validate_person

    addresses = dict(Address.objects.values_list("code", "id"))
    stations = dict(Address.objects.values_list("id", "station_id"))
    batch: list[Person] = []
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        for number, row in enumerate(reader):
            if number >= limit:
                break
            row["phone"] = normalise_phone(row["phone"])
            try:
                problems = validate_person(row, today=today)
            except KeyError:
                problems = ["bad"]
            address_id = addresses.get(row["address_code"])
            if problems or address_id is None:
                continue
            batch.append(Person(
                national_id=row["national_id"], name=row["name"], gender=row["gender"], birth_date=row["birth_date"],
                ethnicity=row["ethnicity"], phone=row["phone"], hukou_place=row["hukou_place"], address_id=address_id,
                station_id=stations[address_id], category=row["category"], inflow_date=row["inflow_date"] or None,
                inflow_origin=row["inflow_origin"],
            ))  # fmt: skip
            if len(batch) >= 5000:
                Person.objects.bulk_create(batch, batch_size=5000)
                batch = []
    if batch:
        Person.objects.bulk_create(batch, batch_size=5000)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--addresses", type=int, default=2000)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--skip-orm", action="store_true")
    parser.add_argument(
        "--orm-rows", type=int, default=100_000, help="ORM bulk_create is slow: time it on these first rows"
    )
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument(
        "--reuse",
        metavar="DATABASE",
        help="only the page timings and requests/s, on a database kept by an earlier run's --keep",
    )
    parser.add_argument(
        "--synthetic",
        type=int,
        default=0,
        help="skip the import comparison: fill this many persons with one SQL statement, then time the quality "
        "computation and the list/sync pages at that size (for 10M rows)",
    )
    args = parser.parse_args()

    name = args.reuse or f"bench_h6b_{os.getpid()}"
    if not args.reuse:
        admin_sql(f"CREATE DATABASE {name}")
    os.environ["DATABASE_URL"] = f"{PG}/{name}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
    try:
        import django

        django.setup()
        run(args, name)
    finally:
        from django.db import connections

        connections.close_all()
        if not (args.keep or args.reuse):
            admin_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            say(f"dropped {name}")


def run(args: argparse.Namespace, name: str) -> None:
    from django.conf import settings as django_settings
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    django_settings.REGISTRY_IMPORT_MAX_BAD_ROWS = 10**9  # the file has ~1 % flawed rows on purpose
    say(f"database {name}; {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}")
    if args.reuse:
        http_benchmarks(Path(tempfile.mkdtemp(prefix="bench_h6b_")))
        return
    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        say(f"PostgreSQL {cur.fetchone()[0]}")
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    # Only the org tree and its users: the persons are what the benchmark loads.
    from django.conf import settings

    from common.demo import DemoContext
    from stations import demo as stations_demo

    stations_demo.build(
        DemoContext(scale="tiny", seed=1, today=timezone.localdate(), password=settings.DEMO_PASSWORD)
    )
    say(f"migrated and loaded the demo org tree in {time.perf_counter() - started:.0f} s")

    from registry.models import Address, Person
    from stations.models import Station, User

    admin = User.objects.get(username="province_admin")
    stations = list(Station.objects.select_related("county"))
    Address.objects.bulk_create(
        [
            Address(
                code=f"BENCH-{i:06d}", level="room", county=stations[i % len(stations)].county,
                station=stations[i % len(stations)], name=f"{i}", full_text=f"兰州市城关区测试路{i}号",
            )
            for i in range(args.addresses)
        ],
        batch_size=5000,
    )  # fmt: skip
    codes = [f"BENCH-{i:06d}" for i in range(args.addresses)]

    workdir = Path(tempfile.mkdtemp(prefix="bench_h6b_"))
    if args.synthetic:
        synthetic(args.synthetic, args.addresses)
        quality_timing()
        if not args.skip_http:
            http_benchmarks(workdir)
        return
    path = workdir / "persons.csv"
    started = time.perf_counter()
    bad = write_persons_csv(path, args.rows, codes)
    say(f"generated {args.rows:,} persons ({bad:,} flawed) in {time.perf_counter() - started:.0f} s: "
        f"{path.stat().st_size / 1e6:.0f} MB")  # fmt: skip

    n = args.rows
    say(f"\n1. Import of {n:,} persons from CSV")
    copy_rate = timed("raw COPY into a table with the same indexes", lambda: raw_copy(path), n)
    with connection.cursor() as cur:
        cur.execute("DROP TABLE bench_raw")
    import_rate = timed(
        "real import path (validate, COPY, upsert, report)", lambda: real_import(path, admin), n
    )
    rerun_rate = timed("the same file again (changes nothing)", lambda: real_import(path, admin), n)
    say(f"  real import / raw COPY = {import_rate / copy_rate:.0%}   (goal >= 60 %)")
    say(f"  rerun / raw COPY       = {rerun_rate / copy_rate:.0%}")

    say(f"\n2. Data-quality computation at {Person.objects.count():,} persons")
    from registry.quality import quality_recompute

    for _ in range(2 if Person.objects.count() <= 2_000_000 else 1):
        started = time.perf_counter()
        quality_recompute(day=timezone.localdate(), kinds=["persons"])
        say(
            f"  quality_recompute(persons)                               {time.perf_counter() - started:8.1f} s"
        )
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM registry_qualityissue")
        say(f"  issues written: {cur.fetchone()[0]:,}")

    if not args.skip_http:
        http_benchmarks(workdir)

    if not args.skip_orm:
        with connection.cursor() as cur:
            cur.execute("TRUNCATE registry_person CASCADE")
        m = min(n, args.orm_rows)
        orm_rate = timed(
            f"ORM bulk_create(batch_size=5000), same validation, first {m:,} rows",
            lambda: orm_bulk_create(path, timezone.localdate(), m),
            m,
        )
        say(
            f"  ORM bulk_create / raw COPY = {orm_rate / copy_rate:.0%};  real import / ORM = {import_rate / orm_rate:.1f}x"
        )


SYNTHETIC_SQL = """
INSERT INTO registry_person (national_id, name, gender, birth_date, ethnicity, phone, hukou_place, address_id,
    category, inflow_date, inflow_origin, outflow_destination, station_id, verified_at, created_at, updated_at, deleted)
SELECT n || substr('10X98765432', ((
        substr(n, 1, 1)::int * 7 + substr(n, 2, 1)::int * 9 + substr(n, 3, 1)::int * 10 + substr(n, 4, 1)::int * 5
      + substr(n, 5, 1)::int * 8 + substr(n, 6, 1)::int * 4 + substr(n, 7, 1)::int * 2 + substr(n, 8, 1)::int * 1
      + substr(n, 9, 1)::int * 6 + substr(n, 10, 1)::int * 3 + substr(n, 11, 1)::int * 7 + substr(n, 12, 1)::int * 9
      + substr(n, 13, 1)::int * 10 + substr(n, 14, 1)::int * 5 + substr(n, 15, 1)::int * 8 + substr(n, 16, 1)::int * 4
      + substr(n, 17, 1)::int * 2) %% 11) + 1, 1),
    '测试' || (i %% 1000), CASE WHEN substr(n, 17, 1)::int %% 2 = 1 THEN 'M' ELSE 'F' END, born, '汉族',
    CASE WHEN i %% 50 = 0 THEN '' ELSE '138' || lpad((i %% 100000000)::text, 8, '0') END, '甘肃省兰州市',
    a.id, CASE WHEN i %% 5 = 0 THEN 'floating' ELSE 'permanent' END,
    CASE WHEN i %% 5 = 0 THEN DATE '2024-03-01' END, CASE WHEN i %% 5 = 0 THEN '四川' ELSE '' END, '',
    a.station_id, now() - ((i %% 400) || ' days')::interval, now(), now(), false
FROM (
    SELECT i, born, %(code)s || to_char(born, 'YYYYMMDD') || lpad(((i / 25000) %% 1000)::text, 3, '0') AS n
    FROM (SELECT i, DATE '1940-01-01' + (i %% 25000) AS born FROM generate_series(%(start)s, %(stop)s) i) g
) x
JOIN registry_address a ON a.code = 'BENCH-' || lpad((x.i %% %(addresses)s)::text, 6, '0')
"""


def synthetic(rows: int, addresses: int) -> None:
    """``rows`` valid persons (25,000 birth dates x 1,000 sequence numbers per region code) in chunks."""
    from django.db import connection

    started = time.perf_counter()
    chunk = 1_000_000
    codes = [
        "620102",
        "620103",
        "620104",
        "620105",
        "620111",
        "620121",
        "620122",
        "620123",
        "620201",
        "620302",
    ]
    with connection.cursor() as cur:
        # A fill, not a workload under test: no audit or sync-clock triggers (updated_at is set here).
        cur.execute("ALTER TABLE registry_person DISABLE TRIGGER USER")
        for number, first in enumerate(range(0, rows, chunk)):
            cur.execute(
                SYNTHETIC_SQL,
                {"code": codes[number % len(codes)], "start": first % 25_000_000, "stop": first % 25_000_000 + min(chunk, rows - first) - 1,
                 "addresses": addresses},
            )  # fmt: skip
        cur.execute("ALTER TABLE registry_person ENABLE TRIGGER USER")
        cur.execute("ANALYZE registry_person")
        cur.execute("SELECT count(*) FROM registry_person")
        say(f"filled {cur.fetchone()[0]:,} persons by SQL in {time.perf_counter() - started:.0f} s")


def quality_timing() -> None:
    from django.db import connection
    from django.utils import timezone

    from registry.models import Person
    from registry.quality import quality_recompute

    say(f"\n2. Data-quality computation at {Person.objects.count():,} persons")
    for _ in range(2 if Person.objects.count() <= 2_000_000 else 1):
        started = time.perf_counter()
        quality_recompute(day=timezone.localdate(), kinds=["persons"])
        say(
            f"  quality_recompute(persons)                               {time.perf_counter() - started:8.1f} s"
        )
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM registry_qualityissue")
        say(f"  issues written: {cur.fetchone()[0]:,}")


def http_benchmarks(workdir: Path) -> None:
    """API pages in-process, then wrk against gunicorn."""
    from django.test import Client
    from knox.models import AuthToken

    from stations.models import User

    say("\n3. Persons list and sync pages (API, in-process, median of 20)")
    user = User.objects.get(username="province_admin")
    _instance, token = AuthToken.objects.create(user=user)
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    for label, url in (
        ("persons list, 50 rows", "/api/v1/registry/persons/?page_size=50"),
        (
            "sync page updated_since, 50 rows",
            "/api/v1/registry/persons/?updated_since=2000-01-01&page_size=50",
        ),
        (
            "sync page updated_since, 1000 rows",
            "/api/v1/registry/persons/?updated_since=2000-01-01&page_size=1000",
        ),
    ):
        times = []
        for _ in range(21):
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
        times.sort()
        say(f"  {label:<40} {response.status_code}  {times[10] * 1000:7.1f} ms")

    wrk = subprocess.run(["which", "wrk"], capture_output=True, text=True).stdout.strip()
    if not wrk:
        say("  wrk is not installed: skipping the requests/s comparison")
        return
    say("\n4. Requests/s under gunicorn (2 sync workers), wrk -t2 -c8, 3 interleaved rounds of 10 s, on loopback")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "PYTHONPATH": str(ROOT),
        "API_RATE_PER_TOKEN": "100000000/hour",
    }
    port = "18765"
    gunicorn = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "bench.wsgi:application", "-w", "2", "-b", f"127.0.0.1:{port}",
         "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        import urllib.request

        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # wait for the workers to answer (slow to boot on a busy machine)
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/bare-persons/", timeout=5).read()
                break
            except OSError:
                time.sleep(1)
        # Interleaved rounds (bare, endpoint, bare, endpoint, ...) so that a change in the machine's load
        # during the run falls on both sides alike; the ratio is of the summed requests.
        cases = (
            ("bare Django keyset view, 50 rows", "/bench/bare-persons/", []),
            ("persons list endpoint (token, scope, masking)", "/api/v1/registry/persons/?page_size=50",
             ["-H", f"Authorization: Token {token}"]),
        )  # fmt: skip
        totals = {label: 0.0 for label, _path, _headers in cases}
        for round_ in range(1, 4):
            for label, path, headers in cases:
                out = subprocess.run(
                    [wrk, "-t2", "-c8", "-d10s", "--latency", *headers, f"http://127.0.0.1:{port}{path}"],
                    capture_output=True, text=True, check=False,
                ).stdout  # fmt: skip
                rps = next(
                    (float(line.split()[1]) for line in out.splitlines() if line.startswith("Requests/sec")), 0.0
                )
                p99 = next((line.split()[1] for line in out.splitlines() if line.strip().startswith("99%")), "?")
                non2xx = next((line.strip() for line in out.splitlines() if "Non-2xx" in line), "")
                totals[label] += rps
                say(f"  round {round_}: {label:<48} {rps:8.0f} req/s  p99 {p99}  {non2xx}  "
                    f"(load {os.getloadavg()[0]:.1f})")  # fmt: skip
        bare, api = totals.values()
        if bare:
            say(f"  endpoint / bare view = {api / bare:.0%}   (goal >= 60 %)")
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=20)


if __name__ == "__main__":
    main()
