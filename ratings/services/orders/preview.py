"""A preview of the rated orders an approval would let the applicant place, for the decision page.

Rendered by the document renderer from the same content the approval signs (services.orders.issue
builds the unsaved order the way approval builds the real one), watermarked "PREVIEW — NOT SIGNED",
never stored and never signed. Showing it is a download of business confidential data (DPA
§705(d)), so both outcomes are audited.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from audit import services as audit
from dpa_portal.errors import NotFound
from ratings import audit_actions, permissions
from ratings.constants import RequestState
from ratings.documents import render
from ratings.models import Organization, RatingRequest, User
from ratings.selectors import requests as request_selectors
from ratings.services import transition
from ratings.services.orders import documents as order_documents
from ratings.services.orders import issue

WATERMARK = "PREVIEW — NOT SIGNED"
# Before the decision: what approval would issue. Afterwards the real, signed orders exist.
PREVIEWABLE_STATES = [RequestState.SUBMITTED, RequestState.IN_REVIEW, RequestState.RECOMMENDED]


@dataclass(frozen=True)
class OrderPreview:
    supplier: Organization
    filename: str
    pdf: bytes


def preview_suppliers(rating_request: RatingRequest) -> list[Organization]:
    """The suppliers the approval would issue an order to, in the order of the items."""
    ids = issue.order_supplier_ids(rating_request)
    suppliers = Organization.objects.in_bulk(ids)
    return [suppliers[pk] for pk in ids]


def rated_order_preview(*, rating_request_id: int, supplier_id: int, actor: User) -> OrderPreview:
    """The watermarked order one supplier would receive if the request were approved now."""
    visible = request_selectors.rating_requests_for(actor).filter(pk=rating_request_id).first()
    rating_request = visible if permissions.is_hhs_staff(actor) else None
    if rating_request is None or rating_request.state not in PREVIEWABLE_STATES:
        existing = visible or RatingRequest.objects.filter(pk=rating_request_id).first()
        if existing is not None:
            transition.audit_denied(
                action=audit_actions.REQUEST_PREVIEW,
                actor=actor,
                message="Only HHS staff preview the orders of a request awaiting its decision.",
                target=existing,
                reference=existing.reference,
                organization_id=existing.applicant_organization_id,
            )
        raise NotFound("No such preview.")
    if supplier_id not in issue.order_supplier_ids(rating_request):
        raise NotFound("No item of this request names that supplier.")
    # Once approved, the applicant's authorized signer places and signs the order (45 CFR 101.32(a)(3)).
    version, signature = issue.rated_order_unsigned_draft(
        rating_request,
        supplier_id,
        User(first_name="(the applicant's", last_name="authorized signer)"),
        "",
        timezone.now(),
    )
    pdf = render.render_pdf(order_documents.order_content(version, signature), watermark=WATERMARK)
    with transaction.atomic(durable=True):
        audit.record(
            action=audit_actions.REQUEST_PREVIEW,
            actor=actor,
            target=rating_request,
            reference=rating_request.reference,
            organization_id=rating_request.applicant_organization_id,
            data={"supplier_id": supplier_id, "watermark": WATERMARK},
        )
    supplier = version.order.supplier
    return OrderPreview(supplier, f"{rating_request.reference}-preview-{supplier.short_name or supplier.pk}.pdf", pdf)
