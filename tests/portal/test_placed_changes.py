"""The party that placed an order amends and cancels it in the portal (45 CFR 101.36(a)(2), (e)),
through the same services as HHS; anyone else is refused (audited) and nothing changes."""

from __future__ import annotations

import pytest

from audit.models import AuditEvent
from dpa_portal.errors import PermissionRefused
from ratings.constants import (
    SIGNATURE_MEANING_PLACING_AMENDMENT,
    SIGNATURE_MEANING_PLACING_CANCELLATION,
    AmendmentSignificance,
    NotificationKind,
    OrderStatus,
)
from ratings.models import Notification, RatedOrder
from ratings.services.orders import changes as order_changes
from tests.factories import PASSWORD
from tests.portal.orders import issue, issue_with_items, order_snapshot
from tests.ratings.orders.conftest import as_amended, flat, pdf_pages, split_items

pytestmark = pytest.mark.django_db


def _amend_post(order: RatedOrder, **changes: str) -> dict[str, str]:
    item = order.versions.get(number=order.current_version).items_snapshot[0]
    n = item["position"]
    data = {
        "version": str(order.current_version),
        f"quantity_{n}": item["quantity"],
        f"dates_{n}": ", ".join(f"{d['date']}: {d['quantity']}" for d in item["required_dates"]),
        f"ship_to_{n}": item["ship_to"],
        "reason": "Receiving moved to the new warehouse.",
        "password": PASSWORD,
    }
    data.update(changes)
    return data


def test_101_36_a_2_the_placing_party_amends_its_split_delivery_order_in_the_portal(client, cast):
    # given an order the manufacturer placed, one item split over two dates
    order = issue_with_items(cast, split_items(cast.supplier_org, 1))
    client.force_login(cast.signer)
    page = client.get(f"/portal/placed/{order.order_number}/")
    assert f"/portal/placed/{order.order_number}/amend/" in page.content.decode()
    form = client.get(f"/portal/placed/{order.order_number}/amend/").content.decode()
    assert "2027-01-05: 500, 2027-02-14: 300" in form

    # when its authorized signer changes the ship-to address and signs
    response = client.post(f"/portal/placed/{order.order_number}/amend/", _amend_post(order, ship_to_1="Warehouse B"))

    # then version 2 keeps the split, is not significant, and is signed as the customer's notice
    assert response.status_code == 302
    order = RatedOrder.objects.get(pk=order.pk)
    version = order.versions.get(number=2)
    assert version.significance == AmendmentSignificance.NOT_SIGNIFICANT
    assert version.items_snapshot[0]["required_dates"] == [
        {"date": "2027-01-05", "quantity": "500"},
        {"date": "2027-02-14", "quantity": "300"},
    ]
    signature = version.signatures.get()
    assert (signature.signer, signature.meaning) == (cast.signer, SIGNATURE_MEANING_PLACING_AMENDMENT)
    assert signature.delegation == "For Acme Vaccines, which placed the order (45 CFR 101.36(a)(2))"


def test_101_36_a_2_a_bad_date_comes_back_beside_the_field_and_nothing_changes(client, cast):
    order = issue_with_items(cast, split_items(cast.supplier_org, 1))
    client.force_login(cast.signer)
    before = order_snapshot(order)
    response = client.post(f"/portal/placed/{order.order_number}/amend/", _amend_post(order, dates_1="ASAP: 800"))
    assert response.status_code == 400
    assert "is not a date" in response.content.decode()
    assert order_snapshot(order) == before


def test_101_36_e_the_placing_party_cancels_its_order_and_the_notice_names_it(
    client, cast, django_capture_on_commit_callbacks
):
    order = issue(cast, capture=django_capture_on_commit_callbacks)
    client.force_login(cast.signer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/portal/placed/{order.order_number}/cancel/",
            {"version": "1", "reason": "The trial was stopped.", "password": PASSWORD},
        )
    assert response.status_code == 302
    order = RatedOrder.objects.get(pk=order.pk)
    assert order.status == OrderStatus.CANCELLED
    notice = order.versions.get(number=2)
    assert notice.signatures.get().meaning == SIGNATURE_MEANING_PLACING_CANCELLATION
    text = flat("\n".join(pdf_pages(notice.documents.get().file.open("rb").read())))
    assert "by written notice of Acme Vaccines, which placed the order (45 CFR 101.36(a)(2))" in text
    # and the customer's own notice names who cancelled, not "HHS"
    # (the applicant; the signer who cancelled it is not told of their own act)
    told = Notification.objects.get(kind=NotificationKind.PLACED_ORDER_CHANGED)
    assert told.recipient == cast.applicant
    assert told.subject == f"{order.order_number}: {cast.signer.printed_name} cancelled the rated order to Filtra Corp"
    # and a cancelled order offers no further change
    assert "placed-amend" not in client.get(f"/portal/placed/{order.order_number}/").content.decode()


@pytest.mark.parametrize("who", ["supplier", "applicant2"])
def test_101_36_a_only_the_placing_party_or_hhs_amends_or_cancels_refusals_are_audited(cast, who):
    """The supplier and another manufacturer's applicant are refused by the service itself: one
    denied event each, and the order, its versions and its notices stay as they were."""
    order = issue(cast)
    item = order.versions.get().items_snapshot[0]
    before = order_snapshot(order)
    actor = getattr(cast, who)
    with pytest.raises(PermissionRefused, match="Only the customer that placed this order"):
        order_changes.rated_order_amend(
            order=order, actor=actor, password=PASSWORD, reason="More.", items=[as_amended(item, quantity="20")]
        )
    with pytest.raises(PermissionRefused, match="Only the customer that placed this order"):
        order_changes.rated_order_cancel(order=order, actor=actor, password=PASSWORD, reason="Stop.")
    denied = AuditEvent.objects.filter(action__in=["rated_order.amend", "rated_order.cancel"], outcome="denied")
    assert denied.count() == 2
    assert order_snapshot(order)[:5] == before[:5]


def test_another_manufacturer_gets_404_on_the_amend_and_cancel_pages(client, cast):
    order = issue(cast)
    client.force_login(cast.applicant2)
    before = order_snapshot(order)
    assert client.get(f"/portal/placed/{order.order_number}/amend/").status_code == 404
    response = client.post(
        f"/portal/placed/{order.order_number}/cancel/", {"version": "1", "reason": "x", "password": PASSWORD}
    )
    assert response.status_code == 404
    assert order_snapshot(order) == before


def test_101_36_d_the_supplier_signs_its_agreement_in_the_portal_and_the_customer_applies_it(client, cast):
    # given the customer asks the supplier to agree to a moved date (no password needed to ask)
    order = issue_with_items(cast, split_items(cast.supplier_org, 1))
    client.force_login(cast.signer)
    moved = _amend_post(order, dates_1="2027-01-05: 500, 2027-02-21: 300", password="")
    response = client.post(f"/portal/placed/{order.order_number}/amend/", {**moved, "propose": "1"})
    assert response.status_code == 302
    agreement = order.change_agreements.get()
    assert RatedOrder.objects.get(pk=order.pk).current_version == 1

    # when the supplier's contact signs its agreement on its order page
    client.force_login(cast.supplier)
    page = client.get(f"/portal/orders/{order.order_number}/").content.decode()
    assert "Sign our agreement to this change" in page and "2027-02-21: 300 each" in page
    client.post(f"/portal/orders/{order.order_number}/changes/{agreement.pk}/agree/", {"password": PASSWORD})
    agreement.refresh_from_db()
    assert (agreement.status, agreement.agreed_by) == ("agreed", cast.supplier)

    # and the customer sends the agreed amendment
    client.force_login(cast.signer)
    client.post(f"/portal/placed/{order.order_number}/changes/{agreement.pk}/apply/", {"password": PASSWORD})

    # then version 2 is the agreed change, not a new rated order
    version = RatedOrder.objects.get(pk=order.pk).versions.get(number=2)
    assert version.significance == AmendmentSignificance.NOT_SIGNIFICANT
    assert version.items_snapshot[0]["required_dates"][1] == {"date": "2027-02-21", "quantity": "300"}
    assert "change agreed by the supplier" in version.significance_basis


def test_101_36_a_2_an_applicant_who_is_not_an_authorized_signer_is_refused_audited_and_nothing_changes(cast):
    """45 CFR 101.36(a)(2) read with 101.32(a)(3): the placing party's change is signed by an
    individual authorized to sign its rated orders (an amendment may be a new rated order,
    101.36(c)); its applicant without the signer role is refused by the service, audited."""
    order = issue(cast)
    item = order.versions.get().items_snapshot[0]
    before = order_snapshot(order)

    with pytest.raises(PermissionRefused, match="Only an authorized signer of your organization"):
        order_changes.rated_order_amend(
            order=order,
            actor=cast.applicant,
            password=PASSWORD,
            reason="More.",
            items=[as_amended(item, quantity="20")],
        )
    with pytest.raises(PermissionRefused, match=r"101\.36\(a\)\(2\), 101\.32\(a\)\(3\)"):
        order_changes.rated_order_cancel(order=order, actor=cast.applicant, password=PASSWORD, reason="Stop.")

    denied = AuditEvent.objects.filter(action__in=["rated_order.amend", "rated_order.cancel"], outcome="denied")
    assert [(e.action, e.actor_id) for e in denied.order_by("sequence")] == [
        ("rated_order.amend", cast.applicant.pk),
        ("rated_order.cancel", cast.applicant.pk),
    ]
    assert order_snapshot(order)[:5] == before[:5]


def test_101_36_a_2_the_order_page_explains_and_the_forms_send_a_non_signer_back(client, cast):
    order = issue(cast)
    client.force_login(cast.applicant)

    page = client.get(f"/portal/placed/{order.order_number}/").content.decode()
    amend = client.get(f"/portal/placed/{order.order_number}/amend/", follow=True)

    # the applicant sees why there is no button, and the form sends it back with the reason
    assert 'data-testid="order-changes-signer-only"' in page
    assert f"/portal/placed/{order.order_number}/amend/" not in page
    assert amend.redirect_chain[-1][0] == f"/portal/placed/{order.order_number}/"
    assert "Only an authorized signer of your organization" in amend.content.decode()
    # the authorized signer gets the buttons
    client.force_login(cast.signer)
    assert (
        f"/portal/placed/{order.order_number}/amend/"
        in client.get(f"/portal/placed/{order.order_number}/").content.decode()
    )


def test_101_32_a_3_the_placing_party_cannot_amend_its_order_beyond_the_quantity_hhs_authorized(client, cast):
    # given an order placed under an authorization of 800 each (500 + 300 on two dates)
    order = issue_with_items(cast, split_items(cast.supplier_org, 1))
    client.force_login(cast.signer)
    before = order_snapshot(order)
    events = AuditEvent.objects.count()
    # when its signer amends the quantity above what HHS authorized and signs
    post = _amend_post(order, quantity_1="5000", dates_1="2027-01-05: 4700, 2027-02-14: 300")
    response = client.post(f"/portal/placed/{order.order_number}/amend/", post)
    # then the amendment is refused beside the quantity, and nothing changed (invalid input leaves no trace)
    assert response.status_code == 400
    authorization = order.authorization
    assert (
        f"Item 1: 5000 each is more than the authorization allows (800 each). Ask HHS to amend {authorization.number}."
    ) in response.content.decode()
    assert order_snapshot(order) == before
    assert AuditEvent.objects.count() == events


def test_101_32_a_3_the_placing_party_amends_within_the_authorized_quantity(client, cast):
    # given the same order; when its signer reduces the quantity, then the amendment is signed
    order = issue_with_items(cast, split_items(cast.supplier_org, 1))
    client.force_login(cast.signer)
    post = _amend_post(order, quantity_1="700", dates_1="2027-01-05: 400, 2027-02-14: 300")
    assert client.post(f"/portal/placed/{order.order_number}/amend/", post).status_code == 302
    assert RatedOrder.objects.get(pk=order.pk).versions.get(number=2).items_snapshot[0]["quantity"] == "700"
