"""The beat sweep queues again order and authorization documents whose first queueing was lost:
only rows still pending past the grace period, oldest first, once per run."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ratings.constants import GenerationStatus, RequestState
from ratings.models import RatingAuthorization
from ratings.services import queueing
from ratings.services.authorizations import documents as authorization_documents
from ratings.services.requests import workflow
from tests.factories import PASSWORD, otp, request_in_state


def _approved(cast) -> RatingAuthorization:
    rr = request_in_state(cast, RequestState.RECOMMENDED)
    # on-commit callbacks not run: the document's first queueing is "lost"
    workflow.rating_request_approve(rating_request=rr, actor=cast.approver, password=PASSWORD, otp=otp(cast.approver))
    return RatingAuthorization.objects.get(rating_request=rr)


def test_pending_authorizations_past_the_grace_period_are_queued_again_oldest_first(cast, settings, monkeypatch):
    settings.DOCUMENT_SWEEP_GRACE_SECONDS = 60
    first, second = _approved(cast), _approved(cast)
    now = timezone.now()
    RatingAuthorization.objects.filter(pk=first.pk).update(signed_at=now - dt.timedelta(minutes=5))
    RatingAuthorization.objects.filter(pk=second.pk).update(signed_at=now - dt.timedelta(minutes=10))
    queued: list[tuple[str, int]] = []
    monkeypatch.setattr(queueing, "enqueue", lambda task, row_id, **kwargs: queued.append((task, row_id)) or True)

    assert authorization_documents.authorization_documents_sweep(now=now) == [second.pk, first.pk]
    assert queued == [
        (authorization_documents.GENERATE_TASK, second.pk),
        (authorization_documents.GENERATE_TASK, first.pk),
    ]

    # within the grace period, or already generated: left alone
    queued.clear()
    assert authorization_documents.authorization_documents_sweep(now=now - dt.timedelta(minutes=9, seconds=30)) == []
    RatingAuthorization.objects.filter(pk=second.pk).update(generation_status=GenerationStatus.GENERATED)
    assert authorization_documents.authorization_documents_sweep(now=now) == [first.pk]
    assert queued == [(authorization_documents.GENERATE_TASK, first.pk)]
