"""Every supplier reachable. A request naming a supplier organization with no active portal
contact must name a contact e-mail for it (checked at submission); when the order is issued,
that address is invited to the portal and receives the order notice, whose delivery starts the
answer clock like any order notice (services.orders.clocks). HHS sees the suppliers it cannot
reach (notices failed, invitations never used, orders never received) and escalates them."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.utils import timezone

from audit import services as audit
from dpa_portal.errors import ValidationFailed
from ratings import audit_actions, permissions
from ratings.constants import EDITABLE_STATES, NotificationKind, OrderStatus, OrganizationKind, Role
from ratings.models import Membership, Organization, RatedOrder, RatingRequest, SupplierNomination, User
from ratings.services import items, transition
from ratings.services.accounts import invitations, kinds
from ratings.services.notifications.outbox import notify_many
from ratings.services.requests.notices import intake_analysts

NAME_CONTACT = transition.Action(
    audit=audit_actions.REQUEST_NAME_SUPPLIER_CONTACT,
    permission=permissions.request_rule("edit"),
    states=EDITABLE_STATES,
    state_message="{noun} {reference} is {state}; only drafts and requests returned for correction can be edited.",
)


def has_active_contact(organization_id: int) -> bool:
    return Membership.objects.filter(
        organization_id=organization_id,
        organization__is_active=True,
        role=Role.SUPPLIER_CONTACT,
        is_active=True,
        user__is_active=True,
    ).exists()


def unreachable_suppliers_of(rating_request: RatingRequest) -> list[Organization]:
    """The request's suppliers with no active portal contact and no contact e-mail named."""
    named = set(rating_request.supplier_nominations.values_list("supplier_id", flat=True))
    suppliers = {item.supplier for item in rating_request.line_items.select_related("supplier")}
    return sorted(
        (s for s in suppliers if s.pk not in named and not has_active_contact(s.pk)), key=lambda s: s.legal_name
    )


def rating_request_name_supplier_contact(
    *,
    rating_request: RatingRequest,
    actor: User,
    supplier: Organization,
    email: str,
    first_name: str = "",
    last_name: str = "",
) -> RatingRequest:
    """Name where the order for `supplier` must go (replacing an earlier address for it)."""

    def apply(locked: RatingRequest) -> transition.Applied:
        if not locked.line_items.filter(supplier=supplier).exists():
            raise ValidationFailed(f"{supplier.legal_name} supplies no item of this request.", field="supplier")
        address = (email or "").strip().lower()
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationFailed("Enter the contact's e-mail address.", field="email") from None
        names = {
            "first_name": items.clean_text(
                first_name, field="first_name", label="First name", max_length=150, required=False
            ),
            "last_name": items.clean_text(
                last_name, field="last_name", label="Last name", max_length=150, required=False
            ),
        }
        SupplierNomination.objects.update_or_create(
            rating_request=locked,
            supplier=supplier,
            defaults={"email": address, "named_by": actor, "named_at": timezone.now(), **names},
        )
        return transition.Applied(
            organization_id=locked.applicant_organization_id,
            data={"supplier": supplier.legal_name, "email": address},
        )

    return transition.perform(transition.REQUEST, NAME_CONTACT, target=rating_request, actor=actor, apply=apply)


def order_recipients(order: RatedOrder) -> list[User]:
    """Who gets the order's notices: its supplier's active contacts; with none, the contact the
    request named, invited to the portal now (inside the issue's transaction)."""
    contacts = list(
        User.objects.filter(
            is_active=True,
            memberships__organization_id=order.supplier_id,
            memberships__organization__is_active=True,
            memberships__role=Role.SUPPLIER_CONTACT,
            memberships__is_active=True,
        )
        .distinct()
        .order_by("pk")
    )
    if contacts or order.parent_id is not None or order.source_request_id is None:
        return contacts
    nomination = SupplierNomination.objects.filter(
        rating_request_id=order.source_request_id, supplier_id=order.supplier_id
    ).first()
    if nomination is None:
        return []
    return [_invite_nominee(nomination, order)]


def _invite_nominee(nomination: SupplierNomination, order: RatedOrder) -> User:
    existing = User.objects.filter(Q(email__iexact=nomination.email) | Q(username__iexact=nomination.email)).first()
    user = existing or User(
        username=nomination.email,
        email=nomination.email,
        first_name=nomination.first_name or "Supplier",
        last_name=nomination.last_name or "contact",
    )
    if existing is None:
        user.set_unusable_password()
        user.save()
    membership, _ = Membership.objects.update_or_create(
        user=user,
        organization_id=order.supplier_id,
        role=Role.SUPPLIER_CONTACT,
        # The first contact of a supplier administers its contacts (invites colleagues).
        defaults={"is_active": True, "manages_contacts": True},
    )
    SupplierNomination.objects.filter(pk=nomination.pk).update(invited=user)
    audit.record(
        action=audit_actions.CONTACT_INVITE,
        actor=None,
        target=user,
        organization_id=order.supplier_id,
        reference=order.order_number,
        data={
            "membership_id": membership.pk,
            "email": nomination.email,
            "named_by": nomination.named_by.get_username(),
            "order": order.order_number,
        },
    )
    if not user.has_usable_password():
        invitations.send_invitation(user, membership, key=f"invitation:user{user.pk}:order{order.pk}")
    return user


def supplier_is_unreachable(organization: Organization) -> bool:
    return organization.kind == OrganizationKind.SUPPLIER and not has_active_contact(organization.pk)


ESCALATE = transition.Action(audit=audit_actions.UNREACHABLE_ESCALATE, permission=permissions.invitation_refusal)


def supplier_unreachable_escalate(*, organization: Organization, actor: User) -> Organization:
    """HHS escalates a supplier it cannot reach: intake is told (to phone the company and name a
    contact), and every invited contact who never signed up gets a fresh invitation."""

    def apply(locked: Organization) -> transition.Applied:
        waiting = list(
            User.objects.filter(
                memberships__organization=locked,
                memberships__role=Role.SUPPLIER_CONTACT,
                memberships__is_active=True,
                is_active=True,
            ).distinct()
        )
        reinvited = []
        stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
        for user in waiting:
            if user.has_usable_password():
                continue
            membership = Membership.objects.get(user=user, organization=locked, role=Role.SUPPLIER_CONTACT)
            invitations.send_invitation(user, membership, key=f"invitation:user{user.pk}:escalated{stamp}")
            reinvited.append(user.get_username())
        notify_many(
            recipients=intake_analysts(),
            kind=NotificationKind.RESPONSE_OVERDUE,
            subject=f"{locked.legal_name} cannot be reached: its rated orders have no answer clock running",
            template="case_event",
            context={
                "headline": f"{locked.legal_name} has rated orders whose notices reached no one.",
                "lines": ["Phone the company, find the person who answers rated orders and invite them."],
            },
            key_prefix=f"unreachable:{locked.pk}:{stamp}",
            target=locked,
        )
        return transition.Applied(organization_id=locked.pk, data={"reinvited": reinvited})

    return transition.perform(kinds.ORGANIZATION, ESCALATE, target=organization, actor=actor, apply=apply)


NAME_SUB_SUPPLIER = transition.Action(
    audit=audit_actions.ORDER_NAME_SUB_SUPPLIER,
    permission=permissions.order_rule("flowdown"),
    states=[OrderStatus.ACCEPTED],
    done="take a new sub-tier supplier",
)
UEI_FORMAT = re.compile(r"[A-Z0-9]{12}")
COUNTRY_CODE = re.compile(r"[A-Z]{2}")


def sub_supplier_name(
    *, order: RatedOrder, actor: User, legal_name: str, uei: str, contact_email: str, manufacturing_country: str
) -> Organization:
    """A placing supplier names its own supplier, not yet in the portal, to extend the rating to
    it (45 CFR 101.35): the organization is created and its contact invited as the supplier's
    contact administrator. HHS completes the address later from the organization's page."""
    created: list[Organization] = []

    def apply(locked: RatedOrder) -> transition.Applied:
        name = items.clean_text(legal_name, field="legal_name", label="The legal name", max_length=200)
        if Organization.objects.filter(legal_name__iexact=name).exists():
            raise ValidationFailed(f"{name} is already in the portal: choose it from the list.", field="legal_name")
        code = (uei or "").strip().upper()
        if not UEI_FORMAT.fullmatch(code):
            raise ValidationFailed("The UEI is the 12-character SAM.gov Unique Entity Identifier.", field="uei")
        if Organization.objects.filter(uei=code).exists():
            raise ValidationFailed(f"UEI {code} belongs to an organization already in the portal.", field="uei")
        country = (manufacturing_country or "").strip().upper()
        if not COUNTRY_CODE.fullmatch(country):
            raise ValidationFailed(
                "Give the country where it makes the item as a two-letter code (e.g. US).",
                field="manufacturing_country",
            )
        address = (contact_email or "").strip().lower()
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationFailed(
                "Enter the e-mail address of your supplier's contact.", field="contact_email"
            ) from None
        if User.objects.filter(Q(email__iexact=address) | Q(username__iexact=address)).exists():
            raise ValidationFailed(f"An account for {address} already exists.", field="contact_email")
        organization = Organization.objects.create(
            kind=OrganizationKind.SUPPLIER,
            legal_name=name,
            short_name=name[:40],
            address_line1=f"Not given yet (named by {locked.supplier.legal_name})",
            city="Not given yet",
            uei=code,
            contact_email=address,
            manufacturing_country=country,
        )
        user = User(username=address, email=address, first_name="Supplier", last_name="contact")
        user.set_unusable_password()
        user.save()
        membership = Membership.objects.create(
            user=user, organization=organization, role=Role.SUPPLIER_CONTACT, manages_contacts=True
        )
        invitations.send_invitation(user, membership, key=f"invitation:user{user.pk}:named{organization.pk}")
        created.append(organization)
        return transition.Applied(
            organization_id=locked.supplier_id,
            data={"organization_id": organization.pk, "legal_name": name, "uei": code, "contact_email": address},
        )

    transition.perform(transition.ORDER, NAME_SUB_SUPPLIER, target=order, actor=actor, apply=apply)
    return created[0]
