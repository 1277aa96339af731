"""Rating-authorization documents: content, fingerprint, generation, download, verification.

The same scheme as order documents (services.orders.documents): the fingerprint is the SHA-256
of the canonical content, computed when the approving official signs, printed and encoded in
the QR code; the PDF is rendered and PAdES-sealed after commit, outside any row lock, and stored
in a short transaction that locks only the authorization.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from dataclasses import asdict, dataclass, replace

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from audit import services as audit
from audit.constants import Outcome
from dpa_portal.errors import NotFound
from ratings import audit_actions, permissions_placing
from ratings.clock import agency_time
from ratings.constants import GenerationStatus
from ratings.constants_authorization import AuthorizationStatus
from ratings.documents import authorization as authorization_pdf
from ratings.documents import render, signing
from ratings.models import ApprovalDecision, RatingAuthorization, User
from ratings.services import queueing, retry, transition

logger = logging.getLogger(__name__)

GENERATE_TASK = "ratings.tasks.generate_authorization_document"


def verification_url(number: str, fingerprint: str) -> str:
    return f"{settings.SITE_URL}/verify/authorization/{number}/{fingerprint}/"


def authorization_content(authorization: RatingAuthorization) -> authorization_pdf.AuthorizationContent:
    """Everything the document prints, all from stored data (never the clock)."""
    party = authorization.authorized_party
    program = authorization.program
    content = authorization_pdf.AuthorizationContent(
        number=authorization.number,
        version=authorization.version,
        rating=authorization.rating,
        program=f"{program.symbol} — {program.name}",
        issuing_office=settings.ISSUING_OFFICE,
        authorized_party=render.Party(name=party.legal_name, address=party.address_text),
        source_reference=authorization.basis_reference,
        items=[
            authorization_pdf.AuthorizedItem(
                position=item["position"],
                supplier=item["supplier"],
                supplier_address=item["supplier_address"],
                description=item["description"],
                part_number=item["part_number"],
                quantity=item["quantity"],
                unit=item["unit"],
                ship_to=item["ship_to"],
                window_start=item["window_start"],
                window_end=item["window_end"],
            )
            for item in authorization.items_snapshot
        ],
        valid_from=authorization.valid_from.isoformat(),
        valid_until=authorization.valid_until.isoformat(),
        emergency_response_hours=authorization.emergency_response_hours,
        conditions=authorization.conditions,
        legal_basis=authorization.legal_basis,
        signer_name=authorization.printed_name,
        signer_title=authorization.title,
        signed_at=agency_time(authorization.signed_at, seconds=True),
        signed_at_pdf=authorization.signed_at.astimezone(dt.UTC).strftime("D:%Y%m%d%H%M%S+00'00'"),
        meaning=authorization.meaning,
        delegation=authorization.delegation,
        fingerprint="",
        verification_url="",
        decision=tuple(_decision(authorization)),
        status=authorization.get_status_display(),
        change=authorization.get_change_display() if authorization.version > 1 else "",
        change_reason=authorization.change_reason,
        changes=list(authorization.changes),
        superseded=_superseded(authorization),
    )
    data = asdict(content)
    if not content.decision:
        del data["decision"]  # an authorization approved as requested keeps the fingerprint it was signed with
    if content.version == 1:
        # A first version is always signed active and changes nothing: it keeps the fingerprint it was signed with.
        for name in ("status", "change", "change_reason", "changes", "superseded"):
            del data[name]
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    fingerprint = hashlib.sha256(canonical.encode()).hexdigest()
    return replace(
        content, fingerprint=fingerprint, verification_url=verification_url(authorization.number, fingerprint)
    )


def _decision(authorization: RatingAuthorization) -> list[str]:
    if authorization.rating_request_id is None:
        return []
    decision = ApprovalDecision.objects.filter(rating_request_id=authorization.rating_request_id).first()
    return decision.lines() if decision else []


def _superseded(authorization: RatingAuthorization) -> str:
    if authorization.version == 1:
        return ""
    previous = authorization.prior_versions.filter(number=authorization.version - 1).first()
    fingerprint = previous.fingerprint if previous is not None else "unknown"
    return f"version {authorization.version - 1} (fingerprint {fingerprint})"


def queue_generation(authorization: RatingAuthorization) -> None:
    authorization_id = authorization.pk
    transaction.on_commit(lambda: enqueue_generation(authorization_id))


def enqueue_generation(authorization_id: int) -> bool:
    """A broker failure is logged, never raised: the sweep queues a pending document again."""
    return queueing.enqueue(
        GENERATE_TASK, authorization_id, log=logger, failed="authorization_document.enqueue_failed id"
    )


def authorization_documents_sweep(*, now: dt.datetime | None = None) -> list[int]:
    return queueing.requeue_stale(
        RatingAuthorization.objects.filter(generation_status=GenerationStatus.PENDING),
        since="signed_at",
        enqueue_row=enqueue_generation,
        now=now,
    )


def authorization_document_generate(*, authorization_id: int) -> RatingAuthorization:
    """Render and seal outside any lock (the signed content is immutable), then store in a
    short transaction locking only the authorization. Idempotent."""
    authorization = RatingAuthorization.objects.select_related("authorized_party", "program", "rating_request").get(
        pk=authorization_id
    )
    if authorization.generation_status == GenerationStatus.GENERATED:
        return authorization
    content = authorization_content(authorization)
    if content.fingerprint != authorization.fingerprint:
        raise ValueError(f"Content of {authorization} no longer matches its signed fingerprint.")
    unsigned = authorization_pdf.render_authorization_pdf(content)
    signed = signing.sign_pdf(unsigned, reason=f"{content.meaning} — {content.number} v{content.version}")
    stored = retry.retried(lambda: _store(authorization.pk, unsigned, signed))
    logger.info("authorization_document.generated id=%s size=%s", authorization_id, len(signed))
    return stored


def _store(authorization_id: int, unsigned: bytes, signed: bytes) -> RatingAuthorization:
    with transaction.atomic():
        locked = RatingAuthorization.objects.select_for_update(of=("self",), no_key=True).get(pk=authorization_id)
        if locked.generation_status == GenerationStatus.GENERATED:
            return locked
        locked.document.save("authorization.pdf", ContentFile(signed), save=False)
        locked.document_sha256 = hashlib.sha256(signed).hexdigest()
        locked.unsigned_sha256 = hashlib.sha256(unsigned).hexdigest()
        locked.generation_status = GenerationStatus.GENERATED
        locked.generation_error = ""
        locked.generation_attempts += 1
        locked.save(
            update_fields=[
                "document",
                "document_sha256",
                "unsigned_sha256",
                "generation_status",
                "generation_error",
                "generation_attempts",
            ]
        )
        audit.record(
            action=audit_actions.AUTHORIZATION_DOCUMENT_GENERATE,
            actor=None,
            target=locked,
            reference=locked.number,
            organization_id=locked.authorized_party_id,
            data={
                "version": locked.version,
                "sha256": locked.document_sha256,
                "unsigned_sha256": locked.unsigned_sha256,
                "size": len(signed),
            },
        )
    return locked


def authorization_document_failed(*, authorization_id: int, error: str) -> None:
    with transaction.atomic():
        locked = RatingAuthorization.objects.select_for_update(of=("self",), no_key=True).get(pk=authorization_id)
        if locked.generation_status == GenerationStatus.GENERATED:
            return
        locked.generation_status = GenerationStatus.FAILED
        locked.generation_error = error[:2000]
        locked.generation_attempts += 1
        locked.save(update_fields=["generation_status", "generation_error", "generation_attempts"])
        audit.record(
            action=audit_actions.AUTHORIZATION_DOCUMENT_GENERATE,
            actor=None,
            target=locked,
            outcome=Outcome.FAILURE,
            reference=locked.number,
            organization_id=locked.authorized_party_id,
            reason=error[:500],
            data={"attempts": locked.generation_attempts},
        )
    logger.warning("authorization_document.failed id=%s", authorization_id)


def authorization_document_download(*, number: str, actor: User) -> RatingAuthorization:
    """The authorized party's applicants and signers, HHS staff who read business data and
    auditors download it; every outcome is audited; anyone else is told it does not exist."""
    authorization = RatingAuthorization.objects.filter(number=number).first()
    if authorization is None:
        raise NotFound("No such authorization.")
    if not permissions_placing.sees_authorization(authorization, actor):
        transition.audit_denied(
            action=audit_actions.AUTHORIZATION_DOCUMENT_DOWNLOAD,
            actor=actor,
            message="Not the authorized party, HHS staff or an auditor.",
            target=authorization,
            reference=authorization.number,
            organization_id=authorization.authorized_party_id,
        )
        raise NotFound("No such authorization.")
    if authorization.generation_status != GenerationStatus.GENERATED:
        raise NotFound("The authorization's document is not generated yet.")
    with transaction.atomic(durable=True):
        audit.record(
            action=audit_actions.AUTHORIZATION_DOCUMENT_DOWNLOAD,
            actor=actor,
            target=authorization,
            reference=authorization.number,
            organization_id=authorization.authorized_party_id,
            data={"version": authorization.version, "sha256": authorization.document_sha256},
        )
    return authorization


@dataclass(frozen=True)
class AuthorizationVerification:
    """What the public page may say: genuine or not, which version, and the authorization's
    current status; nothing confidential."""

    genuine: bool
    number: str = ""
    rating: str = ""  # the rating of the version verified
    version: int = 0
    status: str = ""  # the authorization's current status: "active", "expired", "revoked"
    status_text: str = ""
    current_version: int = 0  # > version: this copy was superseded
    current_rating: str = ""

    @property
    def superseded(self) -> bool:
        return self.current_version > self.version


def authorization_verify(*, number: str, fingerprint: str) -> AuthorizationVerification:
    """A fingerprint of the current version or of a superseded one is genuine; the page always
    says the authorization's current status (a revoked one prominently)."""
    wanted = (number or "").strip().upper()
    print_ = (fingerprint or "").strip().lower()
    if len(print_) != 64 or any(c not in "0123456789abcdef" for c in print_):
        return AuthorizationVerification(genuine=False)
    authorization = RatingAuthorization.objects.filter(number=wanted).first()
    if authorization is None:
        return AuthorizationVerification(genuine=False)
    if authorization.fingerprint == print_:
        version, rating = authorization.version, authorization.rating
    else:
        prior = authorization.prior_versions.filter(fingerprint=print_).first()
        if prior is None:
            return AuthorizationVerification(genuine=False)
        version, rating = prior.number, prior.rating
    if authorization.status == AuthorizationStatus.REVOKED:
        revoked = agency_time(authorization.revoked_at) if authorization.revoked_at else ""
        status, text = "revoked", f"Revoked by HHS {revoked}: no rated order may be placed under it.".replace("  ", " ")
    elif authorization.valid_until < timezone.localdate():
        status, text = "expired", f"Expired on {authorization.valid_until.isoformat()}."
    else:
        status, text = "active", f"Active until {authorization.valid_until.isoformat()}."
    return AuthorizationVerification(
        genuine=True,
        number=authorization.number,
        rating=rating,
        version=version,
        status=status,
        status_text=text,
        current_version=authorization.version,
        current_rating=authorization.rating,
    )
