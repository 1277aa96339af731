from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ratings.demo.accounts import DEMO_PASSWORD, USERS
from ratings.demo.seed import demo_seed


class Command(BaseCommand):
    help = "Load demo organizations, one user per role and requests in every state (DEBUG only)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("seed_demo refuses to run with DEBUG off: demo users have a published password.")
        result = demo_seed()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {result['organizations']} organizations, {result['users']} users, "
                f"{result['requests_created']} requests created this run, "
                f"{result['history_requests_created']} of a year's history for the program view."
            )
        )
        self.stdout.write(
            f"Demo logins (password {DEMO_PASSWORD!r} for all): " + ", ".join(dict.fromkeys(u.username for u in USERS))
        )
