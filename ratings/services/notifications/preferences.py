"""Each recipient's choice of how optional notices reach them: at once, in a daily digest, or only
in the app. Notices the rules require (rated orders, decisions, questions, invitations) are not a
choice: they are always e-mailed at once. The portal and the admin share these preferences.
"""

from __future__ import annotations

from collections.abc import Mapping

from dpa_portal.errors import ValidationFailed
from ratings import audit_actions, permissions
from ratings.constants import NOTICE_CATEGORY, OPTIONAL_NOTICE_CATEGORIES, NoticeCategory, NotificationDelivery
from ratings.models import NotificationPreference, User
from ratings.services import transition

SET = transition.Action(audit=audit_actions.NOTIFICATION_PREFERENCES, permission=permissions.own_account_refusal)


def preferences_of(user: User) -> dict[str, str]:
    """Category -> delivery for every optional category (at once unless the user chose otherwise)."""
    chosen = dict(user.notice_preferences.values_list("category", "delivery"))
    return {category: chosen.get(category, NotificationDelivery.IMMEDIATE) for category in OPTIONAL_NOTICE_CATEGORIES}


def delivery_for(recipient: User, kind: str) -> str:
    """How a notice of `kind` reaches `recipient` by e-mail."""
    category = NOTICE_CATEGORY.get(kind)  # type: ignore[call-overload]
    if category is None:
        return NotificationDelivery.IMMEDIATE
    chosen = recipient.notice_preferences.filter(category=category).values_list("delivery", flat=True).first()
    return chosen or NotificationDelivery.IMMEDIATE


def notification_preferences_set(*, user: User, actor: User, choices: Mapping[str, str]) -> User:
    """Store the holder's choices (category -> delivery); audited with what changed."""

    def apply(locked: User) -> transition.Applied:
        unknown = sorted(set(choices) - set(OPTIONAL_NOTICE_CATEGORIES))
        if unknown:
            raise ValidationFailed(f"{', '.join(unknown)}: not a category of optional notices.", field=unknown[0])
        for category, delivery in choices.items():
            if delivery not in NotificationDelivery.values:
                raise ValidationFailed(
                    f"{NoticeCategory(category).label}: choose at once, daily digest or no e-mail.", field=category
                )
        before = preferences_of(locked)
        changes = {c: [before[c], d] for c, d in sorted(choices.items()) if before[c] != d}
        if not changes:
            return transition.Applied(unchanged=True)
        for category, (_, delivery) in changes.items():
            NotificationPreference.objects.update_or_create(
                user=locked, category=category, defaults={"delivery": delivery}
            )
        return transition.Applied(changes=changes)

    return transition.perform(transition.ACCOUNT, SET, target=user, actor=actor, apply=apply)
