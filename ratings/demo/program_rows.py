"""What the demo's year of history stands on: its extra suppliers and their contacts of record,
its programs with their determinations, the item families the program view groups by, and who
may see the program view (ratings/demo/program.py writes the history itself)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import Permission

from ratings.constants import OrganizationKind, Role
from ratings.demo.accounts import Determination, program_with_determination
from ratings.demo.catalog import PROGRAMS, SUPPLIERS
from ratings.models import ItemFamily, ItemFamilyKey, Membership, Organization, Program, User

USERS_WHO_SEE_THE_PROGRAM = ("reviewer", "approver", "secretary", "auditor")


def supporting_rows(orgs: dict[str, Organization], users: dict[str, User]) -> dict[str, Program]:
    """The rows the history refers to, made when missing; returns the programs by symbol."""
    for key, (legal_name, short, city, country) in SUPPLIERS.items():
        orgs[key] = Organization.objects.get_or_create(
            legal_name=legal_name,
            defaults={
                "kind": OrganizationKind.SUPPLIER,
                "short_name": short,
                "address_line1": "1 Industrial Park",
                "city": city,
                "country": country,
                "manufacturing_country": country,
            },
        )[0]
    for key in ("glove", *SUPPLIERS):
        # A supplier contact of record for the answers (no password: nobody signs in as them).
        user, created = User.objects.get_or_create(
            username=f"contact-{key}", defaults={"first_name": "Contact", "last_name": orgs[key].short_name}
        )
        if created:
            user.set_unusable_password()
            user.save()
        Membership.objects.get_or_create(user=user, organization=orgs[key], role=Role.SUPPLIER_CONTACT)
        users[f"contact-{key}"] = user
    programs = {"HR": Program.objects.get(symbol="HR")}
    for symbol, spec in PROGRAMS.items():
        if spec is not None:
            name, levels, _category = spec
            programs[symbol] = program_with_determination(
                symbol,
                name=name,
                levels=levels,
                determination=Determination(
                    date=dt.date(2025, 1, 6),
                    official="Assistant Secretary for Preparedness and Response (demo)",
                    citation=f"Program determination memorandum ASPR-DPA-2025-{symbol} (demo)",
                    scope=f"{name}: the items and materials its manufacturers need (demo).",
                ),
                # The vaccine program asks its suppliers for capacity every 30 days.
                capacity_report_days=30 if symbol == "PV" else None,
            )
    families = {
        "Nitrile exam gloves": (["GLV-100"], ["nitrile exam gloves, size m"]),
        "Filtration cassettes (TFF)": (["TFF-900"], []),
        "Sterile vials": (["VL-10"], []),
    }
    for name, (parts, descriptions) in families.items():
        family = ItemFamily.objects.get_or_create(name=name)[0]
        for part in parts:
            ItemFamilyKey.objects.get_or_create(key="pn:" + part.replace("-", "").upper(), defaults={"family": family})
        for description in descriptions:
            ItemFamilyKey.objects.get_or_create(key="desc:" + description, defaults={"family": family})
    permission = Permission.objects.get(codename="see_program_view")
    for username in USERS_WHO_SEE_THE_PROGRAM:
        users[username].user_permissions.add(permission)
    return programs
