"""No unreachable supplier: a request naming a supplier organization without an active portal
contact must name a contact e-mail for it; the order notice goes there with an invitation to the
portal, the answer clock starts when that notice is delivered (15 CFR 700.13(d)(1): "after
receipt"), and the invited contact signs up and answers."""

from __future__ import annotations

import pytest

from audit.models import AuditEvent
from dpa_portal.errors import PermissionRefused, ValidationFailed
from ratings.clock import supplier_response_due
from ratings.constants import NotificationKind, NotificationStatus, OrderStatus, RequestState
from ratings.demo.accounts import ROLE_GROUP, groups_ensure
from ratings.models import Membership, Notification, Organization, RatedOrder, RatingRequest, User
from ratings.services.accounts import invitations
from ratings.services.accounts.invitations import invitation_accept, invitation_path
from ratings.services.requests import workflow
from ratings.services.suppliers import reach
from tests.factories import CHECKLIST_ALL_TRUE, PASSWORD, OrganizationFactory, draft_request, otp, place_orders
from tests.portal.orders import accepted


def submit(cast, rr: RatingRequest) -> RatingRequest:
    return workflow.rating_request_submit(
        rating_request=rr, actor=cast.applicant, attestation=workflow.Attestation(cast.applicant.printed_name, True)
    )


def approve(cast, rr: RatingRequest) -> RatingRequest:
    rr = workflow.rating_request_accept_for_review(rating_request=rr, actor=cast.intake, reviewer=cast.reviewer)
    rr = workflow.rating_request_recommend(
        rating_request=rr, actor=cast.reviewer, outcome="approve", rationale="Sound.", checklist=CHECKLIST_ALL_TRUE
    )
    rr = workflow.rating_request_approve(
        rating_request=rr, actor=cast.approver, password=PASSWORD, otp=otp(cast.approver), reason="Approved."
    )
    place_orders(cast, rr)
    return rr


def test_700_13_d_1_an_order_to_a_supplier_without_contacts_reaches_the_named_address_and_its_clock_starts_on_delivery(
    cast, client, django_capture_on_commit_callbacks
):
    # given a supplier organization nobody in the portal speaks for
    newco = OrganizationFactory(supplier=True, legal_name="Resin Works LLC", short_name="Resin")
    rr = draft_request(cast, suppliers=[newco])

    # the request cannot be submitted until it says where the order goes
    with pytest.raises(ValidationFailed) as error:
        submit(cast, rr)
    assert "name a contact e-mail for Resin Works LLC" in error.value.message
    assert RatingRequest.objects.get(pk=rr.pk).state == RequestState.DRAFT

    # the applicant names the contact on the request's page
    client.force_login(cast.applicant)
    response = client.post(
        f"/portal/requests/{rr.pk}/supplier-contacts/",
        {"supplier": str(newco.pk), "email": "Orders@ResinWorks.example", "first_name": "Rita", "last_name": "Resin"},
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="rating_request.name_supplier_contact", outcome="success").count() == 1

    # when the request is approved and the order issued (notices delivered)
    with django_capture_on_commit_callbacks(execute=True):
        rr = approve(cast, submit(cast, RatingRequest.objects.get(pk=rr.pk)))
    order = RatedOrder.objects.get(source_request=rr)

    # then the named address was invited as the supplier's contact and got the order notice
    contact = User.objects.get(email="orders@resinworks.example")
    assert (contact.printed_name, contact.has_usable_password()) == ("Rita Resin", False)
    assert Membership.objects.filter(user=contact, organization=newco, role="supplier_contact", is_active=True).exists()
    notice = Notification.objects.get(kind=NotificationKind.ORDER_ISSUED, recipient=contact)
    invitation = Notification.objects.get(kind=NotificationKind.INVITATION, recipient=contact)
    assert notice.status == invitation.status == NotificationStatus.SENT
    # and the clock started when the order notice was delivered
    version = order.versions.get()
    assert version.received_at == notice.sent_at
    assert version.response_due_at == supplier_response_due(received_at=notice.sent_at, level=order.level)

    # the contact signs up through the invitation and answers the order
    token = invitation_path(contact).rstrip("/").split("/")[-1]
    invitation_accept(user=contact, token=token, password="a long new password 4242")
    client.logout()
    assert client.login(username=contact.username, password="a long new password 4242")
    page = client.get(f"/portal/orders/{order.order_number}/")
    assert page.status_code == 200
    response = client.post(f"/portal/orders/{order.order_number}/accept/", {"confirm": "on", "version": "1"})
    assert response.status_code == 302
    assert RatedOrder.objects.get(pk=order.pk).status == OrderStatus.ACCEPTED


def test_a_supplier_with_a_contact_needs_no_address_and_a_wrong_one_is_refused(cast):
    rr = draft_request(cast)  # cast.supplier_org has a contact
    assert reach.unreachable_suppliers_of(rr) == []
    with pytest.raises(ValidationFailed) as error:
        reach.rating_request_name_supplier_contact(
            rating_request=rr, actor=cast.applicant, supplier=cast.supplier_org, email="not an address"
        )
    assert error.value.field == "email"
    with pytest.raises(ValidationFailed) as error:
        reach.rating_request_name_supplier_contact(
            rating_request=rr, actor=cast.applicant, supplier=cast.supplier_org2, email="a@b.example"
        )
    assert error.value.field == "supplier"
    assert not rr.supplier_nominations.exists()


def with_admin_groups(*users: User) -> None:
    """The demo groups give HHS staff their admin (model) permissions, as seed_demo does."""
    groups = groups_ensure()
    for user in users:
        for membership in user.memberships.all():
            user.groups.add(groups[ROLE_GROUP[membership.role]])


def test_hhs_invites_and_deactivates_contacts_from_the_organization_page(cast, client):
    with_admin_groups(cast.hhsadmin)
    client.force_login(cast.hhsadmin)
    page = client.get(f"/admin/ratings/organization/{cast.supplier_org.pk}/change/").content.decode()
    assert "Invite a supplier contact" in page and cast.supplier.email in page
    response = client.post(
        f"/admin/ratings/organization/{cast.supplier_org.pk}/invite/",
        {"email": "new.buyer@filtra.example", "first_name": "Nina", "last_name": "Buyer"},
    )
    assert response.status_code == 302
    invited = User.objects.get(email="new.buyer@filtra.example")
    assert Notification.objects.filter(kind=NotificationKind.INVITATION, recipient=invited).exists()
    membership = Membership.objects.get(user=cast.supplier, organization=cast.supplier_org)
    response = client.post(f"/admin/ratings/organization/{cast.supplier_org.pk}/contacts/{membership.pk}/deactivate/")
    assert response.status_code == 302
    assert Membership.objects.get(pk=membership.pk).is_active is False
    assert AuditEvent.objects.filter(action="membership.change", outcome="success").count() == 1


def test_hhs_sees_the_unreachable_suppliers_and_escalates(cast, client, django_capture_on_commit_callbacks):
    newco = OrganizationFactory(supplier=True, legal_name="Silent Parts Co", short_name="Silent")
    rr = draft_request(cast, suppliers=[newco])
    reach.rating_request_name_supplier_contact(
        rating_request=rr, actor=cast.applicant, supplier=newco, email="ops@silent.example"
    )
    rr = approve(cast, submit(cast, RatingRequest.objects.get(pk=rr.pk)))  # notices never sent: no delivery ran
    order = RatedOrder.objects.get(source_request=rr)

    client.force_login(cast.intake)
    page = client.get("/admin/ratings/organization/unreachable/").content.decode()
    assert "Silent Parts Co" in page and order.order_number in page
    assert "an invited contact never signed up" in page
    response = client.post(f"/admin/ratings/organization/{newco.pk}/escalate/")
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="supplier.unreachable_escalate", outcome="success")
    assert event.data["reinvited"] == ["ops@silent.example"]
    assert Notification.objects.filter(recipient=cast.intake, subject__contains="Silent Parts Co").exists()


def test_a_suppliers_contact_administrator_invites_colleagues_and_others_cannot(cast, client):
    client.force_login(cast.supplier)
    assert client.get("/portal/contacts/").status_code == 404  # not the contact administrator
    Membership.objects.filter(user=cast.supplier, organization=cast.supplier_org).update(manages_contacts=True)
    page = client.get("/portal/contacts/").content.decode()
    assert cast.supplier.email in page
    response = client.post(
        "/portal/contacts/", {"email": "colleague@filtra.example", "first_name": "Cole", "last_name": "League"}
    )
    assert response.status_code == 302
    invited = User.objects.get(email="colleague@filtra.example")
    assert Membership.objects.get(user=invited).organization == cast.supplier_org
    event = AuditEvent.objects.get(action="supplier_contact.invite", outcome="success")
    assert event.actor_id == cast.supplier.pk
    # a contact administrator of one supplier invites nobody into another
    with pytest.raises(PermissionRefused):
        invitations.supplier_contact_invite(
            organization=cast.supplier_org2,
            email="x@pumpco.example",
            first_name="X",
            last_name="Y",
            actor=cast.supplier,
        )


def test_700_15_a_placing_supplier_names_a_new_sub_tier_supplier_by_legal_name_uei_and_contact(cast, client):
    order = accepted(cast)
    client.force_login(cast.supplier)
    response = client.post(
        f"/portal/orders/{order.order_number}/flowdown/new-supplier/",
        {
            "legal_name": "Deep Tier Resins",
            "uei": "dtres0000001",
            "contact_email": "rfq@deeptier.example",
            "manufacturing_country": "de",
        },
    )
    assert response.status_code == 302
    named = Organization.objects.get(legal_name="Deep Tier Resins")
    assert (named.kind, named.uei, named.manufacturing_country) == ("supplier", "DTRES0000001", "DE")
    contact = User.objects.get(email="rfq@deeptier.example")
    assert Membership.objects.get(user=contact).manages_contacts is True
    assert Notification.objects.filter(recipient=contact, kind=NotificationKind.INVITATION).exists()
    assert "Deep Tier Resins" in client.get(f"/portal/orders/{order.order_number}/flowdown/").content.decode()
    before = Organization.objects.count()
    with pytest.raises(ValidationFailed) as error:
        reach.sub_supplier_name(
            order=order,
            actor=cast.supplier,
            legal_name="Other",
            uei="short",
            contact_email="a@b.example",
            manufacturing_country="US",
        )
    assert error.value.field == "uei"
    assert Organization.objects.count() == before
