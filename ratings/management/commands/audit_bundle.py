"""Write the evidence bundle (ZIP with verify.py) of one request."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit import context
from dpa_portal.errors import ApplicationError
from ratings.services.requests import evidence


class Command(BaseCommand):
    help = "Write the evidence bundle of a request: python manage.py audit_bundle PRR-2026-00001 --out bundle.zip"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("reference")
        parser.add_argument("--out", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"])
        try:
            with context.use(context.for_command()):
                manifest = evidence.rating_request_bundle(reference=options["reference"], out=out)
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {out}: {len(manifest['event_sequences'])} events, checkpoint at sequence "
                f"{manifest['checkpoint']['sequence']}. Unzip it and run `python verify.py` there."
            )
        )
