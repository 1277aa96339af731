"""The HHS work queue: what waits for the signed-in staff member's action, and the team's load.

Per role: intake sees submitted requests to accept and assign; a reviewer the reviews assigned to
them (and those waiting for the applicant); an approving official the recommendations they may
decide. Everyone sees the counts by state and what is overdue (HHS reviews, supplier answers);
intake and approving officials, who supervise the work, see each reviewer's workload. A request
the permission rules would refuse the user (own organization, a declared conflict of interest,
too low an approval level) is never offered.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from ratings import permissions
from ratings.clock import ReviewClock, review_clock
from ratings.constants import DocumentKind, OrganizationKind, RequestState, Role
from ratings.models import ConflictOfInterest, RatedOrderVersion, RatingRequest, User
from ratings.models.orders import AWAITING_RESPONSE_STATUSES
from ratings.selectors.requests import overdue_review_requests, with_questions

WAITING_FOR_APPLICANT = [RequestState.INFO_REQUESTED, RequestState.RETURNED]


@dataclass(frozen=True)
class QueueItem:
    rating_request: RatingRequest
    clock: ReviewClock | None
    action: str = ""  # the decision the user takes next ("" when it waits for someone else)


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    items: list[QueueItem]
    actionable: bool  # the user's own action; otherwise shown for awareness
    empty: str = "Nothing here."


@dataclass(frozen=True)
class TeamRow:
    reviewer: User
    in_review: int
    waiting: int
    recommended: int
    overdue: int

    @property
    def open(self) -> int:
        return self.in_review + self.waiting


@dataclass
class WorkQueue:
    sections: list[Section] = field(default_factory=list)
    state_counts: list[tuple[str, str, int]] = field(default_factory=list)  # (state, label, count)
    overdue_reviews: list[QueueItem] = field(default_factory=list)
    overdue_answers: list[RatedOrderVersion] = field(default_factory=list)
    team: list[TeamRow] | None = None

    @property
    def my_action_count(self) -> int:
        return sum(len(section.items) for section in self.sections if section.actionable)


def _items(queryset: QuerySet[RatingRequest], user: Any, action: str, now: dt.datetime) -> list[QueueItem]:
    """The requests of `queryset` the user may take `action` on, soonest due first."""
    rows = []
    for rr in with_questions(queryset.select_related("applicant_organization", "program", "assigned_reviewer")):
        if action and permissions.request_refusal(action, rr, user) is not None:
            continue
        rows.append(QueueItem(rr, review_clock(rr, now=now), action))
    return sorted(rows, key=_due_order)


def _due_order(item: QueueItem) -> tuple[dt.date, dt.datetime]:
    due = item.clock.due_on if item.clock else dt.date.max
    return due, item.rating_request.submitted_at or item.rating_request.created_at


def role_sections(user: Any, *, now: dt.datetime | None = None) -> list[Section]:
    now = now or timezone.now()
    requests = RatingRequest.objects.all()
    sections = []
    if permissions.has_role(user, Role.INTAKE_ANALYST):
        sections.append(
            Section(
                "intake",
                "Submitted: accept and assign a reviewer, or return for correction",
                _items(requests.filter(state=RequestState.SUBMITTED), user, "accept_for_review", now),
                actionable=True,
                empty="No submission waits for intake.",
            )
        )
    if permissions.has_role(user, Role.REVIEWER):
        mine = requests.filter(assigned_reviewer=user)
        sections.append(
            Section(
                "review",
                "Assigned to you: review and recommend",
                _items(mine.filter(state=RequestState.IN_REVIEW), user, "recommend", now),
                actionable=True,
                empty="No review is assigned to you.",
            )
        )
        sections.append(
            Section(
                "waiting",
                "Assigned to you, waiting for the applicant (question or correction)",
                _items(mine.filter(state__in=WAITING_FOR_APPLICANT), user, "", now),
                actionable=False,
                empty="None of your reviews waits for an applicant.",
            )
        )
    if permissions.has_role(user, Role.APPROVING_OFFICIAL):
        sections.append(
            Section(
                "decide",
                "Recommended: decide (approve, deny or return to the reviewer)",
                _items(requests.filter(state=RequestState.RECOMMENDED), user, "approve", now),
                actionable=True,
                empty="No recommendation waits for your decision.",
            )
        )
    return sections


def state_counts() -> list[tuple[str, str, int]]:
    """Requests HHS holds, by state (drafts are the applicants' own and never counted)."""
    counts = Counter(
        dict(
            RatingRequest.objects.exclude(state=RequestState.DRAFT)
            .values_list("state")
            .annotate(n=Count("pk"))
            .values_list("state", "n")
        )
    )
    return [(state, label, counts.get(state, 0)) for state, label in RequestState.choices if state != "draft"]


def overdue_answers(*, now: dt.datetime | None = None) -> list[RatedOrderVersion]:
    """Current rated-order versions whose supplier answer is past due, oldest due first."""
    return list(
        RatedOrderVersion.objects.filter(
            superseded=False,
            kind=DocumentKind.ORDER,
            clock_closed_at__isnull=True,
            response_due_at__lt=now or timezone.now(),
            order__status__in=AWAITING_RESPONSE_STATUSES,
        )
        .select_related("order__supplier", "order__placing_organization")
        .order_by("response_due_at")
    )


def reviewers() -> QuerySet[User]:
    return (
        User.objects.filter(
            is_active=True,
            memberships__role=Role.REVIEWER,
            memberships__is_active=True,
            memberships__organization__kind=OrganizationKind.AGENCY,
        )
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


def team_workload(*, now: dt.datetime | None = None, overdue: QuerySet[RatingRequest] | None = None) -> list[TeamRow]:
    """Each reviewer's open work: in review, waiting for the applicant, recommended, overdue."""
    overdue = overdue if overdue is not None else overdue_review_requests(now=now)
    late = Counter(overdue.filter(assigned_reviewer__isnull=False).values_list("assigned_reviewer_id", flat=True))
    people = reviewers().annotate(
        in_review=Count("assigned_requests", filter=Q(assigned_requests__state=RequestState.IN_REVIEW)),
        waiting=Count("assigned_requests", filter=Q(assigned_requests__state__in=WAITING_FOR_APPLICANT)),
        recommended=Count("assigned_requests", filter=Q(assigned_requests__state=RequestState.RECOMMENDED)),
    )
    return [TeamRow(p, p.in_review, p.waiting, p.recommended, late.get(p.pk, 0)) for p in people]


def sees_team(user: Any) -> bool:
    return permissions.has_role(user, Role.INTAKE_ANALYST) or permissions.has_role(user, Role.APPROVING_OFFICIAL)


def work_queue(user: Any, *, now: dt.datetime | None = None) -> WorkQueue:
    now = now or timezone.now()
    late = overdue_review_requests(now=now)
    return WorkQueue(
        sections=role_sections(user, now=now),
        state_counts=state_counts(),
        overdue_reviews=_items(late, user, "", now),
        overdue_answers=overdue_answers(now=now),
        team=team_workload(now=now, overdue=late) if sees_team(user) else None,
    )


def eligible_reviewers(rating_request: RatingRequest) -> list[User]:
    """Reviewers who may be given this request: none from the applicant's organization, none
    declared conflicted with it (they are never offered its requests)."""
    org = rating_request.applicant_organization_id
    conflicted = ConflictOfInterest.objects.filter(organization_id=org, withdrawn_at__isnull=True)
    candidates = reviewers().exclude(memberships__organization_id=org).exclude(pk__in=conflicted.values("user_id"))
    return [reviewer for reviewer in candidates if not permissions.has_role(reviewer, Role.HHS_ADMIN)]
