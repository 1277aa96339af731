"""Create the development audit signing key if none is configured (quick start only)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from audit import signing


class Command(BaseCommand):
    help = "Create an Ed25519 audit signing key at AUDIT_SIGNING_KEY_PATH unless a key is configured."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.AUDIT_SIGNING_KEY:
            self.stdout.write("AUDIT_SIGNING_KEY is set; nothing to do.")
            return
        path = signing.key_path()
        if signing.generate_key_file(path):
            self.stdout.write(self.style.WARNING(f"Created a development audit signing key at {path}."))
        else:
            self.stdout.write(f"Audit signing key present at {path}.")
        self.stdout.write(f"Public key id {signing.key_id()}.")
