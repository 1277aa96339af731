"""Placing a rated order under a rating authorization: only the authorized party's authorized
signer may (45 CFR 101.32(a)(3)), only within what HHS authorized, never with a past date
(45 CFR 101.32(a)(2)); the document carries every element of 45 CFR 101.32."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from dpa_portal.errors import InvalidState, PermissionRefused, ValidationFailed
from ratings.constants import (
    CONFIDENTIALITY_LEGEND,
    RATED_ORDER_CERTIFICATION,
    SIGNATURE_MEANING_PLACEMENT,
    RatingLevel,
    RequestState,
    Role,
)
from ratings.constants_authorization import AuthorizationStatus
from ratings.models import Notification, RatedOrder, RatingAuthorization, RatingRequest
from ratings.services.items import DeliveryInput
from ratings.services.orders import placing
from ratings.services.requests import drafts, workflow
from tests.factories import (
    CHECKLIST_ALL_TRUE,
    PASSWORD,
    SIGNER_DELEGATION,
    draft_request,
    line_item,
    member,
    otp,
    request_in_state,
)
from tests.ratings.orders.conftest import flat, pdf_pages


def _authorized(cast, django_capture_on_commit_callbacks=None, **kwargs) -> RatingAuthorization:
    rr = request_in_state(cast, RequestState.RECOMMENDED, **kwargs)
    official = cast.secretary if kwargs.get("level") == RatingLevel.DX else cast.approver
    if django_capture_on_commit_callbacks is None:
        rr = workflow.rating_request_approve(rating_request=rr, actor=official, password=PASSWORD, otp=otp(official))
    else:
        with django_capture_on_commit_callbacks(execute=True):
            rr = workflow.rating_request_approve(
                rating_request=rr, actor=official, password=PASSWORD, otp=otp(official)
            )
    return RatingAuthorization.objects.get(rating_request=rr)


def _place(authorization, actor, *, items=None, po="ACME-PO-77", supplier=None, password=PASSWORD):
    supplier_id = supplier or authorization.supplier_ids()[0]
    _, defaults = placing.placement_defaults(authorization, supplier_id)
    return placing.rated_order_place(
        authorization=authorization,
        actor=actor,
        supplier_id=supplier_id,
        po_number=po,
        items=defaults if items is None else items,
        password=password,
        otp=otp(actor),
    )


def _snapshot(authorization):
    return (
        RatingAuthorization.objects.filter(pk=authorization.pk).values_list("status", "version").get(),
        RatingRequest.objects.get(pk=authorization.rating_request_id).state,
        RatedOrder.objects.count(),
        Notification.objects.count(),
    )


@pytest.mark.parametrize("who", ["applicant", "approver", "supplier", "other_signer", "auditor"])
def test_only_the_authorized_partys_signer_may_place_the_refusal_is_audited_and_nothing_changes(cast, who):
    """45 CFR 101.32(a)(3): an individual authorized to sign rated orders for the person placing the order."""
    # given an authorization for Acme, and someone who is not Acme's authorized signer
    authorization = _authorized(cast)
    actor = {
        "applicant": cast.applicant,  # Acme's applicant, without the signer role
        "approver": cast.approver,
        "supplier": cast.supplier,
        "other_signer": member(cast.manufacturer2, Role.AUTHORIZED_SIGNER),
        "auditor": cast.auditor,
    }[who]
    before = _snapshot(authorization)
    start = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first()

    # when
    with pytest.raises(PermissionRefused) as refused:
        _place(authorization, actor)

    # then: one denied event naming the authorization; no order, no notice, nothing else
    events = list(AuditEvent.objects.filter(sequence__gt=start))
    assert [(e.action, e.outcome, e.reference, e.actor_id) for e in events] == [
        ("rated_order.place", "denied", authorization.number, actor.pk)
    ]
    assert events[0].reason == refused.value.message
    assert _snapshot(authorization) == before


def test_a_wrong_password_signs_nothing(cast):
    authorization = _authorized(cast)
    before = _snapshot(authorization)
    with pytest.raises(PermissionRefused, match="password"):
        _place(authorization, cast.signer, password="not it")
    assert _snapshot(authorization) == before


def test_a_revoked_signer_role_no_longer_places(cast):
    authorization = _authorized(cast)
    cast.signer.memberships.filter(role=Role.AUTHORIZED_SIGNER).update(is_active=False)
    with pytest.raises(PermissionRefused, match="authorized signer"):
        _place(authorization, cast.signer)
    assert RatedOrder.objects.count() == 0


def test_nothing_is_placed_under_a_revoked_authorization(cast):
    authorization = _authorized(cast)
    RatingAuthorization.objects.filter(pk=authorization.pk).update(status=AuthorizationStatus.REVOKED)
    with pytest.raises(InvalidState, match="revoked"):
        _place(authorization, cast.signer)
    assert RatedOrder.objects.count() == 0


def test_one_order_per_supplier(cast):
    authorization = _authorized(cast)
    first = _place(authorization, cast.signer)
    with pytest.raises(ValidationFailed) as error:
        _place(authorization, cast.signer)
    assert error.value.field == "supplier"
    assert first.order_number in error.value.message
    assert RatedOrder.objects.count() == 1


def _item(position=1, quantity="10", dates=None, ship_to=None):
    due = timezone.localdate() + dt.timedelta(days=30)
    return placing.PlacedItemInput(
        position=position,
        quantity=quantity,
        deliveries=[DeliveryInput(*d) if isinstance(d, tuple) else DeliveryInput(d) for d in (dates or [due])],
        ship_to=ship_to,
    )


@pytest.mark.parametrize(
    ("make_item", "field", "message"),
    [
        (lambda: _item(quantity="11"), "items[1].quantity", "more than the authorization allows (10 each)"),
        (lambda: _item(position=2), "items", "Item 2 is not an item the authorization lists"),
        (
            lambda: _item(dates=[timezone.localdate() + dt.timedelta(days=31)]),
            "items[1].deliveries[1].required_date",
            "outside the authorized delivery window",
        ),
        (
            lambda: _item(dates=[timezone.localdate() - dt.timedelta(days=1)]),
            "items[1].deliveries[1].required_date",
            "is in the past",
        ),
        (
            lambda: _item(dates=[(timezone.localdate() + dt.timedelta(days=30), "4")]),
            "items[1].deliveries",
            "add up to 4, not the 10 ordered",
        ),
    ],
)
def test_an_order_stays_within_the_authorization(cast, make_item, field, message):
    """No more than authorized, only authorized items and windows, no required date in the past (101.32(a)(2))."""
    item = make_item()  # dates from today when the test runs, not when it was collected (midnight)
    authorization = _authorized(cast)
    before = _snapshot(authorization)
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as error:
        _place(authorization, cast.signer, items=[item])
    assert error.value.field == field
    assert message in error.value.message
    assert _snapshot(authorization) == before
    assert AuditEvent.objects.count() == events


def test_a_smaller_order_with_split_deliveries_and_its_own_po(cast):
    # given an item authorized over a window of two dates
    first_day = timezone.localdate() + dt.timedelta(days=20)
    last_day = first_day + dt.timedelta(days=30)
    rr = draft_request(cast)
    drafts.rating_request_set_line_items(
        rating_request=rr, actor=cast.applicant, line_items=[line_item(cast.supplier_org, dates=[first_day, last_day])]
    )
    rr = RatingRequest.objects.get(pk=rr.pk)
    authorization = _authorized_from(cast, rr)

    # when the signer orders 8 of the 10, split 3 + 5 over a date inside the window and the last day
    middle = first_day + dt.timedelta(days=10)
    order = _place(
        authorization,
        cast.signer,
        po="ACME-4711",
        items=[_item(quantity="8", dates=[(middle, "3"), (last_day, "5")], ship_to="Acme Fill-Finish, Durham NC")],
    )

    # then
    item = order.versions.get().items_snapshot[0]
    assert (item["po_number"], item["quantity"], item["ship_to"]) == ("ACME-4711", "8", "Acme Fill-Finish, Durham NC")
    assert item["required_dates"] == [
        {"date": middle.isoformat(), "quantity": "3"},
        {"date": last_day.isoformat(), "quantity": "5"},
    ]
    assert order.versions.get().earliest_required_date == middle


def _authorized_from(cast, rr):
    rr = workflow.rating_request_submit(
        rating_request=rr, actor=cast.applicant, attestation=workflow.Attestation(cast.applicant.printed_name, True)
    )
    rr = workflow.rating_request_accept_for_review(rating_request=rr, actor=cast.intake, reviewer=cast.reviewer)
    rr = workflow.rating_request_recommend(
        rating_request=rr, actor=cast.reviewer, outcome="approve", rationale="Sound.", checklist=CHECKLIST_ALL_TRUE
    )
    rr = workflow.rating_request_approve(
        rating_request=rr, actor=cast.approver, password=PASSWORD, otp=otp(cast.approver)
    )
    return RatingAuthorization.objects.get(rating_request=rr)


def test_the_placed_order_document_holds_every_element_of_101_32(cast, django_capture_on_commit_callbacks):
    """45 CFR 101.32(a)(1)-(4) and (c): the rating, each required date, the placing party's
    authorized signer's signature, the certification, the emergency statement; the authorization
    number; and not HHS's approving official as signer, nor an "issuing office"."""
    # given an emergency authorization and the order Acme's signer places under it
    authorization = _authorized(
        cast, django_capture_on_commit_callbacks, is_emergency=True, emergency_response_hours=48
    )
    with django_capture_on_commit_callbacks(execute=True):
        order = _place(authorization, cast.signer)
    version = order.versions.get()

    # when
    text = flat("\n".join(pdf_pages(version.documents.get().file.open("rb").read())))

    # then: (a)(1) the rating; (a)(2) every required date
    assert "DO-HR" in text
    for item in version.items_snapshot:
        for due in item["required_dates"]:
            assert due["date"] in text
    # (a)(3) the signature of Acme's authorized signer, for Acme, with the delegation
    signed = version.issued_at.astimezone(ZoneInfo("America/New_York")).strftime("%Y-%m-%d %H:%M:%S %Z")
    assert (
        f"For Acme Vaccines, by its authorized signer Signed by Sam Signer, Vice President, Supply Chain "
        f"Date and time: {signed}"
    ) in text
    assert f"Meaning: {SIGNATURE_MEANING_PLACEMENT}" in text
    assert SIGNER_DELEGATION in text
    # (a)(4) the certification, verbatim
    assert flat(RATED_ORDER_CERTIFICATION) in text
    # (c) the emergency limit
    assert "within 48 hours" in text
    # the authorization it was placed under, the parties, the legend, the PO
    assert f"Placed by Acme Vaccines under rating authorization {authorization.number}" in text
    assert "Filtra Corp" in text and "ACME-PO-77" in text
    assert flat(CONFIDENTIALITY_LEGEND) in text
    # and not: HHS's official as signer, an "issuing office"
    assert "Omar Official" not in text
    assert "Issuing office" not in text
