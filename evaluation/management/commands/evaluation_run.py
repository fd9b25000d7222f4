from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand

from evaluation import services


class Command(BaseCommand):
    help = "Score every unit and generate every station's ledgers for a month (default: last month)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--month", help="YYYY-MM")
        parser.add_argument("--skip-ledgers", action="store_true")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        if options["month"]:
            day = dt.date.fromisoformat(options["month"] + "-01")
        else:
            day = dt.date.today().replace(day=1) - dt.timedelta(days=1)
        period = services.period_month(day=day)
        run = services.assessment_score(period=period, triggered_by="command")
        self.stdout.write(f"{period}: {run.units_scored} units scored")
        if not options["skip_ledgers"]:
            self.stdout.write(f"{period}: {services.ledgers_generate(period=period)} ledgers generated")
