from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit import context
from dpa_portal.errors import ApplicationError
from ratings.services.accounts import users


class Command(BaseCommand):
    help = (
        "Create a break-glass superuser (never possible through the web); the creation and the "
        "operating-system user who ran it are audited. The superuser sets up a second factor at first sign-in."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The passwords differ.")
        with context.use(context.for_command()):
            try:
                user = users.superuser_create(
                    username=options["username"], email=options["email"], password=password, operator=getpass.getuser()
                )
            except ApplicationError as error:
                raise CommandError(error.message) from None
        self.stdout.write(self.style.SUCCESS(f"Superuser {user.username} created (audited)."))
