"""Rated-order documents: what they print, their fingerprint, generation, retry, verification.

Fingerprint: SHA-256 of the canonical JSON of everything the document prints except the
fingerprint and the verification URL (which contains it). It is computed when the version is
signed, printed on the document and encoded in its QR code. The signature record also keeps
the SHA-256 of the exact unsigned rendering, which is deterministic, once it is rendered.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from dataclasses import asdict, dataclass, fields, replace

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from audit import services as audit
from audit.constants import Outcome
from dpa_portal.errors import NotFound
from ratings import audit_actions, permissions
from ratings.clock import agency_time
from ratings.constants import SIGNATURE_MEANING_PLACEMENT, DocumentKind, GenerationStatus, OrderStatus
from ratings.documents import render, signing
from ratings.models import Document, Organization, RatedOrder, RatedOrderVersion, Signature, User
from ratings.selectors import orders as order_selectors
from ratings.services import queueing, retry, transition
from ratings.services.webhooks import events

logger = logging.getLogger(__name__)

# Queued by its registered name: ratings.tasks imports this module (a task is a thin wrapper
# around a service), and services never import the task layer.
GENERATE_TASK = "ratings.tasks.generate_order_document"


# --- content and fingerprint ------------------------------------------------------------------


def _party(org: Organization) -> render.Party:
    return render.Party(name=org.legal_name, address=org.address_text)


def verification_url(order_number: str, fingerprint: str) -> str:
    return f"{settings.SITE_URL}/verify/{order_number}/{fingerprint}/"


def order_content(version: RatedOrderVersion, signature: Signature) -> render.OrderContent:
    """Everything the document of `version` prints, all from stored data (never the clock)."""
    order = version.order
    is_cancellation = version.kind == DocumentKind.CANCELLATION
    signed_utc = signature.signed_at.astimezone(dt.UTC)
    content = render.OrderContent(
        kind=version.kind,
        order_number=order.order_number,
        version=version.number,
        rating=order.rating,
        level=order.level,
        issuing_office=settings.ISSUING_OFFICE,
        placing=_party(order.placing_organization),
        supplier=_party(order.supplier),
        source_reference=order.basis_reference,
        items=[render.Item(**{k: v for k, v in item.items() if k in ITEM_FIELDS}) for item in version.items_snapshot],
        emergency_response_hours=order.emergency_response_hours,
        response_working_days=settings.SUPPLIER_RESPONSE_WORKING_DAYS[order.level],
        signer_name=signature.printed_name,
        signer_title=signature.title,
        signed_at=agency_time(signature.signed_at, seconds=True),
        signed_at_pdf=signed_utc.strftime("D:%Y%m%d%H%M%S+00'00'"),
        meaning=signature.meaning,
        delegation=signature.delegation,
        fingerprint="",
        verification_url="",
        amendment_reason="" if is_cancellation else version.amendment_reason,
        significance=version.get_significance_display() if version.number > 1 and not is_cancellation else "",
        cancellation_reason=order.cancellation_reason if is_cancellation else "",
        changes=[] if is_cancellation else list(version.changes),
        parent_order_number=order.parent.order_number if order.parent else "",
        extension_basis=[
            {"position": item["position"], "unit": item["unit"], "basis": item["scope_basis"]}
            for item in version.items_snapshot
            if item.get("scope_basis")
        ],
        # Only when recorded: a version signed before determinations were kept keeps its fingerprint.
        extra={"program_determination": signature.program_determination} if signature.program_determination else {},
        authorization_number=order.authorization.number if order.authorization is not None else "",
        signed_for=order.placing_organization.legal_name if signature.meaning == SIGNATURE_MEANING_PLACEMENT else "",
    )
    fingerprint = content_fingerprint(content)
    return replace(content, fingerprint=fingerprint, verification_url=verification_url(order.order_number, fingerprint))


# Printed fields added after orders were first signed: left out of the canonical form while
# empty, so an earlier version's fingerprint still matches its content.
LATER_FIELDS = ("changes", "parent_order_number", "extension_basis", "authorization_number", "signed_for")
# What an item prints; a snapshot may hold more (a flow-down item's stated basis, printed apart).
ITEM_FIELDS = frozenset(field.name for field in fields(render.Item))


def content_fingerprint(content: render.OrderContent) -> str:
    data = asdict(replace(content, fingerprint="", verification_url=""))
    for name in LATER_FIELDS:
        if not data[name]:
            del data[name]
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def queue_generation(version: RatedOrderVersion) -> None:
    version_id = version.pk
    transaction.on_commit(lambda: enqueue_generation(version_id))


def enqueue_generation(version_id: int) -> bool:
    """Queue the task. A broker failure is logged, never raised: the approval that caused it
    has committed, the version stays pending, and `order_documents_sweep` queues it again."""
    return queueing.enqueue(GENERATE_TASK, version_id, log=logger, failed="order_document.enqueue_failed version")


def order_documents_sweep(*, now: dt.datetime | None = None) -> list[int]:
    """Periodic (beat): queue again versions still pending past the grace period."""
    return queueing.requeue_stale(
        RatedOrderVersion.objects.filter(generation_status=GenerationStatus.PENDING),
        since="issued_at",
        enqueue_row=enqueue_generation,
        now=now,
    )


# --- documents --------------------------------------------------------------------------------


def order_document_render(version: RatedOrderVersion) -> tuple[bytes, render.OrderContent]:
    """The unsigned, deterministic rendering of a version."""
    signature = version.signatures.get(kind=version.kind)
    content = order_content(version, signature)
    return render.render_pdf(content), content


def order_document_generate(*, version_id: int) -> Document:
    """Render, PAdES-sign and store the version's document. Idempotent: an existing document
    is returned as it is.

    Rendering and signing (tens of milliseconds) hold no lock: they read committed, immutable
    data (the signed version). Only the store is a transaction: lock the version, store unless
    another worker already did, audit; a deadlock there retries the store alone."""
    version = RatedOrderVersion.objects.select_related(
        "order__placing_organization", "order__supplier", "order__source_request", "order__authorization"
    ).get(pk=version_id)
    existing = version.documents.filter(kind=version.kind).first()
    if existing is not None:
        return existing
    unsigned, content = order_document_render(version)
    if content.fingerprint != version.fingerprint:
        raise ValueError(f"Content of {version} no longer matches its signed fingerprint.")
    signed = signing.sign_pdf(unsigned, reason=f"{content.meaning} — {content.order_number} v{content.version}")
    document = retry.retried(lambda: _store_document(version, unsigned, signed))
    logger.info("order_document.generated version=%s size=%s", version_id, document.size)
    return document


def _store_document(version: RatedOrderVersion, unsigned: bytes, signed: bytes) -> Document:
    with transaction.atomic():
        locked = RatedOrderVersion.objects.select_for_update(of=("self",), no_key=True).get(pk=version.pk)
        existing = locked.documents.filter(kind=locked.kind).first()
        if existing is not None:
            return existing
        unsigned_sha = hashlib.sha256(unsigned).hexdigest()
        document = Document(
            version=locked,
            kind=locked.kind,
            sha256=hashlib.sha256(signed).hexdigest(),
            unsigned_sha256=unsigned_sha,
            size=len(signed),
            pages=unsigned.count(b"/Type /Page\n"),
        )
        document.file.save(f"{locked.kind}.pdf", ContentFile(signed), save=False)
        document.save()
        locked.signatures.filter(kind=locked.kind).update(document_sha256=unsigned_sha)
        locked.generation_status = GenerationStatus.GENERATED
        locked.generation_error = ""
        locked.generation_attempts += 1
        locked.save(update_fields=["generation_status", "generation_error", "generation_attempts"])
        events.order_document_ready(version=locked)
        audit.record(
            action=audit_actions.ORDER_DOCUMENT_GENERATE,
            actor=None,
            target=document,
            reference=version.order.order_number,
            organization_id=version.order.placing_organization_id,
            data={
                "version": locked.number,
                "kind": locked.kind,
                "sha256": document.sha256,
                "unsigned_sha256": unsigned_sha,
                "size": document.size,
            },
        )
    return document


def order_document_failed(*, version_id: int, error: str) -> None:
    """Record a failed generation attempt on the version, visible in the admin."""
    with transaction.atomic():
        version = RatedOrderVersion.objects.select_for_update(of=("self",), no_key=True).get(pk=version_id)
        if version.generation_status == GenerationStatus.GENERATED:
            return
        version.generation_status = GenerationStatus.FAILED
        version.generation_error = error[:2000]
        version.generation_attempts += 1
        version.save(update_fields=["generation_status", "generation_error", "generation_attempts"])
        events.order_document_ready(version=version)
        audit.record(
            action=audit_actions.ORDER_DOCUMENT_GENERATE,
            actor=None,
            target=version,
            outcome=Outcome.FAILURE,
            reference=version.order.order_number,
            organization_id=version.order.placing_organization_id,
            reason=error[:500],
            data={"version": version.number, "attempts": version.generation_attempts},
        )
    logger.warning("order_document.failed version=%s", version_id)


RETRY = transition.Action(
    audit=audit_actions.ORDER_DOCUMENT_RETRY,
    permission=permissions.workflow_staff_refusal,
    states=[GenerationStatus.PENDING, GenerationStatus.FAILED],
    state_message="This version of order {reference} already has its document.",
)


def order_document_retry(*, version: RatedOrderVersion, actor: User) -> RatedOrderVersion:
    """HHS staff queue a failed generation again (admin action)."""

    def apply(locked: RatedOrderVersion) -> transition.Applied:
        previous_error = locked.generation_error[:500]
        locked.generation_status = GenerationStatus.PENDING
        queue_generation(locked)
        return transition.Applied(data={"version": locked.number, "previous_error": previous_error})

    return transition.perform(transition.ORDER_VERSION, RETRY, target=version, actor=actor, apply=apply)


def order_document_download(*, order_number: str, version: int, actor: User) -> tuple[RatedOrder, Document]:
    """The placing organization's applicants, the supplier's contacts, HHS staff and auditors
    download an order's document; every outcome is audited, and anyone else is told the order
    does not exist (its existence is not disclosed)."""
    order = order_selectors.rated_orders_for(actor).filter(order_number=order_number).first()
    if order is None:
        existing = RatedOrder.objects.filter(order_number=order_number).first()
        if existing is not None:
            transition.audit_denied(
                action=audit_actions.ORDER_DOCUMENT_DOWNLOAD,
                actor=actor,
                message="Not the placing organization, the supplier, HHS staff or an auditor.",
                target=existing,
                reference=existing.order_number,
                organization_id=existing.placing_organization_id,
                data={"version": version},
            )
        raise NotFound("No such order.")
    document = Document.objects.filter(version__order=order, version__number=version).first()
    if document is None:
        raise NotFound("This document does not exist or is not generated yet.")
    with transaction.atomic(durable=True):
        audit.record(
            action=audit_actions.ORDER_DOCUMENT_DOWNLOAD,
            actor=actor,
            target=document,
            reference=order.order_number,
            organization_id=order.placing_organization_id,
            data={"version": version, "kind": document.kind, "sha256": document.sha256},
        )
    return order, document


# --- public verification ----------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    """What the public page may say: genuine or not, and the order's current status. Nothing
    confidential: no items, no company names."""

    genuine: bool
    order_number: str = ""
    rating: str = ""
    version: int = 0
    status: str = ""  # "active", "amended", "cancelled"
    status_text: str = ""
    document_kind: str = ""


def order_verify(*, order_number: str, fingerprint: str) -> Verification:
    number = (order_number or "").strip().upper()
    print_ = (fingerprint or "").strip().lower()
    if len(print_) != 64 or any(c not in "0123456789abcdef" for c in print_):
        return Verification(genuine=False)
    version = (
        RatedOrderVersion.objects.select_related("order").filter(order__order_number=number, fingerprint=print_).first()
    )
    if version is None:
        return Verification(genuine=False)
    order = version.order
    if order.status == OrderStatus.CANCELLED:
        status, text = "cancelled", f"Cancelled on {agency_time(order.cancelled_at)}; the rating no longer applies."
    elif version.number < order.current_version:
        status, text = "amended", f"Amended by version {order.current_version}; this version is superseded."
    else:
        status, text = "active", "Active: this is the current version of the order."
    return Verification(
        genuine=True,
        order_number=order.order_number,
        rating=order.rating,
        version=version.number,
        status=status,
        status_text=text,
        document_kind=version.get_kind_display(),
    )
