"""Sign the audit chain's head now (Celery beat does it periodically)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from audit import checkpoints, context


class Command(BaseCommand):
    help = "Create a signed checkpoint of the audit chain's head."

    def handle(self, *args: Any, **options: Any) -> None:
        with context.use(context.for_command()):
            made = checkpoints.create_checkpoint()
        if made is None:
            self.stdout.write("The audit trail is empty: nothing to checkpoint.")
            return
        self.stdout.write(self.style.SUCCESS(f"Checkpoint #{made.pk}: sequence {made.sequence}, hash {made.hash}."))
