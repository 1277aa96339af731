"""Demo accounts for the quick start: organizations, one user per role, the admin groups."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from ratings.constants import OrganizationKind, RatingLevel, Role
from ratings.models import Membership, Organization, Program, User
from ratings.services.accounts import roles

DEMO_PASSWORD = "dpa-demo"  # noqa: S105 - quick-start only; seed_demo refuses to run without DEBUG
HHS_SIGNER_DELEGATION = "ASPR contracting delegation (demo): signs the rated orders of HHS's own BARDA contracts"
DO_DELEGATION = "ASPR, under the delegation of DPA Title I authority of 87 FR 58363 (2022)"
DX_DELEGATION = "Secretary of Health and Human Services, EO 13603 §201"
SIGNER_DELEGATION = "Acme Vaccines board resolution 2026-01: signs purchase orders, rated orders included"


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    title: str
    organization: str
    role: str
    approval_level: str = ""
    delegation: str = ""
    delegated_on: dt.date | None = None

    @property
    def is_staff(self) -> bool:
        return self.organization == "hhs"


ORGANIZATIONS = {
    "hhs": dict(
        kind=OrganizationKind.AGENCY,
        legal_name="U.S. Department of Health and Human Services (ASPR)",
        short_name="HHS",
        address_line1="200 Independence Avenue SW",
        city="Washington",
        state="DC",
        postal_code="20201",
    ),
    "acme": dict(
        kind=OrganizationKind.MANUFACTURER,
        legal_name="Acme Vaccines, Inc.",
        short_name="Acme",
        address_line1="100 Biotech Way",
        city="Cambridge",
        state="MA",
        postal_code="02139",
        uei="ACMEVAX00001",
    ),
    "beta": dict(
        kind=OrganizationKind.MANUFACTURER,
        legal_name="Beta Diagnostics LLC",
        short_name="Beta",
        address_line1="42 Assay Road",
        city="San Diego",
        state="CA",
        postal_code="92121",
        uei="BETADX000002",
    ),
    "filtra": dict(
        kind=OrganizationKind.SUPPLIER,
        legal_name="Filtra Process Systems Corp.",
        short_name="Filtra",
        address_line1="7 Membrane Drive",
        city="Marlborough",
        state="MA",
        postal_code="01752",
        uei="FILTRA000003",
        manufacturing_country="US",
    ),
    "pumpco": dict(
        kind=OrganizationKind.SUPPLIER,
        legal_name="PumpCo Fill Technologies",
        short_name="PumpCo",
        address_line1="55 Peristaltic Ave",
        city="Raleigh",
        state="NC",
        postal_code="27601",
        uei="PUMPCO000004",
        manufacturing_country="DE",
    ),
    "glove": dict(
        kind=OrganizationKind.SUPPLIER,
        legal_name="Nitrile Glove Works",
        short_name="GloveWorks",
        address_line1="9 Latex-Free Lane",
        city="Dalton",
        state="GA",
        postal_code="30720",
        uei="GLOVEW000005",
        manufacturing_country="MY",
    ),
}

USERS = [
    DemoUser("applicant", "Alice", "Applicant", "Director, Supply Chain", "acme", Role.APPLICANT),
    DemoUser("applicant2", "Bob", "Builder", "VP Operations", "beta", Role.APPLICANT),
    # Places and signs Acme's rated orders under HHS's authorizations (45 CFR 101.32(a)(3)).
    DemoUser(
        "signer",
        "Sidney",
        "Signer",
        "Vice President, Procurement",
        "acme",
        Role.AUTHORIZED_SIGNER,
        delegation=SIGNER_DELEGATION,
        delegated_on=dt.date(2026, 1, 15),
    ),
    DemoUser("supplier", "Sam", "Supplier", "Contracts Manager", "filtra", Role.SUPPLIER_CONTACT),
    DemoUser("intake", "Ina", "Intake", "Intake Analyst", "hhs", Role.INTAKE_ANALYST),
    DemoUser("reviewer", "Rita", "Reviewer", "Industrial Base Reviewer", "hhs", Role.REVIEWER),
    DemoUser(
        "approver",
        "Omar",
        "Official",
        "Director, Industrial Base Management",
        "hhs",
        Role.APPROVING_OFFICIAL,
        RatingLevel.DO,
        DO_DELEGATION,
    ),
    DemoUser(
        "secretary",
        "Sara",
        "Secretary",
        "Secretary of Health and Human Services",
        "hhs",
        Role.APPROVING_OFFICIAL,
        RatingLevel.DX,
        DX_DELEGATION,
    ),
    DemoUser("hhsadmin", "Hal", "Admin", "HHS System Administrator", "hhs", Role.HHS_ADMIN),
    # Where HHS itself is the customer: HHS staff designated to sign HHS's rated orders (101.32(a)(3)).
    DemoUser("hhssigner", "Carla", "Contracting", "Contracting Officer, BARDA", "hhs", Role.REVIEWER),
    DemoUser(
        "hhssigner",
        "Carla",
        "Contracting",
        "Contracting Officer, BARDA",
        "hhs",
        Role.AUTHORIZED_SIGNER,
        delegation=HHS_SIGNER_DELEGATION,
        delegated_on=dt.date(2026, 1, 15),
    ),
    DemoUser("auditor", "Aud", "Itor", "Office of Inspector General Auditor", "hhs", Role.AUDITOR),
]

# --- Supplier side: a contact for PumpCo and a two-tier flow-down chain ---
ORGANIZATIONS["membrana"] = dict(
    kind=OrganizationKind.SUPPLIER,
    legal_name="Membrana Materials Inc.",
    short_name="Membrana",
    address_line1="3 Fibre Court",
    city="Wilmington",
    state="DE",
    postal_code="19801",
    uei="MEMBRA000006",
    manufacturing_country="US",
)
ORGANIZATIONS["resina"] = dict(
    kind=OrganizationKind.SUPPLIER,
    legal_name="Resina Polymers LLC",
    short_name="Resina",
    address_line1="18 Polymer Park",
    city="Akron",
    state="OH",
    postal_code="44308",
    uei="RESINA000007",
    manufacturing_country="CN",
)
USERS += [
    DemoUser("supplier2", "Pat", "Pump", "Sales Operations Lead", "pumpco", Role.SUPPLIER_CONTACT),
    DemoUser("membrana", "Mia", "Membrane", "Order Desk Manager", "membrana", Role.SUPPLIER_CONTACT),
    DemoUser("resina", "Rex", "Resin", "Customer Service", "resina", Role.SUPPLIER_CONTACT),
]
# --- end supplier side ---

# The demo's HHS staff share one authenticator secret, so anyone can sign in to the quick start:
# the RFC 6238 test key "12345678901234567890", base32 DEMO_TOTP_SECRET. Dev only (seed_demo
# refuses to run without DEBUG); `manage.py demo_totp` prints the current code.
DEMO_TOTP_KEY = "3132333435363738393031323334353637383930"
DEMO_TOTP_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # noqa: S105 - published demo secret (DEBUG only)


def demo_code(user: User) -> str:
    """The current code of a demo user's app (its last-used step reset: the seed signs often)."""
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


# Admin groups per role live with the account services (groups follow the roles).
groups_ensure = roles.groups_ensure
ROLE_GROUP = roles.ROLE_GROUP


@dataclass(frozen=True)
class Determination:
    date: dt.date
    official: str
    citation: str
    scope: str


def program_with_determination(
    symbol: str, *, name: str, levels: list[str], determination: Determination, **defaults: object
) -> Program:
    """The program, made if missing; its determination record filled where a program seeded
    before determinations were kept has none (so running the seed again stays harmless)."""
    record = {
        "determination_date": determination.date,
        "determination_official": determination.official,
        "determination_citation": determination.citation,
        "determination_scope": determination.scope,
    }
    program, created = Program.objects.get_or_create(
        symbol=symbol, defaults={"name": name, "allowed_levels": levels, **record, **defaults}
    )
    if not created and not program.has_determination:
        Program.objects.filter(pk=program.pk).update(**record)
        program.refresh_from_db()
    return program


@transaction.atomic
def accounts_ensure() -> tuple[dict[str, Organization], dict[str, User]]:
    groups = groups_ensure()
    orgs = {
        key: Organization.objects.get_or_create(legal_name=values["legal_name"], defaults=values)[0]
        for key, values in ORGANIZATIONS.items()
    }
    program_with_determination(
        "HR",
        name="Health resources (HHS, 45 CFR part 101)",
        levels=["DO", "DX"],
        determination=Determination(
            date=dt.date(2024, 3, 11),
            official="Secretary of Health and Human Services (demo)",
            citation="Program determination memorandum HHS-DPA-2024-01 (demo)",
            scope="Medical countermeasures and the materials, components and equipment needed to make them for "
            "pandemic and all-hazards response (demo).",
        ),
    )
    users = {}
    for spec in USERS:
        user, created = User.objects.get_or_create(
            username=spec.username,
            defaults={
                "first_name": spec.first_name,
                "last_name": spec.last_name,
                "title": spec.title,
                "email": f"{spec.username}@example.gov",
                "is_staff": spec.is_staff,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        Membership.objects.get_or_create(
            user=user,
            organization=orgs[spec.organization],
            role=spec.role,
            defaults={
                "approval_level": spec.approval_level,
                "delegation": spec.delegation,
                "delegated_on": spec.delegated_on,
            },
        )
        if spec.role in ROLE_GROUP:
            user.groups.add(groups[ROLE_GROUP[spec.role]])
            TOTPDevice.objects.get_or_create(
                user=user, confirmed=True, defaults={"name": "Authenticator app (demo)", "key": DEMO_TOTP_KEY}
            )
        users[spec.username] = user
    return orgs, users
