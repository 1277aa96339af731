"""Where HHS itself is the customer, HHS places the order the same way (45 CFR 101.32(a)(3),
101.30): an approving official signs HHS's customer authorization; HHS's authorized signer
places and signs the rated order through the one placing service; the signer of the
authorization never signs an order under it (NIST AC-5)."""

from __future__ import annotations

import datetime as dt

import pytest

from audit.models import AuditEvent
from dpa_portal.errors import PermissionRefused, ValidationFailed
from ratings.clock import agency_today
from ratings.constants import RATED_ORDER_CERTIFICATION, SIGNATURE_MEANING_PLACEMENT, NotificationKind, Role
from ratings.models import Notification, RatedOrder, RatingAuthorization
from ratings.services.accounts import signers
from ratings.services.items import DeliveryInput
from ratings.services.orders import placing
from tests.factories import PASSWORD, member, otp
from tests.ratings.hhs_customer.conftest import (
    HHS_CONTRACT,
    HHS_SIGNER_DELEGATION,
    customer_authorization,
    designate_hhs_signer,
    item,
)
from tests.ratings.orders.conftest import flat, pdf_pages


def _place(authorization, actor, *, quantity=None, day=None, password=PASSWORD):
    supplier_id = authorization.supplier_ids()[0]
    po, defaults = placing.placement_defaults(authorization, supplier_id)
    if quantity is not None or day is not None:
        first = defaults[0]
        defaults = [
            placing.PlacedItemInput(
                position=first.position,
                quantity=first.quantity if quantity is None else quantity,
                deliveries=first.deliveries if day is None else [DeliveryInput(day)],
            )
        ]
    return placing.rated_order_place(
        authorization=authorization,
        actor=actor,
        supplier_id=supplier_id,
        po_number=po,
        items=defaults,
        password=password,
        otp=otp(actor),
    )


def _state(authorization):
    return (
        RatingAuthorization.objects.filter(pk=authorization.pk).values_list("status", "version").get(),
        RatedOrder.objects.count(),
        Notification.objects.count(),
    )


def _events_since(start):
    return list(AuditEvent.objects.filter(sequence__gt=start or 0).order_by("sequence"))


def _last_sequence():
    return AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first()


def test_101_32_a_3_hhs_customer_authorization_then_hhs_signer_places_the_order_end_to_end(
    cast, hhs_signer, django_capture_on_commit_callbacks
):
    """The approving official signs HHS's customer authorization (no request: HHS's contract is
    the basis); HHS's authorized signer places the order under it; the supplier is told and its
    answer clock starts on receipt, as for any rated order."""
    # when the approving official signs the customer authorization
    start = _last_sequence()
    with django_capture_on_commit_callbacks(execute=True):
        authorization = customer_authorization(cast)
    authorization.refresh_from_db()

    # then: HHS is the authorized party, the contract the basis, signed and sealed
    assert authorization.rating_request_id is None
    assert (authorization.hhs_contract, authorization.authorized_party_id) == (HHS_CONTRACT, cast.hhs.pk)
    assert (authorization.rating, authorization.signer_id, authorization.generation_status) == (
        "DO-HR",
        cast.approver.pk,
        "generated",
    )
    assert authorization.is_hhs_customer and authorization.basis_reference == f"HHS contract {HHS_CONTRACT}"
    issued = [e for e in _events_since(start) if e.action == "rating_authorization.issue_hhs_customer"]
    assert [(e.outcome, e.reference, e.data["hhs_contract"]) for e in issued] == [
        ("success", authorization.number, HHS_CONTRACT)
    ]
    text = flat("\n".join(pdf_pages(authorization.document.open("rb").read())))
    assert f"HHS contract {HHS_CONTRACT}" in text
    assert "Authorized party HHS ASPR" in text
    assert authorization.fingerprint in text

    # when HHS's authorized signer places the order
    start = _last_sequence()
    with django_capture_on_commit_callbacks(execute=True):
        order = _place(authorization, hhs_signer)

    # then: HHS places, as the customer, under the authorization; audited once as a placement
    order = RatedOrder.objects.get(pk=order.pk)
    assert (order.placing_organization_id, order.source_request_id, order.authorization_id) == (
        cast.hhs.pk,
        None,
        authorization.pk,
    )
    assert (order.supplier_id, order.rating, order.status) == (cast.supplier_org.pk, "DO-HR", "issued")
    placed = [e for e in _events_since(start) if e.action == "rated_order.place"]
    assert [(e.outcome, e.reference, e.actor_id) for e in placed] == [("success", order.order_number, hhs_signer.pk)]
    version = order.versions.get()
    assert version.items_snapshot[0]["po_number"] == HHS_CONTRACT
    # the supplier's contact is told the same way, and the clock starts on receipt
    notice = Notification.objects.get(recipient=cast.supplier, kind=NotificationKind.ORDER_ISSUED)
    assert notice.status == "sent"
    version.refresh_from_db()
    assert version.received_at is not None and version.response_due_at is not None


def test_101_32_the_hhs_order_document_shows_hhs_as_customer_signed_by_hhs_signer(
    cast, hhs_signer, django_capture_on_commit_callbacks
):
    """45 CFR 101.32(a)(1)-(4): rating, required date, HHS's authorized signer's signature for HHS,
    the certification; HHS as placing party and customer; the authorization number."""
    with django_capture_on_commit_callbacks(execute=True):
        authorization = customer_authorization(cast)
        order = _place(authorization, hhs_signer)
    version = RatedOrder.objects.get(pk=order.pk).versions.get()
    text = flat("\n".join(pdf_pages(version.documents.get().file.open("rb").read())))

    assert "DO-HR" in text
    assert version.items_snapshot[0]["required_dates"][0]["date"] in text
    assert f"HHS contract {HHS_CONTRACT}" in text
    assert f"Placed by HHS ASPR under rating authorization {authorization.number}" in text
    assert "Placing organization (customer) Supplier HHS ASPR" in text
    assert "For HHS ASPR, by its authorized signer Signed by Carla Contracting" in text
    assert f"Meaning: {SIGNATURE_MEANING_PLACEMENT}" in text
    assert HHS_SIGNER_DELEGATION in text
    assert flat(RATED_ORDER_CERTIFICATION) in text
    assert "Filtra Corp" in text


@pytest.mark.parametrize("who", ["official", "not_a_signer", "manufacturer_signer", "auditor", "hhsadmin"])
def test_101_32_a_3_only_hhs_signer_other_than_the_official_places_refused_audited_nothing_changes(
    cast, hhs_signer, who
):
    """The official who signed the customer authorization cannot also sign the order under it
    (separation of duties), even when designated HHS's signer; nobody else but HHS's signers places."""
    authorization = customer_authorization(cast)
    if who == "official":
        actor = designate_hhs_signer(cast, cast.approver)
    else:
        actor = {
            "not_a_signer": cast.reviewer,
            "manufacturer_signer": cast.signer,
            "auditor": cast.auditor,
            "hhsadmin": cast.hhsadmin,
        }[who]
    before, start = _state(authorization), _last_sequence()

    with pytest.raises(PermissionRefused) as refused:
        _place(authorization, actor)

    events = _events_since(start)
    assert [(e.action, e.outcome, e.reference, e.actor_id) for e in events] == [
        ("rated_order.place", "denied", authorization.number, actor.pk)
    ]
    assert events[0].reason == refused.value.message
    if who == "official":
        assert "separation of duties" in refused.value.message
    assert _state(authorization) == before


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("past_date", "is in the past; give a date from"),
        ("over_quantity", "more than the authorization allows"),
        ("outside_window", "outside the authorized delivery window"),
    ],
)
def test_101_32_a_2_hhs_orders_keep_the_same_checks_nothing_changes(cast, hhs_signer, case, message):
    """No past date (101.32(a)(2)), nothing over the authorized quantity or outside the window."""
    authorization = customer_authorization(cast)
    before, start = _state(authorization), _last_sequence()
    kwargs = {
        "past_date": {"day": agency_today() - dt.timedelta(days=1)},
        "over_quantity": {"quantity": "41"},
        "outside_window": {"day": agency_today() + dt.timedelta(days=91)},
    }[case]
    with pytest.raises(ValidationFailed) as failed:
        _place(authorization, hhs_signer, **kwargs)
    assert message in failed.value.message
    # invalid input is no refusal: it leaves no trace (docs/architecture.md "Errors")
    assert _events_since(start) == []
    assert _state(authorization) == before


def test_a_wrong_password_signs_no_hhs_order(cast, hhs_signer):
    authorization = customer_authorization(cast)
    before = _state(authorization)
    with pytest.raises(PermissionRefused, match="password"):
        _place(authorization, hhs_signer, password="not it")
    assert _state(authorization) == before


@pytest.mark.parametrize("who", ["reviewer", "signer", "hhsadmin", "auditor", "no_dx_authority"])
def test_only_an_approving_official_with_authority_for_the_level_signs_a_customer_authorization(cast, who):
    """45 CFR 101.30: HHS holds the authority; ASPR approves DO, the Secretary DX."""
    actor = {
        "reviewer": cast.reviewer,
        "signer": cast.signer,
        "hhsadmin": cast.hhsadmin,
        "auditor": cast.auditor,
        "no_dx_authority": cast.approver,
    }[who]
    before, start = (RatingAuthorization.objects.count(), Notification.objects.count()), _last_sequence()
    with pytest.raises(PermissionRefused) as refused:
        customer_authorization(cast, actor=actor, level="DX" if who == "no_dx_authority" else "DO")
    events = _events_since(start)
    assert [(e.action, e.outcome, e.actor_id) for e in events] == [
        ("rating_authorization.issue_hhs_customer", "denied", actor.pk)
    ]
    assert events[0].reason == refused.value.message
    assert (RatingAuthorization.objects.count(), Notification.objects.count()) == before


def test_a_customer_authorization_signature_rechecks_the_second_factor(cast):
    """21 CFR 11.200: password and a fresh authenticator code; a wrong code signs nothing."""
    start = _last_sequence()
    with pytest.raises(PermissionRefused):
        customer_authorization(cast, otp="000000")
    events = _events_since(start)
    assert [(e.action, e.outcome) for e in events] == [("rating_authorization.issue_hhs_customer", "denied")]
    assert RatingAuthorization.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"hhs_contract": "  "}, "hhs_contract"),
        ({"items": []}, "items"),
        ({"window_start": "past"}, "items[1].deliveries[1].required_date"),
        ({"supplier": "agency"}, "items[1].supplier"),
        ({"level": "DZ"}, "level"),
    ],
)
def test_bad_customer_authorization_input_is_a_field_error_and_leaves_no_trace(cast, overrides, field):
    if "window_start" in overrides:
        overrides = {"items": [item(cast, window_start=agency_today() - dt.timedelta(days=1))]}
    if "supplier" in overrides:
        overrides = {"items": [item(cast, supplier_id=cast.hhs.pk)]}
    start = _last_sequence()
    with pytest.raises(ValidationFailed) as failed:
        customer_authorization(cast, **overrides)
    assert failed.value.field == field
    assert _events_since(start) == []
    assert RatingAuthorization.objects.count() == 0


def test_hhs_signers_are_designated_by_an_hhs_administrator_only(cast):
    """Refusals: an organization's own administrator (not HHS), oneself; auditors never sign."""
    staff = member(cast.hhs, Role.REVIEWER)
    for actor, target in [(cast.approver, staff), (cast.hhsadmin, cast.auditor)]:
        with pytest.raises(PermissionRefused):
            signers.authorized_signer_designate(
                user=target, actor=actor, organization=cast.hhs, delegation="x", delegated_on=agency_today()
            )
    assert not staff.memberships.filter(role=Role.AUTHORIZED_SIGNER).exists()
    assert not cast.auditor.memberships.filter(role=Role.AUTHORIZED_SIGNER).exists()
