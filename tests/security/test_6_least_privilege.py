"""Finding 6: separation of duties and least privilege. The recommender never signs an
amendment or cancellation; the HHS administrator reads no business data anywhere; every admin
page is scoped like its list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import AuditEvent
from dpa_portal.errors import NotFound, PermissionRefused
from ratings.constants import RatingLevel, RequestState, Role, TokenScope
from ratings.models import ApiToken, Membership, RatedOrder
from ratings.services.orders import changes as order_changes
from ratings.services.orders import documents as order_documents
from ratings.services.requests import workflow
from tests.factories import CHECKLIST_ALL_TRUE, PASSWORD, draft_request, otp, request_in_state
from tests.portal.orders import issue

pytestmark = pytest.mark.django_db


def test_the_recommender_with_approval_authority_cannot_amend_or_cancel_the_order(cast):
    Membership.objects.create(
        user=cast.reviewer, organization=cast.hhs, role=Role.APPROVING_OFFICIAL, approval_level=RatingLevel.DX
    )
    order = issue(cast)
    assert order.source_request.recommended_by_id == cast.reviewer.pk
    item = order.versions.get().items_snapshot[0]
    amended = order_changes.AmendedItem(
        position=1,
        description=item["description"],
        quantity="40",
        unit=item["unit"],
        required_dates=[order.versions.get().earliest_required_date],
    )

    with pytest.raises(PermissionRefused, match="the recommender never signs"):
        order_changes.rated_order_amend(
            order=order, actor=cast.reviewer, password=PASSWORD, otp=otp(cast.reviewer), reason="More.", items=[amended]
        )
    with pytest.raises(PermissionRefused, match="the recommender never signs"):
        order_changes.rated_order_cancel(
            order=order, actor=cast.reviewer, password=PASSWORD, otp=otp(cast.reviewer), reason="Stop."
        )

    assert RatedOrder.objects.get(pk=order.pk).current_version == 1
    assert (
        AuditEvent.objects.filter(action__in=["rated_order.amend", "rated_order.cancel"], outcome="denied").count() == 2
    )


def test_the_hhs_administrator_reads_no_request_or_order_through_the_api_or_downloads(cast):
    order = issue(cast)
    _token, secret = ApiToken.objects.create(
        user=cast.hhsadmin, expiry=dt.timedelta(days=1), name="x", scope=TokenScope.READ
    )
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")

    assert api.get("/api/v1/requests/").json()["results"] == []
    assert api.get(f"/api/v1/requests/{order.source_request.reference}/").status_code == 404
    with pytest.raises(NotFound):
        order_documents.order_document_download(order_number=order.order_number, version=1, actor=cast.hhsadmin)


def test_the_hhs_administrator_sees_no_order_in_the_admin(client, cast):
    order = issue(cast)
    client.force_login(cast.hhsadmin)
    assert order.order_number not in client.get("/admin/").content.decode()
    assert client.get(reverse("admin:ratings_ratedorder_change", args=[order.pk])).status_code in {302, 403, 404}


def test_an_admin_action_page_is_scoped_like_the_list(client, cast):
    draft = draft_request(cast)
    client.force_login(cast.intake)

    page = client.get(reverse("admin:ratings_ratingrequest_transition", args=[draft.pk, "accept_for_review"]))

    assert page.status_code == 404
    assert draft.reference not in page.content.decode()


def test_the_deciding_official_is_never_the_reviewer_in_the_admin_either(client, cast):
    rr = request_in_state(cast, RequestState.IN_REVIEW)
    workflow.rating_request_recommend(
        rating_request=rr, actor=cast.reviewer, outcome="approve", rationale="Fine.", checklist=CHECKLIST_ALL_TRUE
    )
    Membership.objects.create(
        user=cast.reviewer, organization=cast.hhs, role=Role.APPROVING_OFFICIAL, approval_level="DX"
    )
    with pytest.raises(PermissionRefused):
        workflow.rating_request_approve(
            rating_request=rr, actor=cast.reviewer, password=PASSWORD, otp=otp(cast.reviewer)
        )
