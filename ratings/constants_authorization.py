"""Choices and printed text of the rating authorization (ratings.models.authorizations); kept apart
from ratings.constants only to keep each module readable."""

from __future__ import annotations

from django.db import models


class AuthorizationStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    REVOKED = "revoked", "Revoked"


# Printed on every rating authorization: what it is and what it is not (45 CFR 101.32(a)(3)).
AUTHORIZATION_CONDITIONS = (
    "Rated orders may be placed under this authorization only by an authorized signer of the authorized party, "
    "only with the suppliers listed, for the items listed, up to the quantities listed and with required "
    "delivery dates within the windows listed, until the end of the validity period. Each rated order is "
    "placed and signed by the authorized party and carries this authorization's number. This authorization "
    "is not itself a rated order."
)


class AuthorizationChange(models.TextChoices):
    """What a version of the authorization is: the original, or a change HHS signed."""

    ORIGINAL = "original", "Original authorization"
    REVOKED = "revoked", "Revoked by HHS"
    UPGRADED = "upgraded", "Rating upgraded from DO to DX by HHS"
    AMENDED = "amended", "Validity or conditions amended by HHS"


SIGNATURE_MEANING_AUTHORIZATION_REVOCATION = (
    "Revoked: withdraws the authorization and cancels the rated orders placed under it"
)
SIGNATURE_MEANING_AUTHORIZATION_UPGRADE = "Upgraded: raises the authorized priority rating from DO to DX"
SIGNATURE_MEANING_AUTHORIZATION_AMENDMENT = "Amended: changes the validity period or conditions of the authorization"

# Why HHS's own change reaches the orders: 45 CFR 101.36(a)(1) (an official action of HHS).
REVOCATION_ORDER_REASON = (
    "Rating authorization {number} was revoked by HHS (official action of HHS, 45 CFR 101.36(a)(1)), "
    "so this rated order placed under it is cancelled: {reason}"
)
UPGRADE_ORDER_REASON = (
    "Rating authorization {number} was upgraded by HHS from {before} to {after} (official action of HHS, "
    "45 CFR 101.36(a)(1)): {reason}"
)
# Printed on an order's amendment that raises its rating from DO to DX (45 CFR 101.36(b)).
DX_UPGRADE_PREFERENCE = (
    "The priority rating of this order is changed from a DO rating to a DX rating. The supplier must give the "
    "order the preferential treatment of a DX-rated order as of the date this change is received "
    "(45 CFR 101.36(b)). The change alters no item, quantity or delivery date, so it is not a new rated order "
    "(45 CFR 101.36(c)); an answer already given stands."
)
UPGRADE_BASIS = (
    "priority rating changed from DO to DX only: no item, quantity or delivery date altered (45 CFR 101.36(b)-(c))"
)
# Told to the authorized party when HHS amends validity or conditions.
AMENDMENT_LEAVES_ORDERS = (
    "Rated orders already placed under this authorization are not changed by this amendment; they stay as "
    "signed and placed."
)
# The "what" of an order's change row when HHS raises its rating (ratings.documents.sections prints
# DX_UPGRADE_PREFERENCE beside it).
RATING_CHANGE = "Priority rating"
