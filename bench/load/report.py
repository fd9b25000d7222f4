"""Print the figures of a locust run (its ``--csv`` statistics) per kind of request; exit 1 if any failed.

.venv/bin/python bench/load/report.py var/load/locust      # reads var/load/locust_stats.csv
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import kinds  # noqa: E402


def read(prefix: str) -> list[dict[str, str]]:
    with Path(f"{prefix}_stats.csv").open(newline="") as stats:
        return list(csv.DictReader(stats))


def main(prefix: str) -> int:
    rows = read(prefix)
    by_name = {row["Name"]: row for row in rows}
    print(f"{'kind of request':<36} {'requests':>8} {'failed':>6} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7}")
    for name in [*kinds.ALL, "Aggregated"]:
        row = by_name.get(name)
        if row is None:
            print(f"{name:<36} {'not exercised':>8}")
            continue
        print(
            f"{name:<36} {row['Request Count']:>8} {row['Failure Count']:>6} {float(row['Requests/s']):>7.2f}"
            f" {row['50%']:>7} {row['99%']:>7}"
        )
    failed = sum(int(row["Failure Count"]) for row in rows if row["Name"] != "Aggregated")
    failures = Path(f"{prefix}_failures.csv")
    if failed and failures.exists():
        print("\nfailures:")
        for row in csv.DictReader(failures.open(newline="")):
            print(f"  {row['Occurrences']} × {row['Method']} {row['Name']}: {row['Error'][:300]}")
    exceptions = Path(f"{prefix}_exceptions.csv")
    errors = list(csv.DictReader(exceptions.open(newline=""))) if exceptions.exists() else []
    for row in errors:
        print(f"  exception {row['Count']} ×: {row['Message'][:300]}")
    print(f"\nfailed requests: {failed}; errors in the scenario: {len(errors)}")
    return 1 if failed or errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "var/load/locust"))
