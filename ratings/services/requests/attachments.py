"""Files attached to a request: to a draft, or with an answer to an HHS question."""

from __future__ import annotations

from typing import IO

from django.conf import settings
from django.core.files.base import File
from django.db import transaction

from audit import services as audit
from dpa_portal.errors import InvalidState, NotFound, ValidationFailed
from ratings import audit_actions, permissions, uploads
from ratings.constants import EDITABLE_STATES, RequestState
from ratings.models import Attachment, InformationRequest, RatingRequest, User
from ratings.selectors import requests as request_selectors
from ratings.services import transition

ADD = transition.Action(
    audit=audit_actions.ATTACHMENT_ADD,
    permission=permissions.request_rule("edit"),
    states=[*EDITABLE_STATES, RequestState.INFO_REQUESTED],
    state_message="Attachments can be added to drafts and returned requests, or with an answer to an HHS question.",
)


def attachment_add(
    *,
    rating_request: RatingRequest,
    actor: User,
    stream: IO[bytes],
    original_name: str,
    information_request: InformationRequest | None = None,
) -> Attachment:
    """Store an uploaded file privately, after checking its content type and size."""
    name = (original_name or "attachment").replace("\\", "/").rsplit("/", 1)[-1][:255] or "attachment"
    added: list[Attachment] = []

    def apply(locked: RatingRequest) -> transition.Applied:
        if locked.state == RequestState.INFO_REQUESTED and information_request is None:
            raise InvalidState("Attachments can be added to drafts, or with an answer to an HHS question.")
        _check_count(locked, information_request)
        sniffed = uploads.sniff(stream)
        if sniffed is None:
            raise ValidationFailed(
                f"“{name}” is not an accepted file: its content is not {uploads.ACCEPTED_TYPES_TEXT}.",
                field="file",
            )
        limit = settings.ATTACHMENT_MAX_BYTES
        # An upload past the limit was cut while it streamed in; its `size` counts what was sent.
        size = max(sniffed.size, int(getattr(stream, "size", 0) or 0))
        if size > limit:
            raise ValidationFailed(
                f"“{name}” is {size / 1_048_576:.1f} MB; the limit is {limit / 1_048_576:.0f} MB.",
                field="file",
            )
        active = uploads.pdf_active_content(stream) if sniffed.content_type == "application/pdf" else ""
        if active:
            raise ValidationFailed(
                f"“{name}” contains {active}, which could run when the file is opened; "
                "save it without scripts or actions (e.g. print it to PDF) and upload it again.",
                field="file",
            )
        attachment = Attachment(
            request=locked,
            information_request=information_request,
            original_name=name,
            content_type=sniffed.content_type,
            size=sniffed.size,
            sha256=sniffed.sha256,
            uploaded_by=actor,
        )
        stream.seek(0)
        attachment.file.save(name, File(stream), save=False)
        attachment.save()
        added.append(attachment)
        return transition.Applied(
            about=attachment,
            changes={},
            data={"name": name, "content_type": sniffed.content_type, "size": sniffed.size, "sha256": sniffed.sha256},
        )

    transition.perform(transition.REQUEST, ADD, target=rating_request, actor=actor, apply=apply)
    return added[0]


REMOVE = transition.Action(
    audit=audit_actions.ATTACHMENT_REMOVE,
    permission=permissions.request_rule("edit"),
    states=EDITABLE_STATES,
    state_message="Files can be removed only while the request is a draft or returned for correction.",
)


def attachment_remove(*, attachment: Attachment, actor: User, expected_version: int | None = None) -> RatingRequest:
    """Remove a file from a draft (or a returned request). A file that went with an answer to
    HHS is part of the record and stays. The stored file goes once the removal commits."""

    def apply(locked: RatingRequest) -> transition.Applied:
        row = locked.attachments.filter(pk=attachment.pk).first()
        if row is None:
            raise NotFound("No such attachment on this request.")
        if row.information_request_id is not None:
            raise InvalidState("This file went with an answer to HHS; it is part of the record and stays.")
        details = {"name": row.original_name, "sha256": row.sha256, "size": row.size}
        storage, name = row.file.storage, row.file.name
        row.delete()
        transaction.on_commit(lambda: storage.delete(name))
        return transition.Applied(changes={}, data=details)

    return transition.perform(
        transition.REQUEST,
        REMOVE,
        target=attachment.request,
        actor=actor,
        apply=apply,
        expected_version=expected_version,
    )


def _check_count(rating_request: RatingRequest, information_request: InformationRequest | None) -> None:
    if rating_request.attachments.count() >= settings.ATTACHMENTS_PER_REQUEST_MAX:
        raise ValidationFailed(
            f"A request holds at most {settings.ATTACHMENTS_PER_REQUEST_MAX} files; remove one first.", field="file"
        )
    answer_full = (
        information_request is not None
        and information_request.attachments.count() >= settings.ATTACHMENTS_PER_ANSWER_MAX
    )
    if answer_full:
        raise ValidationFailed(f"An answer carries at most {settings.ATTACHMENTS_PER_ANSWER_MAX} files.", field="file")


def attachment_download(*, attachment_id: int, actor: User) -> Attachment:
    """A private attachment, for someone allowed to see its request; both outcomes audited."""
    attachment = request_selectors.attachments_for(actor).filter(pk=attachment_id).first()
    if attachment is None:
        existing = Attachment.objects.select_related("request").filter(pk=attachment_id).first()
        if existing is not None:
            transition.audit_denied(
                action=audit_actions.ATTACHMENT_DOWNLOAD,
                actor=actor,
                message="Not visible to this user's organization and role.",
                target=existing,
                reference=existing.request.reference,
                organization_id=existing.request.applicant_organization_id,
            )
        raise NotFound("No such attachment.")
    with transaction.atomic(durable=True):
        audit.record(
            action=audit_actions.ATTACHMENT_DOWNLOAD,
            actor=actor,
            target=attachment,
            reference=attachment.request.reference,
            organization_id=attachment.request.applicant_organization_id,
            data={"sha256": attachment.sha256},
        )
    return attachment
