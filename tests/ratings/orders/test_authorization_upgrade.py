"""HHS upgrades a rating authorization from DO to DX (45 CFR 101.36(a)(1), (b)): a new signed
version at DX, signed by an approving official with DX authority, and an amendment at DX of every
open order placed under it (flow-down orders too). The amendment changes no item, quantity or
date, so it is not a new rated order (101.36(c)): an accepted order stays accepted. Each supplier
must give DX treatment as of the date it receives the change (101.36(b)), printed on it."""

from __future__ import annotations

import pytest

from audit.models import AuditEvent
from dpa_portal.errors import InvalidState, PermissionRefused
from ratings.constants import AmendmentSignificance, DocumentKind, NotificationKind, OrderStatus, RatingLevel
from ratings.constants_authorization import (
    DX_UPGRADE_PREFERENCE,
    SIGNATURE_MEANING_AUTHORIZATION_UPGRADE,
    AuthorizationChange,
)
from ratings.models import Notification, RatingAuthorization
from ratings.models.precedence import precedence_key
from ratings.services.authorizations import changes
from tests.factories import PASSWORD, otp
from tests.ratings.orders.authorization_changes import fresh, placed
from tests.ratings.orders.conftest import flat, pdf_pages

REASON = "The outbreak escalated; the Secretary raised the program's priority."


def _upgrade(cast, authorization, capture, *, actor=None):
    who = actor or cast.secretary
    with capture(execute=True):
        return changes.rating_authorization_upgrade(
            authorization=authorization, actor=who, password=PASSWORD, otp=otp(who), reason=REASON
        )


def test_101_36_b_the_upgrade_signs_a_dx_version_and_amends_every_open_order_to_dx(
    cast, django_capture_on_commit_callbacks
):
    # given an accepted order (extended to a sub-tier supplier) and one awaiting its answer
    p = placed(cast, django_capture_on_commit_callbacks)
    v1 = p.authorization.fingerprint

    # when an approving official with DX authority upgrades the authorization
    upgraded = _upgrade(cast, p.authorization, django_capture_on_commit_callbacks)

    # then the authorization's version 2 is DX, signed under the DX delegation, version 1 kept
    assert (upgraded.version, upgraded.level, upgraded.rating) == (2, RatingLevel.DX, "DX-HR")
    assert (upgraded.change, upgraded.signer, upgraded.meaning) == (
        AuthorizationChange.UPGRADED,
        cast.secretary,
        SIGNATURE_MEANING_AUTHORIZATION_UPGRADE,
    )
    assert "Approving authority: Secretary of HHS" in upgraded.legal_basis
    assert upgraded.prior_versions.get().fingerprint == v1
    # and every open order has an amendment at DX that is not a new rated order (101.36(c))
    expected = {p.first.pk: OrderStatus.ACCEPTED, p.second.pk: OrderStatus.ISSUED, p.sub_tier.pk: OrderStatus.ISSUED}
    for order in (p.first, p.second, p.sub_tier):
        order = fresh(order)
        assert (order.level, order.rating, order.current_version) == (RatingLevel.DX, "DX-HR", 2)
        # the supplier's list ranks it as DX from now on, its dates unchanged
        required = order.versions.get(number=2).earliest_required_date
        assert (required, order.precedence) == (
            order.versions.get(number=1).earliest_required_date,
            precedence_key(RatingLevel.DX, required),
        )
        # an answer already given stands; one still owed is owed on the amendment
        assert order.status == (
            OrderStatus.AMENDED if expected[order.pk] == OrderStatus.ISSUED else OrderStatus.ACCEPTED
        )
        version = order.versions.get(number=2)
        assert (version.kind, version.significance) == (DocumentKind.ORDER, AmendmentSignificance.NOT_SIGNIFICANT)
        assert version.items_snapshot == order.versions.get(number=1).items_snapshot
        assert version.signatures.get().delegation == "Secretary of HHS"
        assert "upgraded by HHS from DO-HR to DX-HR (official action of HHS, 45 CFR 101.36(a)(1))" in (
            version.amendment_reason
        )
    # and each supplier is told (101.36(f)); the authorized party too
    for order, contact in ((p.first, cast.supplier), (p.second, cast.supplier2), (p.sub_tier, p.membrana_contact)):
        assert Notification.objects.filter(
            recipient=contact,
            kind=NotificationKind.ORDER_AMENDED,
            object_id=str(fresh(order).versions.get(number=2).pk),
        ).exists()
    told = Notification.objects.get(kind=NotificationKind.AUTHORIZATION_CHANGED, recipient=cast.signer)
    assert "upgraded your rating authorization to DX-HR" in told.subject and "45 CFR 101.36(b)" in told.body_text
    events = AuditEvent.objects.filter(action__in=["rating_authorization.upgrade", "rated_order.amend"]).order_by("pk")
    assert [e.action for e in events] == ["rated_order.amend"] * 3 + ["rating_authorization.upgrade"]
    assert events.last().changes == {"level": ["DO", "DX"], "rating": ["DO-HR", "DX-HR"]}


def test_101_36_b_the_amendment_prints_the_dx_rating_and_preferential_treatment_from_receipt(
    cast, django_capture_on_commit_callbacks
):
    p = placed(cast, django_capture_on_commit_callbacks)

    _upgrade(cast, p.authorization, django_capture_on_commit_callbacks)

    version = fresh(p.first).versions.get(number=2)
    text = flat("\n".join(pdf_pages(version.documents.get().file.open("rb").read())))
    assert "DX-HR" in text
    assert flat(DX_UPGRADE_PREFERENCE) in text
    assert "All Priority rating DO-HR DX-HR" in text


def test_the_upgraded_authorization_prints_its_dx_version_and_why(cast, django_capture_on_commit_callbacks):
    p = placed(cast, django_capture_on_commit_callbacks)

    upgraded = RatingAuthorization.objects.get(
        pk=_upgrade(cast, p.authorization, django_capture_on_commit_callbacks).pk
    )

    text = flat("\n".join(pdf_pages(upgraded.document.open("rb").read())))
    assert f"Rating authorization {upgraded.number} v2" in text
    assert "Status: Active" in text
    assert "Version 2: Rating upgraded from DO to DX by HHS" in text
    assert f"Reason: {REASON}" in text and "Priority rating DO-HR DX-HR" in text
    assert "Signed by Sara Secretary" in text


def test_an_approving_official_with_do_authority_cannot_upgrade_to_dx(cast, django_capture_on_commit_callbacks):
    p = placed(cast, django_capture_on_commit_callbacks)

    with pytest.raises(PermissionRefused) as refused:
        _upgrade(cast, p.authorization, django_capture_on_commit_callbacks, actor=cast.approver)

    assert "needs an approving official with DX authority; yours is DO" in refused.value.message
    assert fresh(p.first).rating == "DO-HR"


def test_a_dx_authorization_is_not_upgraded_again(cast, django_capture_on_commit_callbacks):
    p = placed(cast, django_capture_on_commit_callbacks)
    upgraded = _upgrade(cast, p.authorization, django_capture_on_commit_callbacks)

    with pytest.raises(InvalidState) as refused:
        _upgrade(cast, upgraded, django_capture_on_commit_callbacks)

    assert "is already DX-HR" in refused.value.message
    assert RatingAuthorization.objects.get(pk=upgraded.pk).version == 2
