"""Fixtures where HHS itself is the customer: HHS's authorized signer, an HHS customer authorization."""

from __future__ import annotations

import datetime as dt

import pytest

from ratings.clock import agency_today
from ratings.constants import Role
from ratings.models import RatingAuthorization, User
from ratings.services.accounts import signers
from ratings.services.authorizations import hhs_customer
from tests.factories import PASSWORD, Cast, member, otp

HHS_CONTRACT = "75A50126C00042"
HHS_SIGNER_DELEGATION = "ASPR contracting delegation 2026-07: signs the rated orders of BARDA contracts"


def designate_hhs_signer(cast: Cast, user: User) -> User:
    signers.authorized_signer_designate(
        user=user,
        actor=cast.hhsadmin,
        organization=cast.hhs,
        delegation=HHS_SIGNER_DELEGATION,
        delegated_on=agency_today() - dt.timedelta(days=30),
    )
    return User.objects.get(pk=user.pk)


@pytest.fixture
def hhs_signer(cast: Cast) -> User:
    """An HHS contracting officer (staff at the agency) designated HHS's authorized signer."""
    return designate_hhs_signer(cast, member(cast.hhs, Role.REVIEWER, first_name="Carla", last_name="Contracting"))


def item(cast: Cast, **overrides: object) -> hhs_customer.CustomerItemInput:
    today = agency_today()
    values: dict[str, object] = {
        "supplier_id": cast.supplier_org.pk,
        "description": "Single-use fill pump",
        "quantity": "40",
        "unit": "each",
        "window_start": today + dt.timedelta(days=30),
        "window_end": today + dt.timedelta(days=90),
        "part_number": "FP-9",
        "ship_to": "Strategic National Stockpile, Site 4",
    }
    values.update(overrides)
    return hhs_customer.CustomerItemInput(**values)  # type: ignore[arg-type]


def customer_authorization(cast: Cast, *, actor: User | None = None, **overrides: object) -> RatingAuthorization:
    official = actor or cast.approver
    kwargs: dict[str, object] = {
        "actor": official,
        "program": cast.program,
        "level": "DO",
        "hhs_contract": HHS_CONTRACT,
        "items": [item(cast)],
        "password": PASSWORD,
        "otp": otp(official),
    }
    kwargs.update(overrides)
    return hhs_customer.hhs_customer_authorization_issue(**kwargs)  # type: ignore[arg-type]
