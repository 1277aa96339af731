"""Special priorities assistance (15 CFR 700.50-700.55) and directives (15 CFR 700.62 model;
45 CFR 101.31(a)(3): a directive takes precedence over DX and DO orders): the placing party
opens a case from an order, HHS works it, a signed directive is delivered like an order and
acknowledged by the supplier. Every step is audited and on the order's timeline."""

from __future__ import annotations

import pytest

from audit.models import AuditEvent
from dpa_portal.errors import InvalidState, PermissionRefused, ValidationFailed
from ratings.clock import assistance_target_due
from ratings.constants import NotificationKind, OrderStatus, SupplierResponseKind
from ratings.constants_assistance import AssistanceEntryKind, AssistanceOutcome, AssistanceStatus
from ratings.models import AssistanceCase, Directive, Notification, RatedOrder
from ratings.services.assistance import cases, directives
from ratings.services.orders import clocks as order_clocks
from tests.factories import PASSWORD, otp
from tests.portal.orders import accepted, issue, order_snapshot
from tests.ratings.casework import directive, later, open_case, rejected_with_offer, taken_case


def test_700_50_the_placing_party_opens_a_case_from_a_rejected_order(cast):
    case = open_case(cast)

    assert (case.status, case.problem, case.urgency, case.organization) == (
        AssistanceStatus.OPEN,
        "rejected",
        "urgent",
        cast.manufacturer,
    )
    assert case.reference.startswith("SPA-")
    assert case.needed_dates == [later(60).isoformat()]
    assert case.target_due_at == assistance_target_due(opened_at=case.opened_at)
    assert [e.kind for e in case.entries.all()] == [AssistanceEntryKind.OPENED]
    event = AuditEvent.objects.get(action="assistance_case.open")
    assert (event.reference, event.data["order"], event.data["problem"]) == (
        case.reference,
        case.order.order_number,
        "rejected",
    )
    opened = Notification.objects.filter(kind=NotificationKind.ASSISTANCE_CASE_OPENED)
    assert list(opened.values_list("recipient_id", flat=True)) == [cast.intake.pk]


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("problem", {"problem": "unanswered"}),  # the order was answered (rejected)
        ("urgency", {"urgency": "whenever"}),
        ("tried", {"tried": "  "}),
        ("impact", {"impact": ""}),
        ("needed_dates", {"needed_dates": []}),
        ("needed_dates", {"needed_dates": ["ASAP"]}),
    ],
)
def test_700_50_a_request_for_assistance_missing_a_part_is_refused_and_changes_nothing(cast, field, values):
    order = rejected_with_offer(cast)
    before = order_snapshot(order)
    given = {
        "problem": "rejected",
        "urgency": "urgent",
        "tried": "Called.",
        "impact": "Line stops.",
        "needed_dates": [later(20)],
    } | values
    with pytest.raises(ValidationFailed) as error:
        cases.assistance_case_open(order=order, actor=cast.applicant, **given)
    assert error.value.field == field
    assert order_snapshot(order) == before
    assert not AssistanceCase.objects.exists()


def test_problems_offered_follow_the_orders_state(cast):
    from ratings.selectors.assistance import problems_for

    assert problems_for(issue(cast)) == ["refusal"]
    assert problems_for(accepted(cast)) == ["late_delivery", "conflict", "refusal"]
    assert problems_for(rejected_with_offer(cast)) == ["rejected", "refusal"]


def test_only_the_placing_party_opens_a_case_and_only_one_at_a_time(cast):
    order = rejected_with_offer(cast)
    for outsider in (cast.supplier, cast.applicant2, cast.intake):
        with pytest.raises(PermissionRefused):
            cases.assistance_case_open(
                order=order,
                actor=outsider,
                problem="rejected",
                urgency="urgent",
                tried="x",
                impact="y",
                needed_dates=[later(9)],
            )
    cases.assistance_case_open(
        order=order,
        actor=cast.applicant,
        problem="rejected",
        urgency="urgent",
        tried="x",
        impact="y",
        needed_dates=[later(9)],
    )
    with pytest.raises(ValidationFailed):
        cases.assistance_case_open(
            order=order,
            actor=cast.applicant,
            problem="rejected",
            urgency="urgent",
            tried="x",
            impact="y",
            needed_dates=[later(9)],
        )


def test_hhs_works_the_case_questions_actions_and_outcome(cast):
    case = taken_case(cast)
    assert (case.status, case.case_officer) == (AssistanceStatus.IN_PROGRESS, cast.intake)

    case = cases.assistance_case_ask(case=case, actor=cast.intake, party="supplier", question="When can you ship?")
    asked = Notification.objects.filter(kind=NotificationKind.ASSISTANCE_UPDATE, recipient=cast.supplier)
    assert asked.filter(subject__contains="HHS asks you a question").exists()
    case = cases.assistance_case_answer(case=case, actor=cast.supplier, answer="In March if the resin arrives.")
    case = cases.assistance_case_record_action(case=case, actor=cast.intake, action="Called both parties.")
    # Only the case officer asks, records and closes
    with pytest.raises(PermissionRefused):
        cases.assistance_case_record_action(case=case, actor=cast.reviewer, action="Me too.")
    # A "directive issued" outcome needs a directive
    with pytest.raises(ValidationFailed) as error:
        cases.assistance_case_close(case=case, actor=cast.intake, outcome="directive", reason="Directed.")
    assert error.value.field == "outcome"
    case = cases.assistance_case_close(case=case, actor=cast.intake, outcome="rescheduled", reason="New dates agreed.")

    assert (case.status, case.outcome, case.closed_by) == (
        AssistanceStatus.CLOSED,
        AssistanceOutcome.RESCHEDULED,
        cast.intake,
    )
    assert [e.kind for e in case.entries.all()] == ["opened", "taken", "question", "answer", "action", "closed"]
    actions = list(
        AuditEvent.objects.filter(reference=case.reference, outcome="success")
        .order_by("sequence")
        .values_list("action", flat=True)
    )
    assert actions == [
        "assistance_case.open",
        "assistance_case.take",
        "assistance_case.ask",
        "assistance_case.answer",
        "assistance_case.record_action",
        "assistance_case.close",
    ]
    with pytest.raises(InvalidState):
        cases.assistance_case_ask(case=case, actor=cast.intake, party="customer", question="Still there?")


def test_a_case_officer_belongs_to_neither_party(cast):
    case = open_case(cast)
    with pytest.raises(ValidationFailed) as error:
        cases.assistance_case_take(case=case, actor=cast.intake, case_officer=cast.supplier)
    assert error.value.field == "case_officer"
    assert AssistanceCase.objects.get().status == AssistanceStatus.OPEN


def test_700_62_a_directive_needs_dx_authority_and_a_fresh_signature(cast):
    case = taken_case(cast)
    with pytest.raises(PermissionRefused, match="DX authority"):
        directives.directive_issue(
            case=case,
            actor=cast.approver,
            requirement="accept_order",
            terms="Accept.",
            password=PASSWORD,
            otp=otp(cast.approver),
        )
    with pytest.raises(PermissionRefused):
        directives.directive_issue(
            case=case, actor=cast.secretary, requirement="accept_order", terms="Accept.", password="wrong"
        )
    with pytest.raises(ValidationFailed) as error:
        directives.directive_issue(
            case=case,
            actor=cast.secretary,
            requirement="meet_schedule",
            terms="Deliver.",
            password=PASSWORD,
            otp=otp(cast.secretary),
        )
    assert error.value.field == "schedule_date"
    assert not Directive.objects.exists()


def test_700_62_a_directive_is_delivered_like_an_order_and_acknowledged_by_the_supplier(cast):
    issued = directive(cast)
    order = issued.order
    assert order.status == OrderStatus.REJECTED
    assert (issued.printed_name, issued.meaning, len(issued.content_sha256)) == (
        cast.secretary.printed_name,
        "Directed: HHS requires the supplier to act as stated (precedence over DX and DO)",
        64,
    )
    notice = Notification.objects.get(kind=NotificationKind.DIRECTIVE_ISSUED)
    assert notice.recipient == cast.supplier
    order_clocks.order_notice_delivered(notification=notice, sent_at=issued.signed_at)
    issued.refresh_from_db()
    assert issued.delivered_at == issued.signed_at
    assert AuditEvent.objects.filter(action="directive.delivered", reference=issued.case.reference).count() == 1

    with pytest.raises(PermissionRefused):
        directives.directive_acknowledge(directive=issued, actor=cast.applicant)
    issued = directives.directive_acknowledge(directive=issued, actor=cast.supplier)

    assert (issued.acknowledged_by, issued.acknowledged_name) == (cast.supplier, cast.supplier.printed_name)
    order = RatedOrder.objects.get(pk=order.pk)
    assert order.status == OrderStatus.ACCEPTED  # a directive to accept: accepted under it
    acceptance = order.responses.filter(kind=SupplierResponseKind.ACCEPT).get()
    assert acceptance.meaning == f"Accepted under HHS directive {issued.number}"
    event = AuditEvent.objects.get(action="directive.acknowledge", outcome="success")
    assert (event.from_state, event.to_state, event.data["order_accepted"]) == ("rejected", "accepted", True)
    with pytest.raises(ValidationFailed):
        directives.directive_acknowledge(directive=issued, actor=cast.supplier)
    case = cases.assistance_case_close(case=issued.case, actor=cast.intake, outcome="directive", reason="Directed.")
    assert case.outcome == AssistanceOutcome.DIRECTIVE


def test_the_case_and_directive_show_on_both_parties_order_pages(cast, client):
    issued = directive(cast)
    order = issued.order
    client.force_login(cast.supplier)
    page = client.get(f"/portal/orders/{order.order_number}/").content.decode()
    assert issued.number in page and "Acknowledge the directive" in page and issued.case.reference in page
    response = client.post(
        f"/portal/orders/{order.order_number}/directives/{issued.number}/acknowledge/", {"confirm": "on"}
    )
    assert response.status_code == 302
    assert Directive.objects.get().acknowledged_at is not None
    client.force_login(cast.applicant)
    page = client.get(f"/portal/placed/{order.order_number}/").content.decode()
    assert "Directive acknowledged by the supplier" in page
    page = client.get(f"/portal/requests/{order.source_request_id}/").content.decode()
    assert "Directive acknowledged by the supplier" in page


def test_the_admin_case_page_shows_the_timeline_and_takes_each_step(cast, client):
    case = open_case(cast)
    client.force_login(cast.intake)
    page = client.get(f"/admin/ratings/assistancecase/{case.pk}/change/").content.decode()
    assert "Take in and name the case officer" in page and case.reference in page
    response = client.post(f"/admin/ratings/assistancecase/{case.pk}/step/take/", {"case_officer": str(cast.intake.pk)})
    assert response.status_code == 302
    assert AssistanceCase.objects.get(pk=case.pk).case_officer == cast.intake
    response = client.post(f"/admin/ratings/assistancecase/{case.pk}/step/ask/", {"party": "supplier", "question": ""})
    assert response.status_code == 200 and "Write the question." in response.content.decode()
    assert case.reference in client.get("/admin/ratings/assistancecase/").content.decode()
