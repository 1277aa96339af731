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
