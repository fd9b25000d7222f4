"""``manage.py load_demo [--scale tiny|small|province] [--seed N] [--today YYYY-MM-DD] [--if-empty]``.

Builds the demo province: each app's ``<app>/demo.py`` ``build(ctx)`` in dependency order, all in one
transaction (a failure leaves the database as it was). The same seed and day give the same data."""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from common.audit import audit_context
from common.demo import BUILD_ORDER, SCALES, DemoContext


class Command(BaseCommand):
    help = "Load the demo province (Gansu's real divisions, stations, officers, users and each app's data)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=SCALES, default="small")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None, help="YYYY-MM-DD (default: today)")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when the demo is already loaded.")

    def handle(self, *args: Any, scale: str, seed: int, today: dt.date | None, if_empty: bool, **options: Any) -> None:
        from django.utils import timezone

        from stations.models import Region

        if Region.objects.exists():
            if if_empty:
                self.stdout.write("The demo province is already loaded.")
                return
            raise CommandError("The database already holds regions: load the demo into an empty one.")
        ctx = DemoContext(scale=scale, seed=seed, today=today or timezone.localdate(), password=settings.DEMO_PASSWORD)
        begun = time.monotonic()
        with transaction.atomic(), audit_context(source="load_demo", scale=scale, seed=seed):
            for app in BUILD_ORDER:
                module_name = f"{app}.demo"
                if importlib.util.find_spec(module_name) is None:
                    continue
                started = time.monotonic()
                importlib.import_module(module_name).build(ctx)
                self.stdout.write(f"  {app}: {time.monotonic() - started:.1f}s")
        self.stdout.write(self.style.SUCCESS(
            f"Demo province loaded ({scale}, seed {seed}) in {time.monotonic() - begun:.1f}s."
        ))
