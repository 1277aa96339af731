"""Return for correction and resubmission: HHS sends a request back, the applicant corrects it.

Intake returns a submitted request; the assigned reviewer returns one in review. The applicant
then edits it as it would a draft (services.requests.drafts), certifies again and resubmits; it
goes back to where it was returned from. Every submission is kept whole (RequestSubmission) so
reviewers see what changed, and the review clock waits while the applicant holds the request.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from dpa_portal.errors import ValidationFailed
from ratings.models import RatingRequest, User
from ratings.services.requests import submissions
from ratings.services.requests.checks import Attestation, certify_submission
from ratings.services.requests.workflow import perform_request_action


def rating_request_return_for_correction(
    *, rating_request: RatingRequest, actor: User, reason: str, expected_version: int | None = None
) -> RatingRequest:
    """Send the request back to the applicant with what to correct; the review clock waits."""
    text = (reason or "").strip()

    def apply(locked: RatingRequest) -> dict[str, Any]:
        if not text:
            raise ValidationFailed("Say what the applicant must correct; they will see it.", field="reason")
        now = timezone.now()
        returned = submissions.submission_mark_returned(rating_request=locked, actor=actor, at=now, reason=text)
        locked.return_for_correction(at=now)
        return {"submission": returned.number, "returned_from": locked.returned_from}

    return perform_request_action(
        rating_request=rating_request,
        actor=actor,
        action="return_for_correction",
        expected_version=expected_version,
        apply=apply,
        reason=text,
    )


def rating_request_resubmit(
    *,
    rating_request: RatingRequest,
    actor: User,
    attestation: Attestation,
    note: str = "",
    expected_version: int | None = None,
) -> RatingRequest:
    """The applicant certifies the corrected request again and sends it back to HHS."""
    text = (note or "").strip()

    def apply(locked: RatingRequest) -> dict[str, Any]:
        now = timezone.now()
        certify_submission(locked, actor, attestation, now)
        locked.resubmit()
        submission = submissions.submission_record(rating_request=locked, actor=actor, at=now, note=text)
        return {"submission": submission.number, "certification_text": attestation.text, "note": text}

    return perform_request_action(
        rating_request=rating_request,
        actor=actor,
        action="resubmit",
        expected_version=expected_version,
        apply=apply,
        reason=text,
    )
