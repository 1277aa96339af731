"""`notice_link`: the one page of a notice's object its recipient can open."""

from __future__ import annotations

import ast
from pathlib import Path

from django.urls import reverse

from ratings.constants import RequestState
from ratings.services.notifications.links import notice_link
from tests.factories import request_in_state


def test_a_request_leads_the_applicant_to_the_portal_staff_to_the_admin_and_the_auditor_to_audit(
    cast, django_capture_on_commit_callbacks
):
    # given
    rr = request_in_state(cast, RequestState.IN_REVIEW)

    # then
    assert notice_link(cast.applicant, rr) == f"/portal/requests/{rr.pk}/"
    assert notice_link(cast.reviewer, rr) == f"/admin/ratings/ratingrequest/{rr.pk}/change/"
    assert notice_link(cast.intake, rr) == f"/admin/ratings/ratingrequest/{rr.pk}/change/"
    assert notice_link(cast.auditor, rr) == f"/audit/requests/{rr.reference}/"
    # another manufacturer's applicant and a supplier have no page of it
    assert notice_link(cast.applicant2, rr) == ""
    assert notice_link(cast.supplier, rr) == ""
    assert notice_link(cast.applicant, None) == ""


def test_an_order_leads_its_supplier_and_its_customer_each_to_their_own_page(cast, django_capture_on_commit_callbacks):
    # given
    with django_capture_on_commit_callbacks(execute=False):
        rr = request_in_state(cast, RequestState.ISSUED)
    order = rr.rated_orders.get()
    version = order.versions.get()
    assert order.supplier == cast.supplier_org

    # then: the order, its version and an answer to it lead to the same page per person
    for target in (order, version):
        assert notice_link(cast.supplier, target) == f"/portal/orders/{order.order_number}/"
        assert notice_link(cast.applicant, target) == f"/portal/placed/{order.order_number}/"
        assert notice_link(cast.intake, target) == reverse("admin:ratings_ratedorder_change", args=[order.pk])
        assert notice_link(cast.auditor, target) == f"/audit/requests/{rr.reference}/"
        assert notice_link(cast.supplier2, target) == ""
        assert notice_link(cast.applicant2, target) == ""


def test_no_cause_gives_a_notice_its_own_address_but_the_invitation():
    """Every notice's link comes from `notice_link`: a cause passing `link=` would bypass it."""
    root = Path(__file__).resolve().parents[2] / "ratings" / "services"
    passing = set()
    for path in root.rglob("*.py"):
        if path.parent.name == "notifications":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and any(keyword.arg == "link" for keyword in node.keywords):
                passing.add(path.relative_to(root).as_posix())
    assert passing == {"accounts/invitations.py"}  # the set-password address, not a page of an object
