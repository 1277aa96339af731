"""Legal holds on rating requests: while one is active nothing about the request may be
disposed of (NIST AU-11). Placed and released by HHS staff holding `audit.place_legalhold`
(counsel, records officers); auditors are read-only.

Each runs along the one transition path, so a refusal is audited like any other. A hold is no
change to the request itself: it neither bumps the request's version (someone's open form stays
valid) nor changes its state; the event records the request and the hold.
"""

from __future__ import annotations

import dataclasses

from audit import actions as audit_actions
from audit import retention
from audit.models import LegalHold
from dpa_portal.errors import InvalidState, ValidationFailed
from ratings import permissions
from ratings.models import RatingRequest, User
from ratings.services import transition

# The request path without its version: a hold is about the request's records, not an edit of it.
HELD_REQUEST = dataclasses.replace(transition.REQUEST, version_field=None, bump_version=False, audited_fields=())

PLACE = transition.Action(audit=audit_actions.LEGAL_HOLD_PLACE, permission=permissions.legal_hold_refusal)
RELEASE = transition.Action(audit=audit_actions.LEGAL_HOLD_RELEASE, permission=permissions.legal_hold_refusal)


def _reason(text: str, message: str) -> str:
    reason = (text or "").strip()
    if not reason:
        raise ValidationFailed(message, field="reason")
    return reason


def rating_request_hold_place(*, rating_request: RatingRequest, actor: User, reason: str) -> LegalHold:
    placed: list[LegalHold] = []

    def apply(rr: RatingRequest) -> transition.Applied:
        why = _reason(reason, "Say why the hold is placed (e.g. the matter or litigation).")
        if retention.active_hold(rr) is not None:
            raise InvalidState(f"Request {rr.reference} is already on legal hold.")
        placed[:] = [retention.place_hold(target=rr, reference=rr.reference, reason=why, actor=actor)]
        return transition.Applied(reason=why, data={"hold_id": placed[0].pk})

    transition.perform(HELD_REQUEST, PLACE, target=rating_request, actor=actor, apply=apply)
    return placed[0]


def rating_request_hold_release(*, rating_request: RatingRequest, actor: User, reason: str) -> LegalHold:
    released: list[LegalHold] = []

    def apply(rr: RatingRequest) -> transition.Applied:
        why = _reason(reason, "Say why the hold is released.")
        # The request row is locked by the path, so no other hold change on it runs meanwhile.
        hold = retention.active_hold(rr)
        if hold is None:
            raise InvalidState(f"Request {rr.reference} has no active legal hold.")
        released[:] = [retention.release_hold(hold, reason=why, actor=actor)]
        return transition.Applied(reason=why, data={"hold_id": hold.pk})

    transition.perform(HELD_REQUEST, RELEASE, target=rating_request, actor=actor, apply=apply)
    return released[0]
