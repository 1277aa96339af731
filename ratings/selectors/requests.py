"""Reads of rating requests, scoped to what the viewer may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from audit import retention
from audit import selectors as audit_selectors
from audit.models import AuditEvent, LegalHold
from ratings import permissions
from ratings.clock import CLOCKED_STATES, review_clock
from ratings.constants import Role
from ratings.models import ApprovalDecision, AssistanceCase, Attachment, RatingRequest


def sees_all_requests(user: Any) -> bool:
    """HHS workflow staff and auditors see every request; everyone else (the HHS administrator
    included) only their organization's."""
    return permissions.sees_business_data(user)


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


def belonging_references(rating_request: RatingRequest) -> list[str]:
    """References of the records belonging to the request whose events are filed under their own:
    its rated orders and the special priorities assistance cases about them."""
    orders = list(rating_request.rated_orders.values_list("order_number", flat=True))
    cases = AssistanceCase.objects.filter(order__source_request=rating_request).values_list("reference", flat=True)
    return [*orders, *cases]


def request_timeline(rating_request: RatingRequest) -> QuerySet[AuditEvent]:
    references = [rating_request.reference, *belonging_references(rating_request)]
    return AuditEvent.objects.filter(
        Q(reference__in=references) | Q(object_type="ratings.RatingRequest", object_id=str(rating_request.pk))
    ).order_by("sequence")


def with_questions(queryset: QuerySet[RatingRequest]) -> QuerySet[RatingRequest]:
    """What the review clock reads: questions and submissions (their returns)."""
    # Plain lookups, so they combine with the admin's own prefetch of the same relations.
    return queryset.prefetch_related("information_requests", "submissions")


def overdue_review_requests(
    queryset: QuerySet[RatingRequest] | None = None, *, now: dt.datetime | None = None
) -> QuerySet[RatingRequest]:
    """Requests whose review clock is past its target.

    Working days are at least calendar days, so only requests submitted more than the target
    in calendar days ago can be late: the database narrows to those, the calendar decides.
    """
    now = now or timezone.now()
    base = queryset if queryset is not None else RatingRequest.objects.all()
    candidates = with_questions(
        base.filter(
            state__in=CLOCKED_STATES,
            submitted_at__lte=now - dt.timedelta(days=settings.REVIEW_TARGET_WORKING_DAYS),
        )
    )
    late = [rr.pk for rr in candidates if (clock := review_clock(rr, now=now)) is not None and clock.overdue]
    return base.filter(pk__in=late)


@dataclass(frozen=True)
class RequestHistory:
    """What the auditors' history page of a reference shows (the request may be gone or never existed)."""

    rating_request: RatingRequest | None
    rows: list[tuple[AuditEvent, dict[str, str] | None]]  # each event with its signature, if it is one
    holds: list[LegalHold]

    @property
    def signatures(self) -> list[tuple[AuditEvent, dict[str, str]]]:
        return [(event, signature) for event, signature in self.rows if signature]


HISTORY_LIMIT = 5000


def request_history(reference: str) -> RequestHistory | None:
    """The request's audit history (21 CFR 11.50: signatures with name, time, meaning) and holds;
    None when neither a request nor an event has this reference."""
    rr = RatingRequest.objects.filter(reference=reference).select_related("applicant_organization").first()
    events = list(audit_selectors.reference_history(reference)[:HISTORY_LIMIT])
    if rr is None and not events:
        return None
    return RequestHistory(
        rating_request=rr,
        rows=[(event, audit_selectors.signature_of(event)) for event in events],
        holds=list(retention.holds_on(rr)) if rr else [],
    )


def approval_decision(rating_request: RatingRequest) -> ApprovalDecision | None:
    """The approving official's decision on level and items; None before approval (or for a
    request approved before decisions were recorded)."""
    return ApprovalDecision.objects.filter(rating_request_id=rating_request.pk).first()
