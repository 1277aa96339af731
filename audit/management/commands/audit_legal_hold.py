"""Place or release a legal hold on a request, as a named user who holds audit.place_legalhold."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit import context, retention
from dpa_portal.errors import ApplicationError
from ratings.models import RatingRequest


class Command(BaseCommand):
    help = "audit_legal_hold place|release REFERENCE --by USERNAME --reason TEXT"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("operation", choices=["place", "release"])
        parser.add_argument("reference")
        parser.add_argument("--by", required=True, help="Username of the person placing or releasing the hold.")
        parser.add_argument("--reason", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["by"], is_active=True).first()
        rr = RatingRequest.objects.filter(reference=options["reference"]).first()
        if user is None or rr is None:
            raise CommandError("No such active user or request reference.")
        operation = retention.place_hold if options["operation"] == "place" else retention.release_hold
        try:
            with context.use(context.for_command()):
                operation(request=rr, actor=user, reason=options["reason"])
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self.stdout.write(self.style.SUCCESS(f"Legal hold {options['operation']}d on {rr.reference}."))
