"""Export the audit trail (filtered) to a file, with its signed manifest beside it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit import context, exports, selectors
from audit.models import ExportJob
from dpa_portal.errors import ApplicationError


class Command(BaseCommand):
    help = "Export audit events to CSV or JSON Lines; writes PATH and PATH.manifest.json (signed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=sorted(exports.FORMATS), default="jsonl")
        parser.add_argument("--out", required=True, help="File to write.")
        for name in selectors.FILTER_FIELDS:
            parser.add_argument(f"--{name.replace('_', '-')}", dest=name, default="")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            filters = selectors.EventFilters.parse(options)
            with context.use(context.for_command()):
                job = exports.start(actor=None, format=options["format"], filters=filters)
            out = Path(options["out"])
            ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING)
            manifest = exports.write_file(
                job, out, progress_every=50_000, progress=lambda n: self.stderr.write(f"... {n} events written")
            )
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {manifest['event_count']} events to {out} (SHA-256 {manifest['sha256']}); "
                f"signed manifest {exports.manifest_path(out)}."
            )
        )
