"""Supplier contacts by invitation (expiring, single-use set-password link) and the in-app list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from audit.models import AuditEvent
from dpa_portal.errors import PermissionRefused, ValidationFailed
from ratings.constants import NotificationKind, RequestState, Role
from ratings.models import Membership, Notification, User
from ratings.services.accounts import invitations
from tests.factories import request_in_state

NEW_PASSWORD = "a long new passphrase 42"


def invite(cast, email="pat@filtra.example", actor=None):
    return invitations.supplier_contact_invite(
        organization=cast.supplier_org, email=email, first_name="Pat", last_name="Supply", actor=actor or cast.intake
    )


def link_of(user: User) -> str:
    return Notification.objects.get(recipient=user, kind=NotificationKind.INVITATION).link


class ClockedTokens(invitations.InvitationTokenGenerator):
    def __init__(self, now: dt.datetime):
        super().__init__()
        self.fixed_now = now

    def _now(self):
        return self.fixed_now


def test_intake_invites_a_supplier_contact_who_gets_an_account_without_password(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        user = invite(cast, email="  Pat@Filtra.example ")
    assert (user.username, user.email, user.has_usable_password()) == (
        "pat@filtra.example",
        "pat@filtra.example",
        False,
    )
    assert list(Membership.objects.filter(user=user).values_list("organization_id", "role")) == [
        (cast.supplier_org.pk, Role.SUPPLIER_CONTACT)
    ]
    event = AuditEvent.objects.get(action="supplier_contact.invite")
    assert (event.actor_id, event.object_id, event.outcome) == (cast.intake.pk, str(user.pk), "success")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["pat@filtra.example"]
    assert "/invitations/" in mail.outbox[0].body
    assert "valid for 7 days" in mail.outbox[0].body


def test_a_supplier_organization_can_have_several_contacts(cast):
    invite(cast, email="one@filtra.example")
    invite(cast, email="two@filtra.example")
    contacts = Membership.objects.filter(organization=cast.supplier_org, role=Role.SUPPLIER_CONTACT)
    assert contacts.count() == 3  # the factory's contact and the two invited


def test_an_applicant_may_not_invite_and_the_refusal_is_audited(cast, django_capture_on_commit_callbacks):
    users = User.objects.count()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(PermissionRefused):
        invite(cast, actor=cast.applicant)
    assert callbacks == []
    assert User.objects.count() == users
    assert [(e.action, e.outcome) for e in AuditEvent.objects.filter(action__startswith="supplier_contact")] == [
        ("supplier_contact.invite", "denied")
    ]


@pytest.mark.parametrize(
    ("email", "org_attr", "message"),
    [
        ("not-an-address", "supplier_org", "Enter a valid e-mail address"),
        ("x@example.com", "manufacturer", "is not an active supplier organization"),
    ],
)
def test_bad_invitations_are_refused_and_change_nothing(cast, email, org_attr, message):
    users, events = User.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationFailed, match=message):
        invitations.supplier_contact_invite(
            organization=getattr(cast, org_attr), email=email, first_name="A", last_name="B", actor=cast.intake
        )
    assert (User.objects.count(), AuditEvent.objects.count()) == (users, events)


def test_an_address_already_in_use_is_refused(cast):
    with pytest.raises(ValidationFailed, match="already exists"):
        invite(cast, email=cast.supplier.email.upper())


def test_the_link_sets_the_password_once(cast, client):
    user = invite(cast)
    path = link_of(user).removeprefix("http://127.0.0.1:8000")
    form = client.get(path)
    assert form.status_code == 200
    assert "pat@filtra.example" in form.content.decode()
    done = client.post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 200
    assert "Your password is set." in done.content.decode()
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(action="supplier_contact.invitation_accepted", actor_id=user.pk).count() == 1
    # then the same link is refused
    again = client.get(path)
    assert again.status_code == 400
    assert "expired or was already used" in again.content.decode()
    replay = client.post(path, {"new_password1": "another passphrase 99", "new_password2": "another passphrase 99"})
    assert replay.status_code == 400
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_a_weak_password_is_refused_with_the_reason_and_the_link_still_works(cast, client):
    user = invite(cast)
    path = link_of(user).removeprefix("http://127.0.0.1:8000")
    response = client.post(path, {"new_password1": "short", "new_password2": "short"})
    assert response.status_code == 200
    assert "This password is too short." in response.content.decode()
    user.refresh_from_db()
    assert user.has_usable_password() is False
    assert client.get(path).status_code == 200


def test_an_expired_link_is_refused(cast, client, settings):
    user = invite(cast)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    eight_days_ago = ClockedTokens(dt.datetime.now() - dt.timedelta(days=8)).make_token(user)
    six_days_ago = ClockedTokens(dt.datetime.now() - dt.timedelta(days=6)).make_token(user)
    assert client.get(reverse("invitation-accept", args=[uid, eight_days_ago])).status_code == 400
    assert client.get(reverse("invitation-accept", args=[uid, six_days_ago])).status_code == 200
    settings.INVITATION_VALID_DAYS = 5
    assert client.get(reverse("invitation-accept", args=[uid, six_days_ago])).status_code == 400


@pytest.mark.parametrize(("uid", "token"), [("bm9wZQ", "abc-def"), ("MQ", "zzz"), ("!!", "x-y")])
def test_garbage_links_are_refused_without_error(db, client, uid, token):
    assert client.get(reverse("invitation-accept", args=[uid, token])).status_code == 400


def test_the_inbox_lists_only_the_users_own_notices_and_marks_them_read(cast, client):
    request_in_state(cast, RequestState.IN_REVIEW)  # notices to the applicant and the reviewer
    mine = Notification.objects.get(
        recipient=cast.applicant, kind=NotificationKind.REQUEST_STATUS, key__contains=":v3:"
    )
    theirs = Notification.objects.get(recipient=cast.reviewer)
    client.force_login(cast.applicant)
    page = client.get(reverse("notification-list"))
    assert page.status_code == 200
    assert [n.pk for n in page.context["page"].rows] == list(
        Notification.objects.filter(recipient=cast.applicant)
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)
    )
    assert theirs.subject not in page.content.decode()
    assert page.context["unread"] == 2
    assert client.post(reverse("notification-read", args=[mine.pk])).status_code == 302
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert client.get(reverse("notification-list")).context["unread"] == 1
    # someone else's notice cannot be marked
    assert client.post(reverse("notification-read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_inbox_requires_login(db, client):
    response = client.get(reverse("notification-list"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_contact_who_has_not_set_a_password_can_be_sent_a_new_link(cast, django_capture_on_commit_callbacks):
    user = invite(cast)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        invitations.supplier_contact_reinvite(user=user, actor=cast.hhsadmin)
    assert Notification.objects.filter(recipient=user, kind=NotificationKind.INVITATION).count() == 2
    assert len(mail.outbox) == 1
    assert AuditEvent.objects.filter(action="supplier_contact.reinvite", outcome="success").count() == 1


def test_no_new_link_for_a_contact_who_already_has_a_password(cast):
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed, match="not a supplier contact waiting for an invitation"):
        invitations.supplier_contact_reinvite(user=cast.supplier, actor=cast.intake)
    assert AuditEvent.objects.count() == events


def test_the_invitation_page_is_a_portal_form_with_its_error_summary(cast, client):
    # given an invited supplier contact on its link, typing two different passwords
    user = invite(cast)
    path = link_of(user).removeprefix("http://127.0.0.1:8000")
    response = client.post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"})
    # then the page is laid out like the portal's other password pages: labelled fields, the
    # problems summarised at the top and linked to their field, the button styled
    page = response.content.decode()
    assert response.status_code == 200
    assert '<form method="post" class="usa-form" novalidate>' in page
    assert 'data-testid="error-summary"' in page
    assert '<a href="#id_new_password2">New password confirmation: The two password fields didn’t match.</a>' in page
    assert '<button type="submit" class="usa-button">Set the password</button>' in page
    user.refresh_from_db()
    assert user.has_usable_password() is False
