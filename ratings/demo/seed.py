"""Demo data for the quick start: organizations, one user per role, requests in every state.

Requests go through the real services, so the demo audit trail is a real chain.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit import context
from ratings.constants import (
    REVIEW_CHECKLIST,
    HealthResourceCategory,
    OrganizationKind,
    RatingLevel,
    Role,
)
from ratings.demo.suppliers import demo_supplier_responses
from ratings.models import Membership, Organization, Program, RatingRequest, User
from ratings.services.accounts import roles
from ratings.services.orders import changes as order_changes
from ratings.services.requests import drafts, workflow

DEMO_PASSWORD = "dpa-demo"  # noqa: S105 - quick-start only; seed_demo refuses to run without DEBUG
DO_DELEGATION = "ASPR, under the delegation of DPA Title I authority of 87 FR 58363 (2022)"
DX_DELEGATION = "Secretary of Health and Human Services, EO 13603 §201"


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
    ),
}

USERS = [
    DemoUser("applicant", "Alice", "Applicant", "Director, Supply Chain", "acme", Role.APPLICANT),
    DemoUser("applicant2", "Bob", "Builder", "VP Operations", "beta", Role.APPLICANT),
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


groups_ensure = roles.groups_ensure
ROLE_GROUP = roles.ROLE_GROUP


def demo_seed() -> dict[str, int]:
    """Create what is missing; running it again changes nothing.

    Accounts are set up in one transaction; each demo request then goes through the services,
    each its own transaction, exactly as the portal and admin would drive them.
    """
    with context.use(context.for_command()):
        orgs, users = _accounts_ensure()
        created_requests = 0
        if not RatingRequest.objects.filter(applicant_organization__in=[orgs["acme"], orgs["beta"]]).exists():
            created_requests = _demo_requests(orgs, users)
    return {"organizations": len(orgs), "users": len(users), "requests_created": created_requests}


@transaction.atomic
def _accounts_ensure() -> tuple[dict[str, Organization], dict[str, User]]:
    groups = groups_ensure()
    orgs = {
        key: Organization.objects.get_or_create(legal_name=values["legal_name"], defaults=values)[0]
        for key, values in ORGANIZATIONS.items()
    }
    Program.objects.get_or_create(
        symbol="HR",
        defaults={
            "name": "Health resources (HHS, 45 CFR part 101)",
            "allowed_levels": ["DO", "DX"],
            "determination_date": dt.date(2024, 3, 11),
        },
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
            defaults={"approval_level": spec.approval_level, "delegation": spec.delegation},
        )
        if spec.role in ROLE_GROUP:
            user.groups.add(groups[ROLE_GROUP[spec.role]])
            TOTPDevice.objects.get_or_create(
                user=user, confirmed=True, defaults={"name": "Authenticator app (demo)", "key": DEMO_TOTP_KEY}
            )
        users[spec.username] = user
    return orgs, users


def _details(level: str, resource: str, category: str = HealthResourceCategory.VACCINE) -> drafts.RequestDetails:
    return drafts.RequestDetails(
        government_program="Operation Warp Speed successor: pandemic vaccine production",
        category=category,
        health_resource=resource,
        requested_level=level,
        program_id=Program.objects.get(symbol="HR").pk,
        contract_number="75A50122C00047",
        justification_need="Single-use filtration skids are needed to scale fill-finish to 2 million doses per week.",
        justification_efforts="Ordered in March; supplier quoted 40 weeks; two alternative suppliers declined.",
        justification_impact="Each week of delay defers about 2 million doses for the national stockpile.",
    )


def _items(supplier: Organization, description: str, days: int) -> list[drafts.LineItemInput]:
    due = timezone.localdate() + dt.timedelta(days=days)
    return [
        drafts.LineItemInput(
            supplier_id=supplier.pk,
            po_number=f"PO-{days:04d}-{supplier.short_name.upper()}",
            description=description,
            quantity="4",
            unit="each",
            deliveries=[
                drafts.DeliveryInput(due),
                drafts.DeliveryInput(due + dt.timedelta(days=30)),
            ],
            part_number="SKD-2000",
        )
    ]


def _demo_requests(orgs: dict[str, Organization], users: dict[str, User]) -> int:
    applicant, intake, reviewer, approver = (
        users["applicant"],
        users["intake"],
        users["reviewer"],
        users["approver"],
    )
    checklist = {key: True for key in REVIEW_CHECKLIST}

    def new(
        level: str,
        resource: str,
        supplier: str,
        description: str,
        days: int,
        who: User = applicant,
        org: str = "acme",
        category: str = HealthResourceCategory.VACCINE,
    ) -> RatingRequest:
        return drafts.rating_request_create(
            actor=who,
            organization=orgs[org],
            details=_details(level, resource, category),
            line_items=_items(orgs[supplier], description, days),
        )

    def submitted(rr: RatingRequest, who: User = applicant) -> RatingRequest:
        return workflow.rating_request_submit(
            rating_request=rr, actor=who, attestation=workflow.Attestation(who.printed_name, True)
        )

    def in_review(rr: RatingRequest) -> RatingRequest:
        return workflow.rating_request_accept_for_review(rating_request=submitted(rr), actor=intake, reviewer=reviewer)

    def recommended(rr: RatingRequest, outcome: str = "approve") -> RatingRequest:
        return workflow.rating_request_recommend(
            rating_request=in_review(rr),
            actor=reviewer,
            outcome=outcome,
            rationale="Eligible resource; need documented; supports the program.",
            checklist=checklist,
        )

    new(RatingLevel.DO, "mRNA vaccine", "filtra", "Single-use tangential flow filtration skid", 60)
    submitted(new(RatingLevel.DO, "mRNA vaccine", "pumpco", "Peristaltic fill pump, 8-head", 75))
    in_review(
        new(
            RatingLevel.DO,
            "Monoclonal antibody",
            "filtra",
            "Depth filter cartridges",
            45,
            category=HealthResourceCategory.THERAPEUTIC,
        )
    )
    workflow.rating_request_request_information(
        rating_request=in_review(
            new(RatingLevel.DO, "mRNA vaccine", "glove", "Nitrile gloves, size M, case of 1000", 30)
        ),
        actor=reviewer,
        question="Please attach the supplier's written quote showing the 40-week lead time.",
    )
    recommended(new(RatingLevel.DX, "Pandemic influenza vaccine", "pumpco", "Aseptic fill line pump set", 90))
    workflow.rating_request_approve(
        rating_request=recommended(new(RatingLevel.DO, "mRNA vaccine", "filtra", "Filtration skid, 200 L", 50)),
        actor=approver,
        password=DEMO_PASSWORD,
        otp=demo_code(approver),
        reason="Meets every criterion.",
    )
    workflow.rating_request_deny(
        rating_request=recommended(
            new(RatingLevel.DO, "Vaccine vial caps", "glove", "Gloves for the canteen", 20), "deny"
        ),
        actor=approver,
        reason="Not an eligible health resource: the gloves are for food service.",
    )
    workflow.rating_request_withdraw(
        rating_request=submitted(new(RatingLevel.DO, "mRNA vaccine", "pumpco", "Spare pump heads", 40)),
        actor=applicant,
        reason="The supplier delivered on time without a rating.",
    )
    submitted(
        new(
            RatingLevel.DO,
            "Rapid antigen test",
            "glove",
            "Nitrile gloves for test assembly",
            35,
            users["applicant2"],
            "beta",
            HealthResourceCategory.DIAGNOSTIC_TEST,
        ),
        users["applicant2"],
    )
    _demo_orders(orgs, users, new, recommended)
    demo_supplier_responses(orgs, users, DEMO_PASSWORD)
    return 12


def _demo_orders(orgs: dict[str, Organization], users: dict[str, User], new: Any, recommended: Any) -> None:
    """Rated orders in every life stage: DO (above), DX, amended, cancelled. Their
    documents are generated after the seed commits (eager tasks in the quick start)."""
    workflow.rating_request_approve(
        rating_request=recommended(
            new(RatingLevel.DX, "Pandemic influenza vaccine", "pumpco", "Aseptic fill pump set", 80)
        ),
        actor=users["secretary"],
        password=DEMO_PASSWORD,
        otp=demo_code(users["secretary"]),
        reason="National emergency need; DX warranted.",
    )
    amended = workflow.rating_request_approve(
        rating_request=recommended(new(RatingLevel.DO, "mRNA vaccine", "filtra", "Sterile filter capsules", 55)),
        actor=users["approver"],
        password=DEMO_PASSWORD,
        otp=demo_code(users["approver"]),
        reason="Meets every criterion.",
    )
    order = amended.rated_orders.get()
    first = order.versions.get(number=1).items_snapshot[0]
    order_changes.rated_order_amend(
        order=order,
        actor=users["approver"],
        password=DEMO_PASSWORD,
        otp=demo_code(users["approver"]),
        reason="Ship to the new fill-finish site; quantity reduced to 3.",
        items=[
            order_changes.AmendedItem(
                position=1,
                description=first["description"],
                quantity="3",
                unit=first["unit"],
                required_dates=[dt.date.fromisoformat(d["date"]) for d in first["required_dates"]],
                ship_to="Acme Fill-Finish, 12 Vial Street, Durham NC 27701",
            )
        ],
    )
    cancelled = workflow.rating_request_approve(
        rating_request=recommended(new(RatingLevel.DO, "mRNA vaccine", "glove", "Nitrile gloves, cleanroom grade", 25)),
        actor=users["approver"],
        password=DEMO_PASSWORD,
        otp=demo_code(users["approver"]),
        reason="Meets every criterion.",
    )
    order_changes.rated_order_cancel(
        order=cancelled.rated_orders.get(),
        actor=users["approver"],
        password=DEMO_PASSWORD,
        otp=demo_code(users["approver"]),
        reason="The manufacturer found stock; the rating is no longer needed.",
    )
