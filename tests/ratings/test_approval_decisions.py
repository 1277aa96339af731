"""The approving official's decision on level and items (45 CFR 101.31 levels; 45 CFR 101.32(a)
elements): a DX request approved at DO, some items or smaller quantities only, each difference
with its reason, signed and audited in the approval; every bad decision changes nothing."""

from __future__ import annotations

import pytest

from audit.constants import Outcome
from audit.models import AuditEvent
from dpa_portal.errors import PermissionRefused, ValidationFailed
from ratings.constants import RatingLevel, RequestState
from ratings.models import ApprovalDecision, RatingAuthorization, RatingRequest
from ratings.services.items import DeliveryInput
from ratings.services.orders import placing
from ratings.services.requests import workflow
from ratings.services.requests.decisions import DecisionInput, ItemDecisionInput
from tests.factories import PASSWORD, line_item, otp, request_in_state
from tests.helpers import assert_refused
from tests.ratings.orders.conftest import recommended_with_items, split_items

DX_TO_DO = DecisionInput(level=RatingLevel.DO, level_reason="DO precedence meets the delivery dates.")


def _approve(rr: RatingRequest, official, decision: DecisionInput | None = None) -> RatingRequest:
    return workflow.rating_request_approve(
        rating_request=rr, actor=official, password=PASSWORD, otp=otp(official), reason="Approved.", decision=decision
    )


def _three_items(cast) -> RatingRequest:
    items = [
        line_item(cast.supplier_org, po="PO-1", description="Filtration skid", quantity="10"),
        line_item(cast.supplier_org, po="PO-2", description="Spare membranes", quantity="200"),
        line_item(cast.supplier_org2, po="PO-3", description="Transfer pump", quantity="12"),
    ]
    return recommended_with_items(cast, items)


PARTIAL = DecisionInput(
    items=[
        ItemDecisionInput(number=2, include=False, reason="Membranes are stocked by the SNS."),
        ItemDecisionInput(number=3, quantity="4", reason="Four pumps cover the two fill lines."),
    ]
)


def _event(rr: RatingRequest) -> AuditEvent:
    return AuditEvent.objects.get(action="rating_request.approve", reference=rr.reference, outcome=Outcome.SUCCESS)


# --- lower level (45 CFR 101.31: DO below DX) -------------------------------------------------


def test_45_cfr_101_31_a_dx_request_approved_at_do_gives_a_do_authorization(cast):
    rr = request_in_state(cast, RequestState.RECOMMENDED, level=RatingLevel.DX)

    rr = _approve(rr, cast.secretary, DX_TO_DO)

    authorization = RatingAuthorization.objects.get(rating_request=rr)
    assert (authorization.level, authorization.rating) == ("DO", f"DO-{cast.program.symbol}")
    decision = ApprovalDecision.objects.get(rating_request=rr)
    assert (decision.requested_level, decision.approved_level, decision.level_reason) == (
        "DX",
        "DO",
        "DO precedence meets the delivery dates.",
    )
    assert rr.state == RequestState.ISSUED
    detail = _event(rr).data["decision"]
    assert (detail["level_requested"], detail["level_approved"], detail["level_reason"]) == (
        "DX",
        "DO",
        "DO precedence meets the delivery dates.",
    )
    assert detail["items_excluded"] == detail["items_reduced"] == []


def test_45_cfr_101_31_a_dx_request_is_decided_at_dx_level_even_when_approved_at_do(
    cast, django_capture_on_commit_callbacks
):
    """Only an official with DX authority judges that a DX request deserves DO instead; a DO
    official is refused (audited) and nothing changes."""
    rr = request_in_state(cast, RequestState.RECOMMENDED, level=RatingLevel.DX)

    error = assert_refused(
        django_capture_on_commit_callbacks,
        rr,
        lambda: _approve(rr, cast.approver, DX_TO_DO),
        PermissionRefused,
        action="approve",
    )

    assert error.message.startswith("A DX request is decided by an approving official with DX authority; yours is DO.")
    _nothing_stored(rr)


def test_an_approval_as_requested_records_the_decision_too(cast):
    rr = request_in_state(cast, RequestState.RECOMMENDED)

    rr = _approve(rr, cast.approver)

    decision = ApprovalDecision.objects.get(rating_request=rr)
    assert (decision.approved_level, decision.level_reason, decision.is_partial) == ("DO", "", False)
    assert [(i["number"], i["outcome"], i["approved_quantity"]) for i in decision.items] == [(1, "approved", "10")]
    assert RatingAuthorization.objects.get(rating_request=rr).items_snapshot[0]["quantity"] == "10"


# --- partial approval (45 CFR 101.32(a) items and quantities) ---------------------------------


def test_45_cfr_101_32_a_partial_approval_leaves_out_excluded_items_and_authorizes_reduced_quantities(cast):
    rr = _three_items(cast)

    rr = _approve(rr, cast.approver, PARTIAL)

    authorization = RatingAuthorization.objects.get(rating_request=rr)
    assert [(i["position"], i["description"], i["quantity"]) for i in authorization.items_snapshot] == [
        (1, "Filtration skid", "10"),
        (3, "Transfer pump", "4"),
    ]
    assert authorization.supplier_ids() == [cast.supplier_org.pk, cast.supplier_org2.pk]
    decision = ApprovalDecision.objects.get(rating_request=rr)
    assert [(i["number"], i["outcome"], i["approved_quantity"], i["reason"]) for i in decision.items] == [
        (1, "approved", "10", ""),
        (2, "excluded", None, "Membranes are stocked by the SNS."),
        (3, "reduced", "4", "Four pumps cover the two fill lines."),
    ]
    detail = _event(rr).data["decision"]
    assert detail["items_excluded"] == [
        {"number": 2, "description": "Spare membranes", "reason": "Membranes are stocked by the SNS."}
    ]
    assert [(i["number"], i["requested"], i["approved"], i["unit"], i["reason"]) for i in detail["items_reduced"]] == [
        (3, "12", "4", "each", "Four pumps cover the two fill lines.")
    ]


def test_an_excluded_supplier_gets_no_order_under_the_authorization(cast):
    rr = _three_items(cast)

    rr = _approve(rr, cast.approver, DecisionInput(items=[ItemDecisionInput(3, include=False, reason="Not needed.")]))

    authorization = RatingAuthorization.objects.get(rating_request=rr)
    assert authorization.supplier_ids() == [cast.supplier_org.pk]


def test_45_cfr_101_32_a_reduced_split_deliveries_keep_their_dates(cast):
    rr = recommended_with_items(cast, split_items(cast.supplier_org, 1))
    item = rr.line_items.get()
    first, second = (d.required_date.isoformat() for d in item.deliveries.order_by("required_date"))

    rr = _approve(
        rr,
        cast.approver,
        DecisionInput(
            items=[ItemDecisionInput(1, quantity="600", splits={first: "400", second: "200"}, reason="Capacity.")]
        ),
    )

    authorized = RatingAuthorization.objects.get(rating_request=rr).items_snapshot[0]
    assert authorized["quantity"] == "600"
    assert authorized["required_dates"] == [{"date": first, "quantity": "400"}, {"date": second, "quantity": "200"}]
    assert (authorized["window_start"], authorized["window_end"]) == (first, second)
    reduced = _event(rr).data["decision"]["items_reduced"][0]
    assert reduced["deliveries"] == [
        {"date": first, "requested": "500", "approved": "400"},
        {"date": second, "requested": "300", "approved": "200"},
    ]


def test_a_split_reduced_by_its_dates_alone_totals_them(cast):
    rr = recommended_with_items(cast, split_items(cast.supplier_org, 1))
    second = rr.line_items.get().deliveries.order_by("required_date").last().required_date.isoformat()

    rr = _approve(
        rr, cast.approver, DecisionInput(items=[ItemDecisionInput(1, splits={second: "100"}, reason="Half.")])
    )

    authorized = RatingAuthorization.objects.get(rating_request=rr).items_snapshot[0]
    assert authorized["quantity"] == "600"
    assert [d["quantity"] for d in authorized["required_dates"]] == ["500", "100"]


# --- placing is bounded by the decision -------------------------------------------------------


def test_45_cfr_101_32_placing_is_bounded_by_the_reduced_quantity_and_the_approved_level(cast):
    rr = request_in_state(cast, RequestState.RECOMMENDED, level=RatingLevel.DX)
    rr = _approve(
        rr,
        cast.secretary,
        DecisionInput(
            level=RatingLevel.DO,
            level_reason="DO suffices.",
            items=[ItemDecisionInput(1, quantity="4", reason="Four.")],
        ),
    )
    authorization = RatingAuthorization.objects.get(rating_request=rr)
    supplier_id = authorization.supplier_ids()[0]
    _, defaults = placing.placement_defaults(authorization, supplier_id)
    date = defaults[0].deliveries[0].required_date

    def place(quantity: str):
        return placing.rated_order_place(
            authorization=authorization,
            actor=cast.signer,
            supplier_id=supplier_id,
            po_number="ACME-PO-1",
            items=[placing.PlacedItemInput(position=1, quantity=quantity, deliveries=[DeliveryInput(date)])],
            password=PASSWORD,
            otp=otp(cast.signer),
        )

    with pytest.raises(ValidationFailed, match=r"Item 1: 5 each is more than the authorization allows \(4 each\)"):
        place("5")
    order = place("4")

    assert (order.level, order.rating) == ("DO", f"DO-{cast.program.symbol}")
    assert order.versions.get().items_snapshot[0]["quantity"] == "4"


def test_an_excluded_item_cannot_be_placed(cast):
    rr = _three_items(cast)
    rr = _approve(rr, cast.approver, PARTIAL)
    authorization = RatingAuthorization.objects.get(rating_request=rr)
    _, defaults = placing.placement_defaults(authorization, cast.supplier_org.pk)

    with pytest.raises(ValidationFailed, match="Item 2 is not an item the authorization lists for this supplier"):
        placing.rated_order_place(
            authorization=authorization,
            actor=cast.signer,
            supplier_id=cast.supplier_org.pk,
            po_number="ACME-PO-1",
            items=[*defaults, placing.PlacedItemInput(position=2, quantity="1", deliveries=defaults[0].deliveries)],
            password=PASSWORD,
            otp=otp(cast.signer),
        )


# --- refusals change nothing ------------------------------------------------------------------


def _nothing_stored(rr: RatingRequest) -> None:
    assert not ApprovalDecision.objects.filter(rating_request=rr).exists()
    assert not RatingAuthorization.objects.filter(rating_request=rr).exists()


BAD_LEVEL_DECISIONS = [
    ("higher than requested", RatingLevel.DO, DecisionInput(level=RatingLevel.DX), "approved_level"),
    ("not a level", RatingLevel.DO, DecisionInput(level="AA"), "approved_level"),
    ("lower without a reason", RatingLevel.DX, DecisionInput(level=RatingLevel.DO, level_reason="  "), "level_reason"),
]


@pytest.mark.parametrize(
    ("case", "level", "decision", "field"), BAD_LEVEL_DECISIONS, ids=[c[0] for c in BAD_LEVEL_DECISIONS]
)
def test_45_cfr_101_31_a_bad_level_decision_changes_nothing(
    cast, django_capture_on_commit_callbacks, case, level, decision, field
):
    rr = request_in_state(cast, RequestState.RECOMMENDED, level=level)

    error = assert_refused(
        django_capture_on_commit_callbacks, rr, lambda: _approve(rr, cast.secretary, decision), ValidationFailed
    )

    assert error.field == field
    _nothing_stored(rr)


def test_a_level_higher_than_requested_says_an_upgrade_is_a_change_to_the_authorization(
    cast, django_capture_on_commit_callbacks
):
    rr = request_in_state(cast, RequestState.RECOMMENDED)

    error = assert_refused(
        django_capture_on_commit_callbacks,
        rr,
        lambda: _approve(rr, cast.secretary, DecisionInput(level=RatingLevel.DX)),
        ValidationFailed,
    )

    assert error.message == (
        "The request asks for DO; it cannot be approved at DX. Raising the level of a rating is a change to the "
        "authorization once issued."
    )


BAD_ITEM_DECISIONS = [
    ("zero quantity", [ItemDecisionInput(1, quantity="0", reason="x")], "items[1].quantity", "greater than zero"),
    ("over quantity", [ItemDecisionInput(1, quantity="11", reason="x")], "items[1].quantity", "more than the 10 each"),
    ("not a number", [ItemDecisionInput(1, quantity="lots", reason="x")], "items[1].quantity", "is not a number"),
    ("reduced without reason", [ItemDecisionInput(2, quantity="100")], "items[2].reason", "quantity is reduced"),
    ("excluded without reason", [ItemDecisionInput(2, include=False, reason=" ")], "items[2].reason", "not authorized"),
    (
        "all excluded",
        [ItemDecisionInput(n, include=False, reason="No.") for n in (1, 2, 3)],
        "items",
        "deny the request instead",
    ),
    ("unknown item", [ItemDecisionInput(4, include=False, reason="No.")], "items", "no item 4"),
    ("decided twice", [ItemDecisionInput(1), ItemDecisionInput(1)], "items", "decided twice"),
    ("splits on an unsplit item", [ItemDecisionInput(1, splits={"2027-01-05": "1"})], "items[1].splits", "no split"),
]


@pytest.mark.parametrize(
    ("case", "choices", "field", "says"), BAD_ITEM_DECISIONS, ids=[c[0] for c in BAD_ITEM_DECISIONS]
)
def test_45_cfr_101_32_a_bad_item_decision_changes_nothing(
    cast, django_capture_on_commit_callbacks, case, choices, field, says
):
    rr = _three_items(cast)

    error = assert_refused(
        django_capture_on_commit_callbacks,
        rr,
        lambda: _approve(rr, cast.approver, DecisionInput(items=choices)),
        ValidationFailed,
    )

    assert (error.field, says in error.message) == (field, True), error.message
    _nothing_stored(rr)


def _split_dates(rr: RatingRequest) -> tuple[str, str]:
    first, second = (d.required_date.isoformat() for d in rr.line_items.get().deliveries.order_by("required_date"))
    return first, second


@pytest.mark.parametrize(
    ("case", "decide", "says"),
    [
        ("sum differs", lambda f, s: {"quantity": "600", "splits": {f: "400", s: "100"}}, "add up to 500, not the 600"),
        ("split over its date", lambda f, s: {"splits": {f: "600"}}, "more than the 500 requested for that date"),
        ("zero split", lambda f, s: {"splits": {f: "0"}}, "greater than zero"),
        ("reduced without splits", lambda f, s: {"quantity": "600"}, "give the quantity approved for each date"),
        ("unknown date", lambda f, s: {"splits": {"2030-01-01": "1"}}, "not one of its required dates"),
    ],
)
def test_45_cfr_101_32_a_bad_split_decision_changes_nothing(
    cast, django_capture_on_commit_callbacks, case, decide, says
):
    rr = recommended_with_items(cast, split_items(cast.supplier_org, 1))
    choice = ItemDecisionInput(1, reason="Capacity.", **decide(*_split_dates(rr)))

    error = assert_refused(
        django_capture_on_commit_callbacks,
        rr,
        lambda: _approve(rr, cast.approver, DecisionInput(items=[choice])),
        ValidationFailed,
    )

    assert says in error.message, error.message
    _nothing_stored(rr)
