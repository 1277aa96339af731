"""Where a notice leads: the one page of its object that its recipient can open.

Every notice gets its link here, from (recipient, object): the same order is the supplier's
order page for a supplier contact, the customer's placed-order page for whoever placed it, the
admin page for HHS staff and the request's history under /audit/ for an auditor. A link nobody
could open is worse than none, so a recipient who may see none of these pages gets "".
"""

from __future__ import annotations

from django.db.models import Model
from django.urls import reverse

from ratings import permissions
from ratings.constants import HHS_WORKFLOW_ROLES, Role
from ratings.models import (
    AssistanceCase,
    ChangeAgreement,
    Directive,
    Organization,
    RatedOrder,
    RatedOrderVersion,
    RatingAuthorization,
    RatingRequest,
    SupplierResponse,
    User,
    WebhookEndpoint,
)
from ratings.permissions_casework import is_placing_party


def order_of(target: Model) -> RatedOrder | None:
    """The rated order a notice's object belongs to (None for what is not about one)."""
    if isinstance(target, RatedOrder):
        return target
    if isinstance(target, RatedOrderVersion | SupplierResponse | AssistanceCase | ChangeAgreement):
        return target.order
    if isinstance(target, Directive):
        return target.case.order
    return None


def _staff_link(target: Model, order: RatedOrder | None) -> str:
    if isinstance(target, Directive):
        return reverse("admin:ratings_assistancecase_change", args=[target.case_id])
    if isinstance(target, AssistanceCase | RatingRequest | Organization | RatingAuthorization):
        return reverse(f"admin:ratings_{target._meta.model_name}_change", args=[target.pk])
    if order is not None:
        return reverse("admin:ratings_ratedorder_change", args=[order.pk])
    return ""


def _hhs_placed(order: RatedOrder) -> bool:
    """HHS placed it as the customer: its signers are HHS staff, who work in the admin (the SQL
    of batch jobs ties them to the order as "staff" for the same reason)."""
    return order.parent_id is None and order.source_request_id is None


def _is_workflow_staff(user: User) -> bool:
    return any(permissions.has_role(user, role) for role in HHS_WORKFLOW_ROLES) or permissions.has_role(
        user, Role.HHS_ADMIN
    )


def notice_link(recipient: User, target: Model | None) -> str:
    """The site-relative address of `target` as `recipient` sees it, or "" if none."""
    if target is None:
        return ""
    if isinstance(target, WebhookEndpoint):
        return reverse("portal:api-getting-started")
    order = order_of(target)
    if order is not None:
        if order.supplier_id in permissions.organization_ids(recipient, Role.SUPPLIER_CONTACT):
            return reverse("portal:order-detail", args=[order.order_number])
        if is_placing_party(order, recipient):
            if _hhs_placed(order):
                return reverse("admin:ratings_ratedorder_change", args=[order.pk])
            return reverse("portal:placed-order", args=[order.order_number])
    if isinstance(target, RatingAuthorization) and target.authorized_party_id in permissions.organization_ids(
        recipient, Role.APPLICANT, Role.AUTHORIZED_SIGNER
    ):
        return reverse("portal:authorization-detail", args=[target.number])
    if isinstance(target, RatingRequest) and target.applicant_organization_id in permissions.organization_ids(
        recipient, Role.APPLICANT
    ):
        return reverse("portal:request-detail", args=[target.pk])
    if _is_workflow_staff(recipient):
        return _staff_link(target, order)
    rating_request = (
        target
        if isinstance(target, RatingRequest)
        else target.rating_request
        if isinstance(target, RatingAuthorization)
        else order.source_request
        if order
        else None
    )
    if rating_request is not None and permissions.may_audit(recipient):
        return reverse("audit:history", args=[rating_request.reference])
    return ""


# Batch jobs write order notices in SQL, for recipients they chose by their tie to the order:
# these are the pages `notice_link` gives those recipients (the supplier's contacts, the party
# that placed the order, HHS workflow staff), as the text before and after the order's number
# (or, for the admin page, its id).
ORDER_PAGES = {
    "supplier": ("portal:order-detail", "ORDER-NUMBER"),
    "placing": ("portal:placed-order", "ORDER-NUMBER"),
    "staff": ("admin:ratings_ratedorder_change", "999999999"),
}


def order_page_around(tie: str) -> tuple[str, str]:
    name, stand_in = ORDER_PAGES[tie]
    before, after = reverse(name, args=[stand_in]).split(stand_in)
    return before, after
