"""15 CFR 700.13(b)-(d) as written: what a rejection must carry, the customer's answer to an
offered date, and which delay notices need a written confirmation. A rejection missing a part
the rule requires is refused with a field error and changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from dpa_portal.errors import PermissionRefused, ValidationFailed
from ratings.clock import delay_confirmation_due
from ratings.constants import NotificationKind, RatingLevel, RejectionReason, SupplierResponseKind
from ratings.demo.accounts import ROLE_GROUP, groups_ensure
from ratings.models import Notification, OfferAcceptance, SupplierResponse
from ratings.services.orders import changes as order_changes
from ratings.services.suppliers import offers
from ratings.services.suppliers import responses as sr
from tests.factories import PASSWORD, line_item, otp
from tests.portal.orders import accepted, issue, issue_with_items, order_snapshot
from tests.ratings.casework import delay_report, later, rejected_with_offer
from tests.ratings.orders.conftest import as_amended


def reject(order, **kwargs):
    values = {"actor": kwargs.pop("actor", None), "explanation": "Line full."} | kwargs
    return sr.rated_order_reject(order=order, **values)


def refused(cast, order, field, **kwargs):
    before = order_snapshot(order)
    with pytest.raises(ValidationFailed) as error:
        reject(order, actor=cast.supplier, **kwargs)
    assert error.value.field == field
    assert order_snapshot(order) == before
    return error.value.message


def test_700_13_b_1_cannot_meet_the_date_needs_the_earliest_date_and_the_offer(cast):
    order = issue(cast)
    refused(cast, order, "earliest_date", reason_code=RejectionReason.CANNOT_MEET_DATE, offers_to_accept=True)
    message = refused(
        cast, order, "offers_to_accept", reason_code=RejectionReason.CANNOT_MEET_DATE, earliest_date=later(90)
    )
    assert "15 CFR 700.13(b)(1)" in message

    order = reject(
        order,
        actor=cast.supplier,
        reason_code=RejectionReason.CANNOT_MEET_DATE,
        earliest_date=later(90),
        offers_to_accept=True,
    )
    answer = order.responses.get()
    assert (answer.earliest_date, answer.offers_to_accept_on_that_basis, answer.citation) == (
        later(90),
        True,
        "15 CFR 700.13(b)(1); 45 CFR 101.33",
    )
    assert AuditEvent.objects.get(action="rated_order.reject").data["citation"] == answer.citation


def test_700_13_b_2_a_do_order_interfering_states_the_earliest_date_otherwise_possible_the_offer_and_the_level(cast):
    order = issue(cast)  # DO
    reason = RejectionReason.INTERFERES_WITH_DO_DX
    refused(cast, order, "earliest_date", reason_code=reason, offers_to_accept=True, conflicting_level="DX")
    refused(cast, order, "offers_to_accept", reason_code=reason, earliest_date=later(30), conflicting_level="DX")
    message = refused(
        cast, order, "conflicting_level", reason_code=reason, earliest_date=later(30), offers_to_accept=True
    )
    assert "DO or DX" in message and "15 CFR 700.13(b)(2)" in message

    order = reject(
        order,
        actor=cast.supplier,
        reason_code=reason,
        earliest_date=later(30),
        offers_to_accept=True,
        conflicting_level="DO",
    )
    answer = order.responses.get()
    assert (answer.conflicting_level, answer.earliest_date, answer.citation) == (
        "DO",
        later(30),
        "15 CFR 700.13(b)(2); 45 CFR 101.33",
    )


def test_700_13_b_3_a_dx_order_interferes_only_with_accepted_dx_orders(cast):
    order = issue(cast, level=RatingLevel.DX)
    message = refused(
        cast,
        order,
        "conflicting_level",
        reason_code=RejectionReason.INTERFERES_WITH_DX,
        earliest_date=later(30),
        offers_to_accept=True,
        conflicting_level="DO",
    )
    assert "(DX; 15 CFR 700.13(b)(3)" in message
    refused(cast, order, "reason_code", reason_code=RejectionReason.INTERFERES_WITH_DO_DX)


def test_700_13_c_an_optional_reason_carries_no_date_or_offer(cast):
    order = reject(
        issue(cast),
        actor=cast.supplier,
        reason_code=RejectionReason.NOT_SUPPLIED,
        earliest_date=later(5),
        offers_to_accept=True,
    )
    answer = order.responses.get()
    assert (answer.earliest_date, answer.offers_to_accept_on_that_basis, answer.citation) == (
        None,
        False,
        "15 CFR 700.13(c); 45 CFR 101.33",
    )


def test_700_13_b_the_customer_accepts_the_offered_date_and_the_amendment_is_prepared(cast, client):
    order = rejected_with_offer(cast)
    offered = later(200)

    order = offers.rejection_offer_accept(order=order, actor=cast.applicant, expected_version=1)

    acceptance = OfferAcceptance.objects.get()
    assert (acceptance.accepted_by, acceptance.response.earliest_date) == (cast.applicant, offered)
    dates = [d["date"] for item in acceptance.prepared_items for d in item["required_dates"]]
    assert dates and all(dt.date.fromisoformat(d) >= offered for d in dates)
    assert offered.isoformat() in dates
    event = AuditEvent.objects.get(action="rated_order.accept_offer")
    assert (event.outcome, event.data["offered_date"]) == ("success", offered.isoformat())
    told = Notification.objects.filter(kind=NotificationKind.OFFER_ACCEPTED).values_list("recipient_id", flat=True)
    assert sorted(told) == sorted([cast.supplier.pk, cast.intake.pk])
    # The order's signer finds the amendment prepared with the offered date
    client.force_login(cast.approver)
    page = client.get(f"/admin/ratings/ratedorder/{order.pk}/amend/").content.decode()
    assert f'value="{offered.isoformat()}"' in page
    # Accepting twice is refused, and changes nothing
    before = order_snapshot(order)
    with pytest.raises(ValidationFailed) as error:
        offers.rejection_offer_accept(order=order, actor=cast.applicant)
    assert error.value.field == "offer"
    assert order_snapshot(order) == before


def test_only_the_customer_that_placed_the_order_accepts_an_offer(cast):
    order = rejected_with_offer(cast)
    for who in (cast.supplier, cast.intake, cast.applicant2, cast.auditor):
        with pytest.raises(PermissionRefused):
            offers.rejection_offer_accept(order=order, actor=who)
    assert not OfferAcceptance.objects.exists()


def test_700_13_d_a_delay_given_in_writing_needs_no_confirmation(cast):
    order = sr.rated_order_notify_delay(order=accepted(cast), actor=cast.supplier, reasons="Resin.", new_date=later(40))
    delay = order.responses.get(kind=SupplierResponseKind.DELAY)
    assert delay.confirmation_due is None
    assert AuditEvent.objects.get(action="rated_order.notify_delay").data["in_writing"] is True


def test_700_13_d_a_delay_reported_outside_the_portal_opens_the_5_working_day_confirmation_clock(cast, client):
    client.force_login(cast.supplier)
    supplier_client = client
    report = delay_report(cast)
    order = report.order
    assert (report.kind, report.responder, report.channel) == (
        SupplierResponseKind.DELAY_REPORTED,
        cast.applicant,
        "Phone call",
    )
    assert report.confirmation_due == delay_confirmation_due(notified_at=report.responded_at)
    assert Notification.objects.filter(kind=NotificationKind.DELAY_CONFIRMATION_DUE, recipient=cast.supplier).exists()
    page = supplier_client.get(f"/portal/orders/{order.order_number}/").content.decode()
    assert "Confirm in writing the delay you reported" in page

    # The supplier's written confirmation closes it
    response = supplier_client.post(
        f"/portal/orders/{order.order_number}/delay/{report.pk}/confirm/",
        {"reasons": "Resin shortage at our vendor.", "new_date": later(95).isoformat(), "version": "1"},
    )
    assert response.status_code == 302
    confirmation = SupplierResponse.objects.get(kind=SupplierResponseKind.DELAY_CONFIRMED)
    assert (confirmation.confirms, confirmation.responder, confirmation.late) == (report, cast.supplier, False)
    assert (
        "Confirm in writing the delay you reported"
        not in supplier_client.get(f"/portal/orders/{order.order_number}/").content.decode()
    )
    before = order_snapshot(order)
    with pytest.raises(ValidationFailed) as error:
        sr.rated_order_confirm_delay(
            order=order, actor=cast.supplier, report=report, reasons="Again.", new_date=later(95)
        )
    assert error.value.field == "report"
    assert order_snapshot(order) == before


def test_700_13_d_a_confirmation_after_its_due_time_is_marked_late(cast):
    report = delay_report(cast)
    SupplierResponse.objects.filter(pk=report.pk).update(confirmation_due=timezone.now() - dt.timedelta(hours=1))
    sr.rated_order_confirm_delay(
        order=report.order, actor=cast.supplier, report=report, reasons="Resin.", new_date=later(95)
    )
    assert SupplierResponse.objects.get(kind=SupplierResponseKind.DELAY_CONFIRMED).late is True


def test_a_delay_report_needs_how_it_was_reported(cast):
    order = accepted(cast)
    before = order_snapshot(order)
    with pytest.raises(ValidationFailed) as error:
        sr.rated_order_record_delay_report(
            order=order, actor=cast.intake, reasons="Late.", new_date=later(9), channel=" "
        )
    assert error.value.field == "channel"
    assert order_snapshot(order) == before


def test_the_customer_page_shows_the_offer_and_records_a_delay(cast, client):
    order = rejected_with_offer(cast)
    client.force_login(cast.applicant)
    page = client.get(f"/portal/placed/{order.order_number}/")
    assert page.status_code == 200
    assert "offers to accept the order on" in page.content.decode()
    response = client.post(f"/portal/placed/{order.order_number}/offer/", {"confirm": "on", "version": "1"})
    assert response.status_code == 302
    assert (
        "the amendment moving the required dates to it is prepared"
        in client.get(f"/portal/placed/{order.order_number}/").content.decode()
    )

    other = accepted(cast)
    response = client.post(
        f"/portal/placed/{other.order_number}/delay-report/",
        {"channel": "Phone call", "reasons": "Resin.", "new_date": later(30).isoformat(), "version": "1"},
    )
    assert response.status_code == 302
    assert other.responses.filter(kind=SupplierResponseKind.DELAY_REPORTED).count() == 1
    # Nobody else sees the customer's page
    for outsider in (cast.supplier, cast.applicant2):
        client.force_login(outsider)
        assert client.get(f"/portal/placed/{order.order_number}/").status_code == 404


def test_700_13_d_hhs_records_a_delay_a_supplier_reported_by_phone_from_the_order_page(cast, client):
    groups = groups_ensure()
    cast.intake.groups.add(groups[ROLE_GROUP["intake_analyst"]])
    order = accepted(cast)
    client.force_login(cast.intake)
    page = client.get(f"/admin/ratings/ratedorder/{order.pk}/change/").content.decode()
    assert "Record a delay reported by phone" in page
    response = client.post(
        f"/admin/ratings/ratedorder/{order.pk}/delay-report/",
        {"channel": "Phone call to HHS", "reasons": "Sterilizer down.", "new_date": later(20).isoformat()},
    )
    assert response.status_code == 302
    report = order.responses.get(kind=SupplierResponseKind.DELAY_REPORTED)
    assert (report.responder, report.channel) == (cast.intake, "Phone call to HHS")
    assert report.confirmation_due == delay_confirmation_due(notified_at=report.responded_at)


def test_700_13_b_deliveries_moved_to_the_offered_date_become_one_delivery_of_their_sum():
    # given an item split over three dates, two of them before the date the supplier offers
    item = {
        "position": 1,
        "quantity": "1000",
        "required_dates": [
            {"date": "2027-01-05", "quantity": "500"},
            {"date": "2027-02-14", "quantity": "300"},
            {"date": "2027-09-01", "quantity": "200"},
        ],
    }
    unsplit = {
        "position": 2,
        "quantity": "4",
        "required_dates": [{"date": "2027-01-05", "quantity": None}, {"date": "2027-02-14", "quantity": None}],
    }
    # when the amendment is prepared for the offered date
    prepared = offers.prepared_items([item, unsplit], dt.date(2027, 6, 1))
    # then each date appears once: what was due earlier is due on the offered date, in one delivery
    assert [i["required_dates"] for i in prepared] == [
        [{"date": "2027-06-01", "quantity": "800"}, {"date": "2027-09-01", "quantity": "200"}],
        [{"date": "2027-06-01", "quantity": None}],
    ]
    assert item["required_dates"][0] == {"date": "2027-01-05", "quantity": "500"}  # the version's snapshot is untouched


def test_700_13_b_the_placing_party_signs_the_prepared_amendment_as_it_comes(cast):
    # given an order whose item has two required dates, rejected with an offer of a later date
    order = issue_with_items(cast, [line_item(cast.supplier_org, dates=[later(30), later(60)])])
    order = reject(
        order,
        actor=cast.supplier,
        reason_code=RejectionReason.CANNOT_MEET_DATE,
        earliest_date=later(200),
        offers_to_accept=True,
    )
    # when the customer accepts the offer and its signer signs the amendment as prepared
    order = offers.rejection_offer_accept(order=order, actor=cast.applicant, expected_version=1)
    prepared = OfferAcceptance.objects.get().prepared_items
    order = order_changes.rated_order_amend(
        order=order,
        actor=cast.signer,
        password=PASSWORD,
        otp=otp(cast.signer),
        reason="The supplier's offered date.",
        items=[as_amended(item) for item in prepared],
    )
    # then version 2 requires the offered date once
    assert order.current_version == 2
    dates = [d["date"] for d in order.versions.get(number=2).items_snapshot[0]["required_dates"]]
    assert dates == [later(200).isoformat()]
