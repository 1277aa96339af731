"""Read-only queries, scoped to what the viewer may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from audit.models import AuditEvent
from ratings import permissions
from ratings.constants import Role
from ratings.models import Attachment, RatedOrder, RatingRequest


def sees_all_requests(user: Any) -> bool:
    """HHS staff and auditors see every request; everyone else only their organization's."""
    return permissions.is_hhs_staff(user)


def rating_requests_for(user: Any) -> QuerySet[RatingRequest]:
    queryset = RatingRequest.objects.select_related("applicant_organization", "program", "assigned_reviewer")
    own = Q(applicant_organization_id__in=permissions.organization_ids(user, Role.APPLICANT))
    if sees_all_requests(user):
        # A draft is the applicant's private working copy: HHS sees a request once submitted.
        return queryset.filter(Q(submitted_at__isnull=False) | own)
    # Suppliers see no request data: the rated orders addressed to them are their view.
    return queryset.filter(own)


def attachments_for(user: Any) -> QuerySet[Attachment]:
    return Attachment.objects.filter(request__in=rating_requests_for(user)).select_related("request")


def request_timeline(rating_request: RatingRequest) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(
        Q(reference=rating_request.reference) | Q(object_type="ratings.RatingRequest", object_id=str(rating_request.pk))
    ).order_by("sequence")


# --- Rated orders (issue 3) ---


def rated_orders_for(user: Any) -> QuerySet[RatedOrder]:
    """HHS staff and auditors see every order; applicants their organization's placed orders;
    supplier contacts the orders addressed to their organization."""
    queryset = RatedOrder.objects.select_related("placing_organization", "supplier", "program", "source_request")
    if permissions.is_hhs_staff(user):
        return queryset
    return queryset.filter(
        Q(placing_organization_id__in=permissions.organization_ids(user, Role.APPLICANT))
        | Q(supplier_id__in=permissions.organization_ids(user, Role.SUPPLIER_CONTACT))
    )
