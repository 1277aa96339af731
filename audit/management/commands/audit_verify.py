"""Recompute the whole audit chain. Exit 0 with a summary when intact; non-zero naming the
first bad sequence number otherwise."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit import services


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain."

    def handle(self, *args: Any, **options: Any) -> None:
        def progress(done: int) -> None:
            self.stderr.write(f"... {done} events checked")

        report = services.verify_chain(progress=progress)
        if not report.ok:
            raise CommandError(
                f"Audit chain BROKEN at sequence {report.first_bad_sequence}: {report.problem}. "
                f"{report.checked} events verified before it."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit chain intact: {report.checked} events, head sequence {report.head_sequence}, "
                f"head hash {report.head_hash}."
            )
        )
