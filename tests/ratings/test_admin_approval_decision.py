"""The approving official's decision page (45 CFR 101.31 levels; 45 CFR 101.32(a) items and
quantities): the level approved and one table row per item, part of the signed approval; a bad
decision is an error on its row and nothing is stored."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ratings.constants import RatingLevel, RequestState
from ratings.demo.accounts import ROLE_GROUP, groups_ensure
from ratings.models import ApprovalDecision, RatingAuthorization, RatingRequest
from tests.factories import PASSWORD, line_item, otp
from tests.ratings.orders.conftest import many_items, recommended_with_items, split_items


@pytest.fixture(autouse=True)
def _staff_groups(cast):
    """HHS staff reach the admin through the groups their roles give."""
    groups = groups_ensure()
    for user in (cast.approver, cast.secretary):
        for membership in user.memberships.all():
            user.groups.add(groups[ROLE_GROUP[membership.role]])


def _page(rr: RatingRequest) -> str:
    return reverse("admin:ratings_ratingrequest_transition", args=[rr.pk, "approve"])


def _three(cast, level: str = RatingLevel.DX) -> RatingRequest:
    items = [
        line_item(cast.supplier_org, po="PO-1", description="Filtration skid", quantity="10"),
        line_item(cast.supplier_org, po="PO-2", description="Spare membranes", quantity="200"),
        *split_items(cast.supplier_org2, 1, first=3),
    ]
    return recommended_with_items(cast, items, requested_level=level)


def _post(client, rr: RatingRequest, official, **fields):
    data = {"expected_version": rr.version, "password": PASSWORD, "otp": otp(official), "reason": "Approved."}
    data.update(fields)
    return client.post(_page(rr), data)


def test_a_40_item_request_is_decided_in_one_table(client, cast):
    rr = recommended_with_items(cast, many_items(cast.supplier_org, 40))
    client.force_login(cast.approver)

    page = client.get(_page(rr)).content.decode()

    assert page.count('data-testid="approval-item-') == 40
    assert 'name="item_40_exclude"' in page and 'name="item_40_quantity"' in page and 'name="item_40_reason"' in page
    assert page.count('form="transition-form"') == 40 * 3
    # a DO request offers DO only
    assert '<option value="DO" selected>DO</option>' in page and '<option value="DX"' not in page


def test_45_cfr_101_31_a_dx_request_offers_both_levels_and_defaults_to_dx(client, cast):
    rr = _three(cast)
    client.force_login(cast.secretary)

    page = client.get(_page(rr)).content.decode()

    assert '<option value="DX" selected>DX</option>' in page and '<option value="DO">DO</option>' in page


def test_45_cfr_101_32_a_the_official_approves_at_do_leaves_one_item_out_and_reduces_a_split(client, cast):
    rr = _three(cast)
    first, second = (d.required_date.isoformat() for d in rr.line_items.get(position=3).deliveries.all())
    client.force_login(cast.secretary)

    response = _post(
        client,
        rr,
        cast.secretary,
        approved_level="DO",
        level_reason="DO precedence meets the dates.",
        item_2_exclude="on",
        item_2_reason="Stocked by the SNS.",
        item_3_split_1="400",
        item_3_split_2="200",
        item_3_reason="One fill line.",
    )

    assert response.status_code == 302
    rr = RatingRequest.objects.get(pk=rr.pk)
    assert rr.state == RequestState.ISSUED
    decision = ApprovalDecision.objects.get(rating_request=rr)
    assert decision.lines() == [
        "Approved at DO (requested DX): DO precedence meets the dates.",
        "Item 2, Spare membranes: Not authorized. Reason: Stocked by the SNS.",
        f"Item 3, Filtration skid model 3: Reduced from 800 to 600 each ({first}: 500 to 400; {second}: 300 to 200). "
        "Reason: One fill line.",
    ]
    authorization = RatingAuthorization.objects.get(rating_request=rr)
    assert authorization.rating == f"DO-{cast.program.symbol}"
    assert [(i["position"], i["quantity"]) for i in authorization.items_snapshot] == [(1, "10"), (3, "600")]


def test_a_post_without_the_table_approves_as_requested(client, cast):
    rr = recommended_with_items(cast, [line_item(cast.supplier_org)])
    client.force_login(cast.approver)

    assert _post(client, rr, cast.approver).status_code == 302

    decision = ApprovalDecision.objects.get(rating_request=rr)
    assert (decision.approved_level, decision.is_partial) == ("DO", False)


def _refused(client, rr: RatingRequest, official, **fields) -> str:
    response = _post(client, rr, official, **fields)
    assert response.status_code == 200
    after = RatingRequest.objects.get(pk=rr.pk)
    assert (after.state, after.version) == (RequestState.RECOMMENDED, rr.version)
    assert not ApprovalDecision.objects.exists() and not RatingAuthorization.objects.exists()
    return response.content.decode()


def test_a_quantity_over_the_request_is_an_error_on_its_row_and_nothing_is_stored(client, cast):
    rr = _three(cast)
    client.force_login(cast.secretary)

    page = _refused(client, rr, cast.secretary, item_1_quantity="11", item_1_reason="More.")

    assert '<tr data-testid="approval-item-1" class="ws-row-error">' in page
    assert "Item 1: 11 each is more than the 10 each requested; approve at most what was requested." in page
    assert 'value="11"' in page  # what was typed stays


def test_splits_that_do_not_fit_are_an_error_on_the_row(client, cast):
    rr = _three(cast)
    client.force_login(cast.secretary)

    page = _refused(client, rr, cast.secretary, item_3_split_1="600", item_3_reason="x")

    assert '<tr data-testid="approval-item-3" class="ws-row-error">' in page
    assert "more than the 500 requested for that date" in page


def test_leaving_every_item_out_says_to_deny(client, cast):
    rr = _three(cast)
    client.force_login(cast.secretary)

    page = _refused(
        client,
        rr,
        cast.secretary,
        **{f"item_{n}_{part}": value for n in (1, 2, 3) for part, value in (("exclude", "on"), ("reason", "No."))},
    )

    assert "Approve at least one item; to authorize none, deny the request instead." in page


def test_a_lower_level_without_a_reason_is_an_error_beside_the_level(client, cast):
    rr = _three(cast)
    client.force_login(cast.secretary)

    page = _refused(client, rr, cast.secretary, approved_level="DO")

    assert "Say why DO is approved instead of the DX requested; the applicant sees it." in page


def test_a_do_official_cannot_decide_a_dx_request_even_at_do(client, cast):
    rr = _three(cast)
    client.force_login(cast.approver)

    page = _refused(client, rr, cast.approver, approved_level="DO", level_reason="DO suffices.")

    assert "A DX request is decided by an approving official with DX authority; yours is DO." in page


def test_the_work_queue_offers_a_dx_request_to_dx_authority_only(client, cast):
    rr = _three(cast)

    client.force_login(cast.approver)
    assert rr.reference not in client.get(reverse("admin:index")).content.decode()
    client.force_login(cast.secretary)
    assert rr.reference in client.get(reverse("admin:index")).content.decode()


def test_the_case_page_shows_what_was_approved(client, cast):
    rr = _three(cast)
    client.force_login(cast.secretary)
    _post(
        client,
        rr,
        cast.secretary,
        approved_level="DO",
        level_reason="DO suffices.",
        item_2_exclude="on",
        item_2_reason="Stocked.",
    )

    page = client.get(reverse("admin:ratings_ratingrequest_change", args=[rr.pk])).content.decode()

    assert (
        '<dd data-testid="case-approval-decision">Approved at DO (requested DX): DO suffices.<br>'
        "Item 2, Spare membranes: Not authorized. Reason: Stocked.</dd>"
    ) in page
