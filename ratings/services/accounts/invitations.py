"""Supplier contacts get accounts by invitation: no password until they choose one.

The set-password link carries a token with Django's PasswordResetTokenGenerator semantics
(HMAC over the user's id, password hash, last login and a timestamp): it stops working once a
password is set (used link) and after settings.INVITATION_VALID_DAYS (expired link).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_decode, urlsafe_base64_encode

from audit import services as audit
from dpa_portal.errors import ValidationFailed
from ratings import audit_actions, permissions
from ratings.constants import NotificationKind, OrganizationKind, Role
from ratings.models import Membership, Notification, Organization, User
from ratings.services import transition
from ratings.services.notifications.outbox import notify


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "ratings.services.accounts.invitations.InvitationTokenGenerator"

    def check_token(self, user: User | None, token: str | None) -> bool:
        """As Django's check, but valid for INVITATION_VALID_DAYS instead of PASSWORD_RESET_TIMEOUT."""
        if not (user and token):
            return False
        try:
            ts_b36, _ = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        for secret in [self.secret, *self.secret_fallbacks]:
            if constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token):
                break
        else:
            return False
        age = self._num_seconds(self._now()) - ts
        return 0 <= age <= settings.INVITATION_VALID_DAYS * 24 * 3600


invitation_tokens = InvitationTokenGenerator()


def invitation_path(user: User, generator: InvitationTokenGenerator = invitation_tokens) -> str:
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("invitation-accept", args=[uidb64, generator.make_token(user)])


def supplier_contact_invite(
    *,
    organization: Organization,
    email: str,
    first_name: str,
    last_name: str,
    actor: User,
    manages_contacts: bool = False,
) -> User:
    """Create an account without a password for a supplier's contact and send the invitation
    (`manages_contacts`: the supplier's contact administrator, who invites colleagues)."""

    def apply() -> User:
        address = (email or "").strip().lower()
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationFailed("Enter a valid e-mail address for the contact.", field="email") from None
        if not (first_name or "").strip() or not (last_name or "").strip():
            raise ValidationFailed("Give the contact's first and last name.", field="last_name")
        if organization.kind != OrganizationKind.SUPPLIER or not organization.is_active:
            raise ValidationFailed(
                f"{organization.legal_name} is not an active supplier organization.", field="organization"
            )
        if User.objects.filter(Q(email__iexact=address) | Q(username__iexact=address)).exists():
            raise ValidationFailed(f"An account for {address} already exists.", field="email")
        user = User(username=address, email=address, first_name=first_name.strip(), last_name=last_name.strip())
        user.set_unusable_password()
        user.save()
        membership = Membership.objects.create(
            user=user, organization=organization, role=Role.SUPPLIER_CONTACT, manages_contacts=manages_contacts
        )
        audit.record(
            action=audit_actions.CONTACT_INVITE,
            actor=actor,
            target=user,
            organization_id=organization.pk,
            data={
                "membership_id": membership.pk,
                "role": Role.SUPPLIER_CONTACT,
                "email": address,
                "manages_contacts": manages_contacts,
            },
        )
        send_invitation(user, membership, key=f"invitation:user{user.pk}:membership{membership.pk}")
        return user

    return transition.perform_create(
        audit_actions.CONTACT_INVITE,
        actor=actor,
        refusal=permissions.invitation_refusal(organization, actor),
        target=organization,
        organization_id=organization.pk,
        apply=apply,
    )


REINVITE = transition.Action(audit=audit_actions.CONTACT_REINVITE, permission=permissions.invitation_refusal)


def supplier_contact_reinvite(*, user: User, actor: User) -> User:
    """Send a fresh link to a supplier contact who has not chosen a password yet."""

    def apply(locked: User) -> transition.Applied:
        membership = Membership.objects.filter(user=locked, role=Role.SUPPLIER_CONTACT, is_active=True).first()
        if membership is None or locked.has_usable_password() or not locked.is_active:
            raise ValidationFailed(f"{locked.get_username()} is not a supplier contact waiting for an invitation.")
        sequence = Notification.objects.filter(recipient=locked, kind=NotificationKind.INVITATION).count() + 1
        send_invitation(locked, membership, key=f"invitation:user{locked.pk}:membership{membership.pk}:{sequence}")
        return transition.Applied(organization_id=membership.organization_id, data={"invitation": sequence})

    return transition.perform(transition.ACCOUNT, REINVITE, target=user, actor=actor, apply=apply)


def send_invitation(user: User, membership: Membership, *, key: str) -> None:
    """The set-password link (inside the caller's transaction)."""
    notify(
        recipient=user,
        kind=NotificationKind.INVITATION,
        subject="Your account on the DPA Priority Rating Portal",
        template="invitation",
        context={"organization": membership.organization, "valid_days": settings.INVITATION_VALID_DAYS},
        key=key,
        target=user,
        link=invitation_path(user),
    )


def invitation_user(uidb64: str, token: str) -> User | None:
    """The invited user if the link is valid (not expired, not used), else None."""
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (TypeError, ValueError, OverflowError, UnicodeDecodeError):
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or not invitation_tokens.check_token(user, token):
        return None
    return user


def invitation_accept(*, user: User, token: str, password: str) -> User:
    """Set the invited contact's first password; the link stops working (token includes the hash).

    The token is the credential: an expired or used link is a refusal, audited like any other.
    """

    def token_refusal(locked: User, _actor: User) -> str | None:
        if invitation_tokens.check_token(locked, token):
            return None
        return "This invitation link has expired or was already used. Ask HHS for a new one."

    def apply(locked: User) -> transition.Applied:
        try:
            validate_password(password, locked)
        except ValidationError as error:
            raise ValidationFailed(" ".join(error.messages), field="new_password1") from None
        locked.set_password(password)
        return transition.Applied(changes={})

    accept = transition.Action(audit=audit_actions.CONTACT_INVITATION_ACCEPTED, permission=token_refusal)
    return transition.perform(transition.ACCOUNT, accept, target=user, actor=user, apply=apply)
