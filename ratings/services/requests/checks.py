"""Checks several request services share: the applicant's certification, the reviewer chosen."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dpa_portal.errors import ValidationFailed
from ratings import permissions
from ratings.constants import CERTIFICATION_TEXT, Role
from ratings.models import RatingRequest, User
from ratings.services import items, transition
from ratings.services.requests import need
from ratings.services.suppliers.reach import unreachable_suppliers_of


@dataclass(frozen=True)
class Attestation:
    """The applicant's certification: they typed their full name and accepted the text."""

    typed_name: str
    accepted: bool
    text: str = CERTIFICATION_TEXT


def _completeness_problems(rating_request: RatingRequest) -> list[str]:
    problems = []
    items = list(rating_request.line_items.prefetch_related("deliveries"))
    if not items:
        problems.append("add at least one line item")
    for item in items:
        if not item.deliveries.all():
            problems.append(f"give item {item.position} a required delivery date")
    for field, label in (
        ("justification_need", "the need"),
        ("justification_efforts", "the efforts already made"),
        ("justification_impact", "the impact of delay"),
    ):
        if not getattr(rating_request, field).strip():
            problems.append(f"describe {label}")
    problems.extend(need.missing_for_submission(rating_request))
    for supplier in unreachable_suppliers_of(rating_request):
        problems.append(
            f"name a contact e-mail for {supplier.legal_name} (it has no portal contact to send the order to)"
        )
    if not rating_request.program.allows(rating_request.requested_level):
        problems.append(f"choose a level that program {rating_request.program.symbol} allows")
    return problems


def certify_submission(rating_request: RatingRequest, actor: User, attestation: Attestation, now: dt.datetime) -> None:
    """The applicant's signature on a complete request (18 U.S.C. 1001 warning): checked, then set."""
    problems = _completeness_problems(rating_request)
    if problems:
        raise ValidationFailed("The request is not complete: " + "; ".join(problems) + ".")
    items.refuse_past_dates(rating_request, advice="Change it on the line items step, then submit again.")
    if not attestation.accepted:
        raise ValidationFailed("Tick the certification box to certify the request.", field="certify")
    typed = " ".join((attestation.typed_name or "").split())
    if not typed:
        raise ValidationFailed("Type your full name as your signature.", field="typed_name")
    if typed.casefold() != " ".join(actor.printed_name.split()).casefold():
        raise ValidationFailed(
            f"The name you typed does not match the name on your account ({actor.printed_name}).",
            field="typed_name",
        )
    rating_request.certified_by = actor
    rating_request.certified_name = typed
    rating_request.certified_at = now
    rating_request.certification_text = attestation.text


def check_reviewer(rating_request: RatingRequest, reviewer: User | None) -> User:
    """May `reviewer` be given this request? A declared conflict of interest is a refusal (audited);
    anything else wrong with the choice is a field error."""
    if reviewer is None:
        raise ValidationFailed("Choose a reviewer to assign.", field="reviewer")
    permissions.forget_memberships(reviewer)
    if not permissions.has_role(reviewer, Role.REVIEWER) or permissions.has_role(reviewer, Role.HHS_ADMIN):
        raise ValidationFailed(f"{reviewer.printed_name} is not an HHS reviewer.", field="reviewer")
    if rating_request.applicant_organization_id in permissions.organization_ids(reviewer):
        raise ValidationFailed(
            f"{reviewer.printed_name} belongs to the requesting organization and cannot review it.",
            field="reviewer",
        )
    if rating_request.applicant_organization_id in permissions.conflicted_organization_ids(reviewer):
        raise transition.Refused(
            f"{reviewer.printed_name} declared a conflict of interest with "
            f"{rating_request.applicant_organization.legal_name} and is never assigned its requests."
        )
    return reviewer
