"""Logins, logouts, failed logins and attachment downloads are audit events."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from audit import services as audit
from audit.models import AuditEvent
from ratings.demo.accounts import ROLE_GROUP, groups_ensure
from ratings.services.requests import attachments, workflow
from tests.factories import PASSWORD, draft_request
from tests.helpers import events_after, last_sequence

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_a_login_is_audited(client, cast):
    start = last_sequence()

    response = client.post(reverse("login"), {"username": cast.applicant.username, "password": PASSWORD})

    assert response.status_code == 302
    [event] = events_after(start)
    assert (event.action, event.outcome, event.actor_id) == ("auth.login", "success", cast.applicant.pk)
    assert event.actor_roles == [f"applicant@{cast.manufacturer.short_name}"]
    assert event.client_address == "127.0.0.1"
    assert audit.verify_chain().ok is True


def test_a_failed_login_is_audited_without_the_password(client, cast):
    start = last_sequence()

    response = client.post(reverse("login"), {"username": cast.applicant.username, "password": "guess"})

    assert response.status_code == 200  # the form again, with its error
    [event] = events_after(start)
    assert (event.action, event.outcome, event.actor_id) == ("auth.login_failed", "failure", None)
    assert event.data == {"username": cast.applicant.username}
    assert "guess" not in str(event.data) + event.actor_label + event.reason


def test_a_logout_is_audited(client, cast):
    client.post(reverse("login"), {"username": cast.intake.username, "password": PASSWORD})
    start = last_sequence()

    response = client.post(reverse("logout"))

    assert response.status_code in {200, 302}
    [event] = events_after(start)
    assert (event.action, event.actor_id) == ("auth.logout", cast.intake.pk)


# --- attachment downloads --------------------------------------------------------------------


@pytest.fixture
def attachment(cast):
    rr = draft_request(cast)
    attachment = attachments.attachment_add(
        rating_request=rr, actor=cast.applicant, stream=io.BytesIO(PDF), original_name="quote.pdf"
    )
    # Submitted, so HHS staff see it (a draft stays private to the applicant).
    workflow.rating_request_submit(
        rating_request=rr, actor=cast.applicant, attestation=workflow.Attestation(cast.applicant.printed_name, True)
    )
    return attachment


def _download(client, attachment):
    return client.get(reverse("attachment-download", args=[attachment.pk]))


@pytest.mark.parametrize("who", ["applicant", "reviewer", "auditor"])
def test_the_owner_and_hhs_staff_download_and_it_is_audited(client, cast, attachment, who):
    groups = groups_ensure()
    user = getattr(cast, who)
    for membership in user.memberships.all():
        if membership.role in ROLE_GROUP:
            user.groups.add(groups[ROLE_GROUP[membership.role]])
    client.force_login(user)
    start = last_sequence()

    response = _download(client, attachment)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="quote.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    [event] = events_after(start)
    assert (event.action, event.outcome, event.actor_id, event.object_id) == (
        "attachment.download",
        "success",
        user.pk,
        str(attachment.pk),
    )
    assert event.data == {"sha256": attachment.sha256}


@pytest.mark.parametrize("who", ["applicant2", "supplier"])
def test_another_organization_gets_404_and_a_denied_event(client, cast, attachment, who):
    client.force_login(getattr(cast, who))
    start = last_sequence()

    response = _download(client, attachment)

    assert response.status_code == 404
    [event] = events_after(start)
    assert (event.action, event.outcome, event.object_id) == ("attachment.download", "denied", str(attachment.pk))


def test_an_unknown_attachment_is_a_plain_404(client, cast):
    client.force_login(cast.applicant)
    start = last_sequence()

    assert client.get(reverse("attachment-download", args=[987654])).status_code == 404
    assert events_after(start) == []


def test_anonymous_visitors_are_sent_to_log_in(client, attachment):
    response = _download(client, attachment)

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert AuditEvent.objects.filter(action="attachment.download").count() == 0
