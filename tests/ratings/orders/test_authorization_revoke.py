"""HHS revokes a rating authorization (45 CFR 101.36(a)(1)): a signed new version, no further
placing, and every open order placed under it, flow-down orders included, cancelled by HHS with
a signed cancellation notice to each supplier (101.36(f)) and word to the placing party."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.constants import Outcome
from audit.models import AuditEvent
from dpa_portal.errors import InvalidState, PermissionRefused, ValidationFailed
from ratings.constants import (
    SIGNATURE_MEANING_CANCELLATION,
    DocumentKind,
    NotificationKind,
    OrderStatus,
)
from ratings.constants_authorization import (
    SIGNATURE_MEANING_AUTHORIZATION_REVOCATION,
    AuthorizationChange,
    AuthorizationStatus,
)
from ratings.models import Notification, RatedOrder, RatingAuthorization
from ratings.services.authorizations import changes
from ratings.services.orders import placing
from tests.factories import PASSWORD, otp
from tests.ratings.orders.authorization_changes import fresh, placed
from tests.ratings.orders.conftest import flat, pdf_pages

REASON = "The program's emergency ended; the need no longer exists."


def _revoke(cast, authorization, capture, *, actor=None, reason=REASON):
    who = actor or cast.approver
    with capture(execute=True):
        return changes.rating_authorization_revoke(
            authorization=authorization, actor=who, password=PASSWORD, otp=otp(who), reason=reason
        )


def test_101_36_a_1_revocation_cancels_every_open_order_placed_under_it_and_its_flow_down(
    cast, django_capture_on_commit_callbacks
):
    """45 CFR 101.36(a)(1), (f): an official action of HHS cancels each order, and every supplier
    (the sub-tier supplier too) gets its own signed cancellation notice."""
    # given two placed orders, the first accepted and extended to a sub-tier supplier
    p = placed(cast, django_capture_on_commit_callbacks)
    v1_fingerprint = p.authorization.fingerprint

    # when an approving official revokes the authorization
    revoked = _revoke(cast, p.authorization, django_capture_on_commit_callbacks)

    # then the authorization is revoked in a new signed version, the first one kept
    assert (revoked.status, revoked.version, revoked.change) == (
        AuthorizationStatus.REVOKED,
        2,
        AuthorizationChange.REVOKED,
    )
    assert revoked.revoked_at is not None and revoked.change_reason == REASON
    assert (revoked.signer, revoked.meaning) == (cast.approver, SIGNATURE_MEANING_AUTHORIZATION_REVOCATION)
    assert revoked.fingerprint != v1_fingerprint
    kept = revoked.prior_versions.get()
    assert (kept.number, kept.fingerprint, kept.status) == (1, v1_fingerprint, AuthorizationStatus.ACTIVE)
    assert "/v1-authorization" in kept.document and kept.document_sha256
    # and every order under it is cancelled with a signed HHS cancellation notice
    for order in (p.first, p.second, p.sub_tier):
        order = fresh(order)
        assert order.status == OrderStatus.CANCELLED
        notice = order.versions.get(number=order.current_version)
        assert notice.kind == DocumentKind.CANCELLATION
        signature = notice.signatures.get()
        assert (signature.signer, signature.meaning) == (cast.approver, SIGNATURE_MEANING_CANCELLATION)
        assert signature.delegation == "ASPR delegation, 87 FR 58363"
        assert f"{revoked.number} was revoked by HHS (official action of HHS, 45 CFR 101.36(a)(1))" in (
            order.cancellation_reason
        )
    # and each supplier's contacts are told in writing (101.36(f))
    for order, contact in ((p.first, cast.supplier), (p.second, cast.supplier2), (p.sub_tier, p.membrana_contact)):
        assert Notification.objects.filter(
            recipient=contact, kind=NotificationKind.ORDER_CANCELLED, object_id=str(fresh(order).versions.last().pk)
        ).exists()
    # and the placing party hears of each order and of the authorization
    assert (
        Notification.objects.filter(recipient=cast.applicant, kind=NotificationKind.PLACED_ORDER_CHANGED).count() == 2
    )
    told = Notification.objects.filter(kind=NotificationKind.AUTHORIZATION_CHANGED)
    assert {n.recipient for n in told} == {cast.applicant, cast.signer}
    body = told.get(recipient=cast.signer).body_text
    assert REASON in body and p.first.order_number in body and p.sub_tier.order_number in body
    assert told.get(recipient=cast.signer).link.endswith(f"/authorizations/{revoked.number}/")
    # and one event for the revocation, one per cancelled order, the revocation last
    events = AuditEvent.objects.filter(action__in=["rating_authorization.revoke", "rated_order.cancel"])
    assert [e.action for e in events.order_by("pk")] == ["rated_order.cancel"] * 3 + ["rating_authorization.revoke"]
    event = events.get(action="rating_authorization.revoke")
    assert (event.outcome, event.reason, event.from_state, event.to_state) == (
        Outcome.SUCCESS,
        REASON,
        "active",
        "revoked",
    )
    assert sorted(event.data["cancelled_orders"]) == sorted(o.order_number for o in (p.first, p.second, p.sub_tier))


def test_101_36_the_revoked_version_prints_its_status_and_what_changed_and_why(
    cast, django_capture_on_commit_callbacks
):
    p = placed(cast, django_capture_on_commit_callbacks)
    v1 = p.authorization.fingerprint

    revoked = RatingAuthorization.objects.get(pk=_revoke(cast, p.authorization, django_capture_on_commit_callbacks).pk)

    text = flat("\n".join(pdf_pages(revoked.document.open("rb").read())))
    assert f"Rating authorization {revoked.number} v2" in text
    assert "Status: Revoked" in text
    assert "Version 2: Revoked by HHS" in text
    assert f"Reason: {REASON}" in text
    assert "Status Active Revoked" in text
    assert f"This version replaces version 1 (fingerprint {v1})." in text
    assert flat(SIGNATURE_MEANING_AUTHORIZATION_REVOCATION) in text
    # the first version's document is still there, as signed
    kept = revoked.prior_versions.get()
    assert "Status: Active" in flat("\n".join(pdf_pages(revoked.document.storage.open(kept.document).read())))


def test_no_order_can_be_placed_under_a_revoked_authorization(cast, django_capture_on_commit_callbacks):
    # given a revoked authorization whose orders were cancelled
    p = placed(cast, django_capture_on_commit_callbacks)
    revoked = _revoke(cast, p.authorization, django_capture_on_commit_callbacks)
    orders = RatedOrder.objects.count()
    po, items = placing.placement_defaults(revoked, cast.supplier_org.pk)

    # when its authorized signer tries to place again with the supplier
    with pytest.raises(InvalidState) as refused:
        placing.rated_order_place(
            authorization=revoked,
            actor=cast.signer,
            supplier_id=cast.supplier_org.pk,
            po_number=po,
            items=items,
            password=PASSWORD,
            otp=otp(cast.signer),
        )

    # then it is refused and nothing is placed
    assert "is revoked; no rated order can be placed under it" in refused.value.message
    assert RatedOrder.objects.count() == orders


def test_the_verification_page_shows_the_revocation_for_every_version(client, cast, django_capture_on_commit_callbacks):
    p = placed(cast, django_capture_on_commit_callbacks)
    v1 = p.authorization.fingerprint
    revoked = _revoke(cast, p.authorization, django_capture_on_commit_callbacks)

    old = client.get(reverse("authorization-verify-link", args=[revoked.number, v1])).content.decode()
    new = client.get(reverse("authorization-verify-link", args=[revoked.number, revoked.fingerprint])).content.decode()

    for page in (old, new):
        assert 'data-testid="revoked"' in page and "Revoked by HHS" in page
        assert "Current status: <strong>revoked</strong>" in page
    assert "This copy is superseded:</strong> HHS signed version 2" in old
    assert 'data-testid="superseded"' not in new


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("reviewer", "Only an HHS approving official"),
        ("signer", "Only an HHS approving official"),
        ("auditor", "Auditors have read-only access"),
    ],
)
def test_only_an_approving_official_revokes(cast, django_capture_on_commit_callbacks, who, message):
    p = placed(cast, django_capture_on_commit_callbacks)
    events, notices = AuditEvent.objects.count(), Notification.objects.count()

    with pytest.raises(PermissionRefused) as refused:
        _revoke(cast, p.authorization, django_capture_on_commit_callbacks, actor=getattr(cast, who))

    assert message in refused.value.message
    assert RatingAuthorization.objects.get(pk=p.authorization.pk).status == AuthorizationStatus.ACTIVE
    assert fresh(p.first).status == OrderStatus.ACCEPTED
    assert AuditEvent.objects.count() == events + 1 and Notification.objects.count() == notices


def test_a_revocation_needs_a_reason_and_changes_nothing_without_one(cast, django_capture_on_commit_callbacks):
    p = placed(cast, django_capture_on_commit_callbacks)
    events = AuditEvent.objects.count()

    with pytest.raises(ValidationFailed) as refused:
        _revoke(cast, p.authorization, django_capture_on_commit_callbacks, reason="  ")

    assert refused.value.field == "reason"
    assert RatingAuthorization.objects.get(pk=p.authorization.pk).version == 1
    assert AuditEvent.objects.count() == events


def test_a_revoked_authorization_cannot_be_revoked_again(cast, django_capture_on_commit_callbacks):
    p = placed(cast, django_capture_on_commit_callbacks)
    revoked = _revoke(cast, p.authorization, django_capture_on_commit_callbacks)

    with pytest.raises(InvalidState) as refused:
        _revoke(cast, revoked, django_capture_on_commit_callbacks)

    assert "is revoked; HHS can no longer change it" in refused.value.message


def test_the_authorized_partys_page_shows_the_revocation_and_offers_no_placing(
    client, cast, django_capture_on_commit_callbacks
):
    p = placed(cast, django_capture_on_commit_callbacks)
    revoked = _revoke(cast, p.authorization, django_capture_on_commit_callbacks)
    client.force_login(cast.signer)

    page = client.get(f"/portal/authorizations/{revoked.number}/").content.decode()

    assert 'data-testid="authorization-revoked"' in page and "the need no longer exists" in page
    assert "2: Revoked by HHS" in page
    assert 'data-testid="place-order"' not in page
