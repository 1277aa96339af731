"""HHS amends a rating authorization's validity or conditions: a signed new version, the placing
party told, and the orders already placed under it unchanged (the notice says so)."""

from __future__ import annotations

import datetime as dt

import pytest

from audit.models import AuditEvent
from dpa_portal.errors import InvalidState, ValidationFailed
from ratings.clock import agency_today
from ratings.constants import NotificationKind
from ratings.constants_authorization import (
    AMENDMENT_LEAVES_ORDERS,
    SIGNATURE_MEANING_AUTHORIZATION_AMENDMENT,
    AuthorizationChange,
)
from ratings.models import Notification, RatedOrderVersion, RatingAuthorization
from ratings.services.authorizations import amendment
from ratings.services.orders import placing
from tests.factories import PASSWORD, otp
from tests.ratings.orders.authorization_changes import placed
from tests.ratings.orders.conftest import flat, pdf_pages
from tests.ratings.refusal_cases_placing import _authorization

REASON = "Deliveries slipped; the program office asked for more time."


def _amend(cast, authorization, capture, **changes):
    with capture(execute=True):
        return amendment.rating_authorization_amend(
            authorization=authorization,
            actor=cast.approver,
            password=PASSWORD,
            otp=otp(cast.approver),
            reason=changes.pop("reason", REASON),
            **changes,
        )


def test_an_amendment_signs_a_new_version_and_leaves_the_placed_orders_as_they_are(
    cast, django_capture_on_commit_callbacks
):
    # given an authorization with orders placed under it
    p = placed(cast, django_capture_on_commit_callbacks)
    old_until = p.authorization.valid_until
    new_until = old_until + dt.timedelta(days=60)
    versions = RatedOrderVersion.objects.count()

    # when HHS extends its validity and replaces its conditions
    amended = _amend(
        cast,
        p.authorization,
        django_capture_on_commit_callbacks,
        valid_until=new_until.isoformat(),
        conditions="Only for the H5N1 lots.",
    )

    # then a new version is signed with what changed and why
    assert (amended.version, amended.change, amended.valid_until) == (2, AuthorizationChange.AMENDED, new_until)
    assert (amended.conditions, amended.meaning) == (
        "Only for the H5N1 lots.",
        SIGNATURE_MEANING_AUTHORIZATION_AMENDMENT,
    )
    assert amended.changes[0] == {
        "what": "Valid until",
        "before": old_until.isoformat(),
        "after": new_until.isoformat(),
    }
    assert amended.changes[1]["what"] == "Conditions" and amended.changes[1]["after"] == "Only for the H5N1 lots."
    # and no order changed
    assert RatedOrderVersion.objects.count() == versions
    # and the placing party is told the orders stay as they are
    told = Notification.objects.get(kind=NotificationKind.AUTHORIZATION_CHANGED, recipient=cast.signer)
    assert "HHS amended your rating authorization" in told.subject
    assert AMENDMENT_LEAVES_ORDERS in told.body_text and REASON in told.body_text
    event = AuditEvent.objects.get(action="rating_authorization.amend")
    assert event.changes["valid_until"] == [old_until.isoformat(), new_until.isoformat()]
    # and the new version prints it
    text = flat("\n".join(pdf_pages(RatingAuthorization.objects.get(pk=amended.pk).document.open("rb").read())))
    assert "Version 2: Validity or conditions amended by HHS" in text
    assert f"Valid until {old_until.isoformat()} {new_until.isoformat()}" in text
    assert f"until {new_until.isoformat()}" in text and "Only for the H5N1 lots." in text


def test_an_expired_authorization_extended_can_be_placed_under_again(cast, django_capture_on_commit_callbacks):
    # given an authorization whose validity ended yesterday
    authorization = _authorization(cast)
    today = agency_today()
    RatingAuthorization.objects.filter(pk=authorization.pk).update(
        valid_from=today - dt.timedelta(days=10), valid_until=today - dt.timedelta(days=1)
    )
    authorization = RatingAuthorization.objects.get(pk=authorization.pk)
    supplier = authorization.supplier_ids()[0]
    po, items = placing.placement_defaults(authorization, supplier)

    def place(a):
        return placing.rated_order_place(
            authorization=a,
            actor=cast.signer,
            supplier_id=supplier,
            po_number=po,
            items=items,
            password=PASSWORD,
            otp=otp(cast.signer),
        )

    with pytest.raises(InvalidState):
        place(authorization)

    # when HHS extends it
    extended = _amend(
        cast, authorization, django_capture_on_commit_callbacks, valid_until=today + dt.timedelta(days=90)
    )

    # then the signer places under it again
    assert place(extended).authorization_id == authorization.pk


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"valid_until": "2001-01-01"}, "valid_until", "cannot end before today"),
        ({"valid_until": "next week"}, "valid_until", "YYYY-MM-DD"),
        ({}, "valid_until", "changes nothing"),
        ({"conditions": "x" * 4001}, "conditions", "at most 4000 characters"),
        ({"conditions": "New.", "reason": " "}, "reason", "Give the reason for the amendment"),
    ],
)
def test_an_amendment_with_bad_input_is_a_field_error_and_changes_nothing(
    cast, django_capture_on_commit_callbacks, changes, field, message
):
    authorization = _authorization(cast)
    events = AuditEvent.objects.count()

    with pytest.raises(ValidationFailed) as refused:
        _amend(cast, authorization, django_capture_on_commit_callbacks, **changes)

    assert refused.value.field == field and message in refused.value.message
    assert RatingAuthorization.objects.get(pk=authorization.pk).version == 1
    assert AuditEvent.objects.count() == events
