"""Dashboard figures against values computed by hand (in the comments) on hand-built requests."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ratings.constants import HealthResourceCategory, OrderStatus, RequestState, SupplierResponseKind
from ratings.constants_assistance import AssistanceOutcome, AssistanceProblem, AssistanceStatus, AssistanceUrgency
from ratings.models import AssistanceCase
from ratings.selectors.program import dashboard
from ratings.selectors.program.dashboard import BreakdownRow, MonthCounts, OverdueRow, Spread
from ratings.selectors.program.filters import ProgramFilters
from ratings.selectors.program.stats import hhi, percentile
from tests.factories import ProgramFactory
from tests.ratings.program.builders import Line, answer, at, order, request

pytestmark = pytest.mark.django_db

Q1 = ProgramFilters(start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 31))


@pytest.fixture
def history(cast):
    px = ProgramFactory(symbol="PX", name="Pandemic X")
    common = dict(applicant=cast.manufacturer, contact=cast.applicant, program=cast.program)
    r1 = request(**common, state=RequestState.ISSUED, submitted_at=at(2026, 1, 10), decided_at=at(2026, 1, 20))
    r2 = request(**common, state=RequestState.DENIED, submitted_at=at(2026, 1, 15), decided_at=at(2026, 2, 4))
    request(**common, state=RequestState.APPROVED, submitted_at=at(2026, 2, 1), decided_at=at(2026, 2, 5))
    request(**common, state=RequestState.WITHDRAWN, submitted_at=at(2026, 2, 10), withdrawn_at=at(2026, 2, 12))
    request(**common, state=RequestState.IN_REVIEW, submitted_at=at(2026, 3, 3))
    request(**common, state=RequestState.DRAFT)  # never submitted: never counted
    request(
        applicant=cast.manufacturer,
        contact=cast.applicant,
        program=px,
        category=HealthResourceCategory.THERAPEUTIC,
        level="DX",
        state=RequestState.ISSUED,
        submitted_at=at(2025, 12, 10),
        decided_at=at(2026, 1, 9),
    )
    return {"px": px, "r1": r1, "r2": r2}


def test_counts_by_month_date_each_outcome_by_its_own_moment(history):
    # requested by submission, approved/denied by decision, withdrawn by withdrawal:
    # Jan: r1, r2 submitted; r1 and the PX request approved. Feb: r3, r4 submitted; r3 approved,
    # r2 denied, r4 withdrawn. Mar: r5 submitted.
    assert dashboard.request_counts_by_month(Q1) == [
        MonthCounts(dt.date(2026, 1, 1), requested=2, approved=2, denied=0, withdrawn=0),
        MonthCounts(dt.date(2026, 2, 1), requested=2, approved=1, denied=1, withdrawn=1),
        MonthCounts(dt.date(2026, 3, 1), requested=1, approved=0, denied=0, withdrawn=0),
    ]


def test_counts_follow_the_program_and_category_filters(history):
    px_only = ProgramFilters(start=Q1.start, end=Q1.end, program_id=history["px"].pk)
    assert [m.approved for m in dashboard.request_counts_by_month(px_only)] == [1, 0, 0]
    assert [m.requested for m in dashboard.request_counts_by_month(px_only)] == [0, 0, 0]
    therapeutic = ProgramFilters(start=Q1.start, end=Q1.end, category=HealthResourceCategory.THERAPEUTIC)
    assert dashboard.request_counts_by_month(therapeutic) == dashboard.request_counts_by_month(px_only)


def test_breakdown_by_program_category_and_level(history):
    assert dashboard.request_breakdown(Q1) == [
        BreakdownRow("HR", "Vaccine", "DO", requested=5, approved=2, denied=1, withdrawn=1),
        BreakdownRow("PX", "Therapeutic", "DX", requested=0, approved=1, denied=0, withdrawn=0),
    ]


def test_decision_time_median_and_90th_percentile(history):
    # Decided in the period: r1 10 days, r2 20, r3 4, the PX request 30 -> sorted 4, 10, 20, 30.
    # Median (15) is halfway between 10 and 20; p90 sits at rank 0.9 * 3 = 2.7: 20 + 0.7 * 10 = 27.
    times = dashboard.decision_times(Q1)
    assert times.overall == Spread(4, 15.0, 27.0)
    # By month of decision. Jan: 10 and 30 -> median 20, p90 10 + 0.9 * 20 = 28.
    # Feb: 20 and 4 -> median 12, p90 4 + 0.9 * 16 = 18.4.
    assert [(m.month, m.spread.count) for m in times.by_month] == [(dt.date(2026, 1, 1), 2), (dt.date(2026, 2, 1), 2)]
    assert times.by_month[0].spread.median == pytest.approx(20.0)
    assert times.by_month[0].spread.p90 == pytest.approx(28.0)
    assert times.by_month[1].spread.median == pytest.approx(12.0)
    assert times.by_month[1].spread.p90 == pytest.approx(18.4)


def test_python_percentile_interpolates_as_percentile_cont():
    assert percentile([4, 10, 20, 30], 0.5) == 15
    assert percentile([4, 10, 20, 30], 0.9) == pytest.approx(27.0)
    assert percentile([7], 0.9) == 7
    assert percentile([], 0.5) is None


def test_hhi_of_50_30_20_is_3800():
    assert hhi([50, 30, 20]) == 3800  # 2,500 + 900 + 400
    assert hhi([100]) == 10_000


def test_supplier_answer_times_and_acceptance_rates(cast, history):
    r1 = history["r1"]
    received = at(2026, 1, 21)
    filtra_a = order(source=r1, supplier=cast.supplier_org, lines=[Line("Skid", "4")], received_at=received)
    filtra_b = order(source=r1, supplier=cast.supplier_org, lines=[Line("Skid", "2")], received_at=received)
    pumpco = order(source=r1, supplier=cast.supplier_org2, lines=[Line("Pump", "1")], received_at=at(2026, 2, 6))
    answer(filtra_a, kind=SupplierResponseKind.ACCEPT, at_=at(2026, 1, 23), responder=cast.supplier)  # 2 days
    answer(filtra_b, kind=SupplierResponseKind.REJECT, at_=at(2026, 1, 26), responder=cast.supplier)  # 5 days
    answer(pumpco, kind=SupplierResponseKind.ACCEPT, at_=at(2026, 2, 7), responder=cast.supplier2, late=True)  # 1
    answer(pumpco, kind=SupplierResponseKind.DELAY, at_=at(2026, 2, 9), responder=cast.supplier2)  # not an answer

    overall, suppliers = dashboard.supplier_answers(Q1)

    # All: 3 answers, 2 accepted (66.7 %); times 1, 2, 5 -> median 2, p90 at rank 1.8: 2 + 0.8 * 3 = 4.4.
    assert (overall.answered, overall.accepted, overall.rejected, overall.late) == (3, 2, 1, 1)
    assert overall.acceptance_rate == pytest.approx(200 / 3)
    assert overall.time.median == pytest.approx(2.0)
    assert overall.time.p90 == pytest.approx(4.4)
    # Filtra: 2 answers, 1 accepted (50 %), times 2 and 5 -> median 3.5, p90 2 + 0.9 * 3 = 4.7.
    filtra, pump = suppliers
    assert (filtra.supplier, filtra.answered, filtra.accepted, filtra.rejected) == ("Filtra Corp", 2, 1, 1)
    assert filtra.acceptance_rate == 50
    assert (filtra.time.median, filtra.time.p90) == (pytest.approx(3.5), pytest.approx(4.7))
    assert (pump.supplier, pump.answered, pump.accepted, pump.acceptance_rate, pump.late) == ("PumpCo", 1, 1, 100, 1)
    assert (pump.time.median, pump.time.p90) == (pytest.approx(1.0), pytest.approx(1.0))


def test_overdue_orders_by_program(cast, history):
    r1 = history["r1"]
    past = timezone.now() - dt.timedelta(days=2)
    order(
        source=r1, supplier=cast.supplier_org, lines=[Line("A", "1")], status=OrderStatus.ISSUED, response_due_at=past
    )
    order(source=r1, supplier=cast.supplier_org, lines=[Line("B", "1", due=dt.date(2026, 1, 2))])  # accepted, late
    order(source=r1, supplier=cast.supplier_org, lines=[Line("C", "1")])  # accepted, due 2099
    order(
        source=r1,
        supplier=cast.supplier_org,
        lines=[Line("D", "1", due=dt.date(2026, 1, 2))],
        status=OrderStatus.FULFILLED,
    )  # delivered: not overdue
    assert dashboard.overdue_orders(Q1) == [OverdueRow("HR", answer_overdue=1, delivery_overdue=1)]


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


def test_dashboard_query_count_does_not_grow_with_requests_and_orders(cast, history):
    def everything():
        dashboard.request_counts_by_month(Q1)
        dashboard.request_breakdown(Q1)
        dashboard.decision_times(Q1)
        dashboard.supplier_answers(Q1)
        dashboard.overdue_orders(Q1)

    before = _queries(everything)
    for day in range(1, 20):
        rr = request(
            applicant=cast.manufacturer,
            contact=cast.applicant,
            program=cast.program,
            state=RequestState.ISSUED,
            submitted_at=at(2026, 1, day),
            decided_at=at(2026, 2, day),
        )
        placed = order(source=rr, supplier=cast.supplier_org, lines=[Line("X", "1")], received_at=at(2026, 2, day))
        answer(placed, kind=SupplierResponseKind.ACCEPT, at_=at(2026, 2, day + 1), responder=cast.supplier)
    assert _queries(everything) == before == 10  # 4 + 1 + 2 + 2 + 1


def test_open_assistance_cases_by_program_with_the_oldest_age(cast, history):
    r1 = history["r1"]
    now = timezone.now()
    for n, (opened_days_ago, target_days, status) in enumerate(
        [(10, -3, AssistanceStatus.OPEN), (4, 2, AssistanceStatus.IN_PROGRESS), (30, -20, AssistanceStatus.CLOSED)]
    ):
        AssistanceCase.objects.create(
            reference=f"SPA-T-{n}",
            order=order(source=r1, supplier=cast.supplier_org, lines=[Line("A", "1")]),  # one open case an order
            organization=cast.manufacturer,
            opened_by=cast.applicant,
            opened_at=now - dt.timedelta(days=opened_days_ago),
            problem=AssistanceProblem.REJECTED,
            urgency=AssistanceUrgency.ROUTINE,
            tried="Called.",
            impact="Late doses.",
            needed_dates=["2099-01-01"],
            status=status,
            target_due_at=now + dt.timedelta(days=target_days),
            closed_at=now if status == AssistanceStatus.CLOSED else None,
            outcome=AssistanceOutcome.AGREEMENT if status == AssistanceStatus.CLOSED else "",
        )
    # Open: the 10-day and the 4-day case (the closed one is not counted); one is past its target.
    [row] = dashboard.open_assistance_cases(Q1)
    assert (row.program, row.open_cases, row.past_target) == ("HR", 2, 1)
    assert row.oldest_days == pytest.approx(10.0, abs=0.01)
