"""Where HHS itself is the customer (an ASPR or BARDA contract), HHS places the order the same way.

HHS's own contract is the rated order. An approving official with authority for the level signs
an authorization for HHS (the agency is the authorized party; the program determination and the
contract are the basis, there is no applicant's request), listing the suppliers, items,
quantities and delivery windows. HHS's authorized signer then places and signs each order
through the one placing service (services.orders.placing), never the official who signed the
authorization (ratings.permissions.customer_order_signer_refusal). 45 CFR 101.32(a)(3), 101.30.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from dpa_portal.errors import ValidationFailed
from ratings import audit_actions, permissions, permissions_placing
from ratings.clock import agency_today
from ratings.constants import LEVEL_RANK, OrganizationKind
from ratings.models import Organization, Program, RatingAuthorization, User
from ratings.services import items, transition
from ratings.services.accounts import signing_basis
from ratings.services.authorizations import issue

HHS_CONTRACT_MAX_LENGTH = 60


@dataclass(frozen=True)
class CustomerItemInput:
    """One item of HHS's contract: from which supplier, what and how much, and the delivery
    window within which HHS's orders may require delivery."""

    supplier_id: Any
    description: Any
    quantity: Any
    unit: Any
    window_start: Any
    window_end: Any
    part_number: Any = ""
    ship_to: Any = ""


def _suppliers(inputs: Sequence[CustomerItemInput]) -> dict[int, Organization]:
    ids = []
    for number, item in enumerate(inputs, start=1):
        try:
            ids.append(int(item.supplier_id))
        except (TypeError, ValueError):
            raise ValidationFailed(f"Item {number}: choose the supplier.", field=f"items[{number}].supplier") from None
    found = Organization.objects.in_bulk(ids)
    for number, supplier_id in enumerate(ids, start=1):
        org = found.get(supplier_id)
        if org is None or not org.is_active or org.kind == OrganizationKind.AGENCY:
            raise ValidationFailed(
                f"Item {number}: choose an active manufacturer or supplier.", field=f"items[{number}].supplier"
            )
    return {supplier_id: found[supplier_id] for supplier_id in ids}


def customer_items(contract: str, inputs: Sequence[CustomerItemInput]) -> list[dict[str, Any]]:
    """The authorized items in the shape an approval's authorization lists them (so placing reads
    both alike); each checked by the one item validator, windows from today on (101.32(a)(2))."""
    if not inputs:
        raise ValidationFailed("List at least one item of the contract.", field="items")
    suppliers = _suppliers(inputs)
    cleaned = items.clean_items(
        [
            items.ItemInput(
                description=item.description,
                quantity=item.quantity,
                unit=item.unit,
                deliveries=[items.DeliveryInput(item.window_start), items.DeliveryInput(item.window_end)],
                po_number=contract,
                part_number=item.part_number,
                ship_to=item.ship_to,
            )
            for item in inputs
        ],
        field="items",
        earliest=agency_today(),
    )
    entries = []
    for position, (item, clean) in enumerate(zip(inputs, cleaned, strict=True), start=1):
        supplier = suppliers[int(item.supplier_id)]
        days = sorted({day for day, _split in clean.deliveries})
        entries.append(
            {
                "position": position,
                "supplier_id": supplier.pk,
                "supplier": supplier.legal_name,
                "supplier_address": supplier.address_text,
                "description": clean.description,
                "part_number": clean.part_number,
                "po_number": contract,
                "quantity": items.format_quantity(clean.quantity),
                "unit": clean.unit,
                "ship_to": clean.ship_to,
                "window_start": days[0].isoformat(),
                "window_end": days[-1].isoformat(),
                # What the placing form proposes: delivery by the end of the window.
                "required_dates": [{"date": days[-1].isoformat(), "quantity": None}],
            }
        )
    return entries


def customer_legal_basis(contract: str, delegation: str, determination: str) -> str:
    return (
        "Defense Production Act of 1950, Title I, section 101; Executive Order 13603, section 201; "
        f"45 CFR part 101. Approving authority: {delegation}. {determination} HHS is the customer: HHS contract "
        f"{contract} is the rated order, placed and signed by HHS's authorized signer (45 CFR 101.32(a)(3))."
    )


def hhs_customer_authorization_issue(
    *,
    actor: User,
    program: Program,
    level: str,
    hhs_contract: str,
    items: Sequence[CustomerItemInput],
    password: str = "",
    otp: str = "",
) -> RatingAuthorization:
    """An approving official signs the authorization under which HHS's authorized signer places
    HHS's own rated orders with the listed suppliers."""
    if level not in LEVEL_RANK:
        raise ValidationFailed("Choose the rating level (DO or DX).", field="level")

    def apply() -> RatingAuthorization:
        contract = _clean_contract(hhs_contract)
        if not program.is_active or level not in program.allowed_levels:
            raise ValidationFailed(f"Program {program.symbol} does not allow {level} ratings.", field="level")
        entries = customer_items(contract, items)
        determination = signing_basis.program_determination(program)
        delegation = signing_basis.signing_delegation(actor, level)
        membership = permissions.approving_membership(actor, level)
        assert membership is not None  # the refusal rule required the authority
        return issue.authorization_sign(
            action=audit_actions.AUTHORIZATION_ISSUE_HHS_CUSTOMER,
            actor=actor,
            delegation=delegation,
            at=timezone.now(),
            level=level,
            program=program,
            items=entries,
            legal_basis=customer_legal_basis(contract, delegation, determination),
            basis={"rating_request": None, "hhs_contract": contract, "authorized_party_id": membership.organization_id},
            audit_data={"hhs_contract": contract},
        )

    return transition.perform_create(
        audit_actions.AUTHORIZATION_ISSUE_HHS_CUSTOMER,
        actor=actor,
        refusal=permissions_placing.hhs_customer_authorization_refusal(level, actor),
        apply=apply,
        signature=True,
        password=password,
        otp=otp,
    )


def _clean_contract(value: str) -> str:
    return items.clean_text(
        value, field="hhs_contract", label="HHS contract number", max_length=HHS_CONTRACT_MAX_LENGTH
    )
