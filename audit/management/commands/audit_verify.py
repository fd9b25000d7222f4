"""``manage.py audit_verify``: check the audit hash chain; exit 1 naming every table and row found wrong."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from audit import chain


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain: any altered, deleted or inserted audit row is named."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--seal", action="store_true", help="seal pending rows first (as the periodic task does)"
        )
        parser.add_argument(
            "--head", default="", help="the chain head (MAC) recorded elsewhere, to check the tail too"
        )

    def handle(self, *args: Any, seal: bool = False, head: str = "", **options: Any) -> None:
        if seal:
            chain.seal_pending()
        report = chain.verify()
        for problem in report.problems:
            self.stderr.write(str(problem))
        if head and head != report.head and not any(p.key == "*" for p in report.problems):
            # links after the recorded head may exist (sealed since); the head must still be in the chain
            from audit.models import Seal

            if not Seal.objects.filter(mac=head).exists():
                self.stderr.write(f"chain head {head} is missing: links at the end of the chain were removed")
                report.problems.append(chain.Problem("audit_seal", "head", "missing"))
        summary = f"{report.links} links, {report.rows} sealed rows checked, head {report.head or '-'}"
        if report.problems:
            self.stderr.write(f"FAILED: {len(report.problems)} problem(s); {summary}")
            raise SystemExit(1)
        self.stdout.write(f"OK: {summary}")
