"""Create a self-signed DEVELOPMENT document-signing certificate if none is configured.

The quick start (`make run`, scripts/quickstart_smoke.sh) calls it; production sets
DOCUMENT_SIGNING_CERT / DOCUMENT_SIGNING_KEY to the agency's real certificate and key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ratings.documents.signing import ensure_dev_certificate


class Command(BaseCommand):
    help = "Create a self-signed development certificate for signing rated-order documents (DEBUG only)."

    def handle(self, *args: Any, **options: Any) -> None:
        cert, key = Path(settings.DOCUMENT_SIGNING_CERT), Path(settings.DOCUMENT_SIGNING_KEY)
        if cert.exists() and key.exists():
            self.stdout.write(f"Signing certificate present: {cert}")
            return
        if not settings.DEBUG:
            raise CommandError(
                f"No signing certificate at {cert}. Outside DEBUG, install the agency's certificate and key; "
                "a self-signed one is for development only."
            )
        ensure_dev_certificate(cert, key)
        self.stdout.write(self.style.SUCCESS(f"Created a self-signed development signing certificate: {cert}"))
