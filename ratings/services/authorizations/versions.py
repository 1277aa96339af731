"""A new signed version of a rating authorization: what HHS's revocation, upgrade and amendment share.

The version being replaced is kept as it was signed (`RatingAuthorizationVersion`: its content
fingerprint and the name and SHA-256 of its sealed file, which is stored per version and never
overwritten), so a copy of it still verifies and says it was superseded. The authorization row
then carries the new version: the official who signed the change, the meaning and authority
printed under the signature, what changed and why, a new fingerprint and a new document,
rendered and sealed after commit like the first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ratings.constants import GenerationStatus
from ratings.models import RatingAuthorization, RatingAuthorizationVersion, User
from ratings.services.authorizations import documents


@dataclass(frozen=True)
class Change:
    """One printed line of what a version changed."""

    what: str
    before: str
    after: str

    def as_row(self) -> dict[str, Any]:
        return {"what": self.what, "before": self.before, "after": self.after}


def _keep_current(authorization: RatingAuthorization, at: dt.datetime) -> RatingAuthorizationVersion:
    return RatingAuthorizationVersion.objects.create(
        authorization=authorization,
        number=authorization.version,
        rating=authorization.rating,
        status=authorization.status,
        valid_until=authorization.valid_until,
        conditions=authorization.conditions,
        change=authorization.change,
        change_reason=authorization.change_reason,
        changes=authorization.changes,
        signer_id=authorization.signer_id,
        printed_name=authorization.printed_name,
        signed_at=authorization.signed_at,
        meaning=authorization.meaning,
        fingerprint=authorization.fingerprint,
        document=authorization.document.name or "",
        document_sha256=authorization.document_sha256,
        superseded_at=at,
    )


def sign_new_version(
    authorization: RatingAuthorization,
    *,
    signer: User,
    at: dt.datetime,
    change: str,
    reason: str,
    changes: list[Change],
    meaning: str,
    delegation: str,
) -> dict[str, Any]:
    """On the locked row whose fields the caller already changed except the signature: keep the
    previous version, sign this one, queue its document. Returns what the audit event records."""
    previous = RatingAuthorization.objects.get(pk=authorization.pk)  # as signed, before this change
    kept = _keep_current(previous, at)
    authorization.version = previous.version + 1
    authorization.change = change
    authorization.change_reason = reason
    authorization.changes = [c.as_row() for c in changes]
    authorization.signer = signer
    authorization.printed_name = signer.printed_name
    authorization.title = signer.title
    authorization.signed_at = at
    authorization.meaning = meaning
    authorization.delegation = delegation
    authorization.generation_status = GenerationStatus.PENDING
    authorization.generation_error = ""
    authorization.generation_attempts = 0
    authorization.document = ""
    authorization.document_sha256 = ""
    authorization.unsigned_sha256 = ""
    authorization.fingerprint = documents.authorization_content(authorization).fingerprint
    documents.queue_generation(authorization)
    return {
        "version": authorization.version,
        "previous": {"version": kept.number, "fingerprint": kept.fingerprint, "document_sha256": kept.document_sha256},
        "changes": authorization.changes,
        "fingerprint": authorization.fingerprint,
        "signature": {"meaning": meaning, "delegation": delegation},
    }
