"""Factories. Requests in a given state are made by driving the real services, so their audit
trail is the one production would write (a trait per state: `request_in_state(cast, STATE)`)."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

import factory
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from ratings.constants import (
    REVIEW_CHECKLIST,
    HealthResourceCategory,
    OrganizationKind,
    RatingLevel,
    RequestState,
    Role,
)
from ratings.models import Membership, Organization, Program, RatedOrder, RatingAuthorization, RatingRequest, User
from ratings.services.items import DeliveryInput
from ratings.services.orders import placing
from ratings.services.requests import drafts, workflow

PASSWORD = "correct horse battery staple"
SIGNER_DELEGATION = "Board resolution 2026-04: signs purchase orders and rated orders"
SIGNER_DELEGATED_ON = dt.date(2026, 4, 1)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    kind = OrganizationKind.MANUFACTURER
    legal_name = factory.Sequence(lambda n: f"Organization {n} Inc.")
    short_name = factory.Sequence(lambda n: f"Org{n}")
    address_line1 = factory.Sequence(lambda n: f"{n} Main Street")
    city = "Springfield"
    state = "IL"
    postal_code = "62701"
    manufacturing_country = factory.LazyAttribute(lambda o: "US" if o.kind == OrganizationKind.SUPPLIER else "")

    class Params:
        agency = factory.Trait(kind=OrganizationKind.AGENCY)
        supplier = factory.Trait(kind=OrganizationKind.SUPPLIER)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"First{n}")
    last_name = "Tester"
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    title = "Staff"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(self, create, extracted, **kwargs):
        if create:
            self.save()


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program
        django_get_or_create = ("symbol",)

    symbol = "HR"
    name = "Health resources"
    allowed_levels = ["DO", "DX"]
    determination_date = dt.date(2024, 3, 11)
    determination_official = "Assistant Secretary for Preparedness and Response"
    determination_citation = "ASPR memorandum HR-2024-01"
    determination_scope = "Medical countermeasures for pandemic response."


def member(
    org: Organization,
    role: str,
    *,
    approval_level: str = "",
    is_staff: bool | None = None,
    **user_kwargs,
) -> User:
    user = UserFactory(
        is_staff=org.kind == OrganizationKind.AGENCY if is_staff is None else is_staff,
        **user_kwargs,
    )
    signer = role == Role.AUTHORIZED_SIGNER
    Membership.objects.create(
        user=user,
        organization=org,
        role=role,
        approval_level=approval_level,
        delegation=SIGNER_DELEGATION
        if signer
        else {"DO": "ASPR delegation, 87 FR 58363", "DX": "Secretary of HHS"}.get(approval_level, ""),
        delegated_on=SIGNER_DELEGATED_ON if signer else None,
    )
    if org.kind == OrganizationKind.AGENCY:
        # HHS staff and auditors always have an authenticator app (they cannot work without one).
        TOTPDevice.objects.create(user=user, name="Authenticator app", key=random_hex(20), confirmed=True)
    return user


def otp(user: User) -> str:
    """A valid code from the user's authenticator app, usable now (the last-used step is reset,
    so one test may sign several times within 30 seconds)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return "000000"  # someone without an app: whatever they type is wrong
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


@dataclass
class Cast:
    hhs: Organization
    manufacturer: Organization
    manufacturer2: Organization
    supplier_org: Organization
    supplier_org2: Organization
    program: Program
    applicant: User
    applicant2: User
    supplier: User
    supplier2: User
    intake: User
    reviewer: User
    reviewer2: User
    approver: User  # DO level
    secretary: User  # DX level
    hhsadmin: User
    auditor: User
    signer: User  # the manufacturer's authorized signer of rated orders (45 CFR 101.32(a)(3))


def make_cast() -> Cast:
    hhs = OrganizationFactory(agency=True, legal_name="HHS ASPR", short_name="HHS")
    manufacturer = OrganizationFactory(legal_name="Acme Vaccines", short_name="Acme")
    manufacturer2 = OrganizationFactory(legal_name="Beta Diagnostics", short_name="Beta")
    supplier_org = OrganizationFactory(supplier=True, legal_name="Filtra Corp", short_name="Filtra")
    supplier_org2 = OrganizationFactory(supplier=True, legal_name="PumpCo", short_name="PumpCo")
    return Cast(
        hhs=hhs,
        manufacturer=manufacturer,
        manufacturer2=manufacturer2,
        supplier_org=supplier_org,
        supplier_org2=supplier_org2,
        program=ProgramFactory(),
        applicant=member(manufacturer, Role.APPLICANT, first_name="Alice", last_name="Applicant"),
        applicant2=member(manufacturer2, Role.APPLICANT, first_name="Bob", last_name="Builder"),
        supplier=member(supplier_org, Role.SUPPLIER_CONTACT),
        supplier2=member(supplier_org2, Role.SUPPLIER_CONTACT),
        intake=member(hhs, Role.INTAKE_ANALYST),
        reviewer=member(hhs, Role.REVIEWER),
        reviewer2=member(hhs, Role.REVIEWER),
        approver=member(
            hhs,
            Role.APPROVING_OFFICIAL,
            approval_level=RatingLevel.DO,
            first_name="Omar",
            last_name="Official",
            title="Director, Industrial Base Management",
        ),
        secretary=member(
            hhs,
            Role.APPROVING_OFFICIAL,
            approval_level=RatingLevel.DX,
            first_name="Sara",
            last_name="Secretary",
            title="Secretary of Health and Human Services",
        ),
        hhsadmin=member(hhs, Role.HHS_ADMIN),
        auditor=member(hhs, Role.AUDITOR),
        signer=member(
            manufacturer,
            Role.AUTHORIZED_SIGNER,
            first_name="Sam",
            last_name="Signer",
            title="Vice President, Supply Chain",
        ),
    )


def details(cast: Cast, *, level: str = RatingLevel.DO, **overrides) -> drafts.RequestDetails:
    values = dict(
        government_program="Pandemic vaccine production",
        category=HealthResourceCategory.VACCINE,
        health_resource="mRNA vaccine",
        requested_level=level,
        program_id=cast.program.pk,
        contract_number="75A501",
        contracting_agency="BARDA",
        end_use="Fill-finish of pandemic vaccine doses for the national stockpile.",
        fda_status="bla",
        fda_number="BLA 125742",
        justification_need="Need filtration skids.",
        justification_efforts="Asked three suppliers.",
        justification_impact="Two million doses a week deferred.",
    )
    values.update(overrides)
    return drafts.RequestDetails(**values)


def line_item(
    supplier: Organization,
    *,
    days: int = 30,
    po: str = "PO-1",
    quantity: object = "10",
    dates: list[object] | None = None,
    description: str = "Filtration skid",
    quoted_date: object = None,
    order_value: object = None,
    deliveries: list[DeliveryInput] | None = None,
) -> drafts.LineItemInput:
    """One item; `deliveries` (a split quantity per date) instead of `dates` where it matters."""
    due = timezone.localdate() + dt.timedelta(days=days)
    return drafts.LineItemInput(
        supplier_id=supplier.pk,
        po_number=po,
        description=description,
        quantity=quantity,
        unit="each",
        deliveries=deliveries or [DeliveryInput(d) for d in (dates if dates is not None else [due])],
        part_number="PN-1",
        quoted_date=quoted_date,
        order_value=order_value,
    )


def draft_request(
    cast: Cast,
    *,
    level: str = RatingLevel.DO,
    suppliers: list[Organization] | None = None,
    **overrides,
) -> RatingRequest:
    items = [line_item(s, po=f"PO-{i}") for i, s in enumerate(suppliers or [cast.supplier_org], start=1)]
    return drafts.rating_request_create(
        actor=cast.applicant,
        organization=cast.manufacturer,
        details=details(cast, level=level, **overrides),
        line_items=items,
    )


CHECKLIST_ALL_TRUE = {key: True for key in REVIEW_CHECKLIST}


def request_in_state(cast: Cast, state: str, *, level: str = RatingLevel.DO, **kwargs) -> RatingRequest:
    """A request driven through the real services up to `state`."""
    rr = draft_request(cast, level=level, **kwargs)
    if state == RequestState.DRAFT:
        return rr
    if state == RequestState.WITHDRAWN:
        return workflow.rating_request_withdraw(rating_request=rr, actor=cast.applicant, reason="No longer needed.")
    rr = workflow.rating_request_submit(
        rating_request=rr,
        actor=cast.applicant,
        attestation=workflow.Attestation(cast.applicant.printed_name, True),
    )
    if state == RequestState.SUBMITTED:
        return rr
    rr = workflow.rating_request_accept_for_review(rating_request=rr, actor=cast.intake, reviewer=cast.reviewer)
    if state == RequestState.IN_REVIEW:
        return rr
    if state == RequestState.INFO_REQUESTED:
        return workflow.rating_request_request_information(
            rating_request=rr, actor=cast.reviewer, question="Send the quote."
        )
    rr = workflow.rating_request_recommend(
        rating_request=rr,
        actor=cast.reviewer,
        outcome="approve",
        rationale="Sound.",
        checklist=CHECKLIST_ALL_TRUE,
    )
    if state == RequestState.RECOMMENDED:
        return rr
    official = cast.secretary if level == RatingLevel.DX else cast.approver
    # Approval signs the rating authorization in the same transaction, so it ends in ISSUED; the
    # manufacturer's authorized signer then places one rated order per supplier.
    if state in (RequestState.APPROVED, RequestState.ISSUED):
        rr = workflow.rating_request_approve(
            rating_request=rr, actor=official, password=PASSWORD, otp=otp(official), reason="Approved."
        )
        place_orders(cast, rr)
        return RatingRequest.objects.get(pk=rr.pk)
    if state == RequestState.DENIED:
        return workflow.rating_request_deny(rating_request=rr, actor=official, reason="Not eligible.")
    raise ValueError(f"No factory path to state {state!r}")


def place_orders(cast: Cast, rating_request: RatingRequest, *, signer: User | None = None) -> list[RatedOrder]:
    """The authorized signer places, under the request's authorization, one rated order per
    authorized supplier exactly as authorized (the placing form's defaults)."""
    authorization = RatingAuthorization.objects.get(rating_request=rating_request)
    who = signer or cast.signer
    placed = []
    for supplier_id in authorization.supplier_ids():
        po, items = placing.placement_defaults(authorization, supplier_id)
        placed.append(
            placing.rated_order_place(
                authorization=authorization,
                actor=who,
                supplier_id=supplier_id,
                po_number=po,
                items=items,
                password=PASSWORD,
                otp=otp(who),
            )
        )
    return placed
