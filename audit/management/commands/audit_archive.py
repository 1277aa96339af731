"""Write audit events past retention (RECORD_RETENTION_YEARS) to a signed archive export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from audit import context, retention


class Command(BaseCommand):
    help = "Archive audit events older than the retention period to a signed JSON Lines export."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out-dir", default=str(Path(settings.PRIVATE_STORAGE_ROOT) / "audit-archives"))

    def handle(self, *args: Any, **options: Any) -> None:
        out_dir = Path(options["out_dir"])
        out_dir.mkdir(parents=True, exist_ok=True)
        with context.use(context.for_command()):
            record = retention.archive(out_dir)
        if record is None:
            self.stdout.write("No events past retention left to archive.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Archived sequences {record.first_sequence}-{record.last_sequence} ({record.event_count} events) "
                f"to {record.path}, SHA-256 {record.sha256}."
            )
        )
