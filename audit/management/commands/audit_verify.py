"""Recompute the whole audit chain, then check every signed checkpoint against it. Exit 0 with
a summary when intact; non-zero naming the first bad sequence or checkpoint otherwise."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit import checkpoints, services


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain and its signed checkpoints."

    def handle(self, *args: Any, **options: Any) -> None:
        def progress(done: int) -> None:
            self.stderr.write(f"... {done} events checked")

        report = services.verify_chain(progress=progress)
        if not report.ok:
            raise CommandError(
                f"Audit chain BROKEN at sequence {report.first_bad_sequence}: {report.problem}. "
                f"{report.checked} events verified before it."
            )
        cp_report = checkpoints.verify_checkpoints(
            report.head_sequence, progress=lambda n: self.stderr.write(f"... {n} checkpoints checked")
        )
        if not cp_report.ok:
            raise CommandError("Audit checkpoints FAILED: " + "; ".join(cp_report.problems))
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit chain intact: {report.checked} events, head sequence {report.head_sequence}, "
                f"head hash {report.head_hash}. {cp_report.checked} signed checkpoints verified."
            )
        )
