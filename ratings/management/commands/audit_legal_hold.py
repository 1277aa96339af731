"""Place or release a legal hold on a request, as a named user who holds audit.place_legalhold."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit import context
from dpa_portal.errors import ApplicationError
from ratings.models import RatingRequest, User
from ratings.services.requests import holds


class Command(BaseCommand):
    help = "audit_legal_hold place|release REFERENCE --by USERNAME --reason TEXT"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("operation", choices=["place", "release"])
        parser.add_argument("reference")
        parser.add_argument("--by", required=True, help="Username of the person placing or releasing the hold.")
        parser.add_argument("--reason", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["by"], is_active=True).first()
        rr = RatingRequest.objects.filter(reference=options["reference"]).first()
        if user is None or rr is None:
            raise CommandError("No such active user or request reference.")
        if options["operation"] == "place":
            operation = holds.rating_request_hold_place
        else:
            operation = holds.rating_request_hold_release
        try:
            with context.use(context.for_command()):
                operation(rating_request=rr, actor=user, reason=options["reason"])
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self.stdout.write(self.style.SUCCESS(f"Legal hold {options['operation']}d on {rr.reference}."))
