"""The program dashboard: requests over time and by program, category and level; how long HHS
takes to decide; how suppliers answer; what is overdue. A handful of aggregate queries each,
whatever the number of requests and orders."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, DateTimeField, DurationField, ExpressionWrapper, F, Min, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from ratings.clock import agency_time_zone, agency_today
from ratings.constants import HealthResourceCategory, OrderStatus, RequestState, SupplierResponseKind
from ratings.constants_assistance import AssistanceStatus
from ratings.models import AssistanceCase, RatedOrderVersion, RatingRequest, SupplierResponse
from ratings.models.orders import AWAITING_RESPONSE_STATUSES
from ratings.selectors.program.filters import ProgramFilters
from ratings.selectors.program.stats import PercentileCont, database_percentiles, days, percentile

APPROVED_STATES = [RequestState.APPROVED, RequestState.ISSUED]
DECIDED_STATES = [*APPROVED_STATES, RequestState.DENIED]
OUTCOMES = ("requested", "approved", "denied", "withdrawn")


def _month(field_name: str) -> TruncMonth:
    return TruncMonth(field_name, tzinfo=agency_time_zone(), output_field=DateTimeField())


def _as_day(moment: dt.datetime | dt.date) -> dt.date:
    if isinstance(moment, dt.datetime):
        return moment.astimezone(agency_time_zone()).date() if moment.tzinfo else moment.date()
    return moment


def requests_in_scope(filters: ProgramFilters) -> QuerySet[RatingRequest]:
    queryset = RatingRequest.objects.exclude(submitted_at__isnull=True)
    if filters.program_id:
        queryset = queryset.filter(program_id=filters.program_id)
    if filters.category:
        queryset = queryset.filter(category=filters.category)
    return queryset


# Which moment dates each outcome: a request counts as requested when first submitted, as approved
# or denied when decided, as withdrawn when withdrawn (nothing changes a withdrawn request after).
OUTCOME_FILTERS: dict[str, tuple[str, Q]] = {
    "requested": ("submitted_at", Q()),
    "approved": ("decided_at", Q(state__in=APPROVED_STATES)),
    "denied": ("decided_at", Q(state=RequestState.DENIED)),
    "withdrawn": ("updated_at", Q(state=RequestState.WITHDRAWN)),
}


def _in_period(moment_field: str, filters: ProgramFilters) -> Q:
    return Q(**{f"{moment_field}__gte": filters.since, f"{moment_field}__lte": filters.until})


@dataclass(frozen=True)
class MonthCounts:
    month: dt.date
    requested: int = 0
    approved: int = 0
    denied: int = 0
    withdrawn: int = 0


def request_counts_by_month(filters: ProgramFilters) -> list[MonthCounts]:
    """Requests requested, approved, denied and withdrawn in each month of the period (agency
    time); months without any count as zero. One query per outcome."""
    counts: dict[dt.date, dict[str, int]] = {month: {} for month in filters.months()}
    scope = requests_in_scope(filters)
    for outcome, (moment_field, condition) in OUTCOME_FILTERS.items():
        rows = (
            scope.filter(condition, _in_period(moment_field, filters))
            .annotate(month=_month(moment_field))
            .values("month")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for row in rows:
            counts.setdefault(_as_day(row["month"]), {})[outcome] = row["n"]
    return [MonthCounts(month=month, **values) for month, values in sorted(counts.items())]


@dataclass(frozen=True)
class BreakdownRow:
    program: str
    category: str
    level: str
    requested: int
    approved: int
    denied: int
    withdrawn: int


def request_breakdown(filters: ProgramFilters) -> list[BreakdownRow]:
    """The same four counts over the whole period, by program, category and level (one query)."""
    periods = {
        outcome: condition & _in_period(moment, filters) for outcome, (moment, condition) in OUTCOME_FILTERS.items()
    }
    any_in_period = Q()
    for condition in periods.values():
        any_in_period |= condition
    rows = (
        requests_in_scope(filters)
        .filter(any_in_period)
        .values("program__symbol", "category", "requested_level")
        .annotate(**{outcome: Count("pk", filter=condition) for outcome, condition in periods.items()})
        .order_by("program__symbol", "category", "requested_level")
    )
    labels = dict(HealthResourceCategory.choices)
    return [
        BreakdownRow(
            program=row["program__symbol"],
            category=str(labels.get(row["category"], row["category"])),
            level=row["requested_level"],
            **{outcome: row[outcome] for outcome in OUTCOMES},
        )
        for row in rows
    ]


@dataclass(frozen=True)
class Spread:
    """How long something took, in days: count, median and 90th percentile."""

    count: int
    median: float | None
    p90: float | None


@dataclass(frozen=True)
class MonthSpread:
    month: dt.date
    spread: Spread


@dataclass(frozen=True)
class DecisionTimes:
    overall: Spread
    by_month: list[MonthSpread] = field(default_factory=list)


DECISION_TIME = ExpressionWrapper(F("decided_at") - F("submitted_at"), output_field=DurationField())


def decision_times(filters: ProgramFilters) -> DecisionTimes:
    """Submission to decision (approval or denial), in calendar days, for requests decided in the
    period: overall and by month of decision. Two queries."""
    decided = requests_in_scope(filters).filter(
        _in_period("decided_at", filters), state__in=DECIDED_STATES, decided_at__isnull=False
    )
    if database_percentiles():
        overall = decided.aggregate(
            n=Count("pk"), median=PercentileCont(DECISION_TIME, 0.5), p90=PercentileCont(DECISION_TIME, 0.9)
        )
        trend = (
            decided.annotate(month=_month("decided_at"))
            .values("month")
            .annotate(n=Count("pk"), median=PercentileCont(DECISION_TIME, 0.5), p90=PercentileCont(DECISION_TIME, 0.9))
            .order_by("month")
        )
        return DecisionTimes(
            overall=Spread(overall["n"], days(overall["median"]), days(overall["p90"])),
            by_month=[
                MonthSpread(_as_day(row["month"]), Spread(row["n"], days(row["median"]), days(row["p90"])))
                for row in trend
            ],
        )
    values: dict[dt.date, list[float]] = defaultdict(list)
    for month, duration in decided.annotate(month=_month("decided_at"), took=DECISION_TIME).values_list(
        "month", "took"
    ):
        values[_as_day(month)].append(days(duration) or 0.0)
    everything = [v for month_values in values.values() for v in month_values]
    return DecisionTimes(
        overall=_spread(everything),
        by_month=[MonthSpread(month, _spread(v)) for month, v in sorted(values.items())],
    )


def _spread(values: list[float]) -> Spread:
    return Spread(len(values), percentile(values, 0.5), percentile(values, 0.9))


@dataclass(frozen=True)
class SupplierAnswers:
    supplier_id: int | None
    supplier: str
    answered: int
    accepted: int
    rejected: int
    late: int
    time: Spread

    @property
    def acceptance_rate(self) -> float | None:
        """Accepted answers as a percentage of all answers (accept or reject)."""
        return self.accepted * 100 / self.answered if self.answered else None


ANSWER_TIME = ExpressionWrapper(F("responded_at") - F("version__received_at"), output_field=DurationField())


def _answers_in_scope(filters: ProgramFilters) -> QuerySet[SupplierResponse]:
    answers = SupplierResponse.objects.filter(
        _in_period("responded_at", filters), kind__in=[SupplierResponseKind.ACCEPT, SupplierResponseKind.REJECT]
    )
    if filters.program_id:
        answers = answers.filter(order__program_id=filters.program_id)
    if filters.category:
        answers = answers.filter(order__source_request__category=filters.category)
    return answers


def _answer_aggregates() -> dict[str, Any]:
    return {
        "answered": Count("pk"),
        "accepted": Count("pk", filter=Q(kind=SupplierResponseKind.ACCEPT)),
        "rejected": Count("pk", filter=Q(kind=SupplierResponseKind.REJECT)),
        "late": Count("pk", filter=Q(late=True)),
    }


def supplier_answers(filters: ProgramFilters) -> tuple[SupplierAnswers, list[SupplierAnswers]]:
    """Supplier answers (accept or reject) given in the period: how many, how many accepted, how
    many late, and the time from receipt of the order to the answer (median, 90th percentile).
    All suppliers together, then each supplier, most answers first. Two queries."""
    answers = _answers_in_scope(filters)
    if database_percentiles():
        timing = {"median": PercentileCont(ANSWER_TIME, 0.5), "p90": PercentileCont(ANSWER_TIME, 0.9)}
        total = answers.aggregate(**_answer_aggregates(), **timing)
        rows = list(
            answers.values("order__supplier_id", "order__supplier__legal_name")
            .annotate(**_answer_aggregates(), **timing)
            .order_by("-answered", "order__supplier__legal_name")
        )
        times = {
            row["order__supplier_id"]: Spread(row["answered"], days(row["median"]), days(row["p90"])) for row in rows
        }
        overall_time = Spread(total["answered"], days(total["median"]), days(total["p90"]))
    else:
        total = answers.aggregate(**_answer_aggregates())
        rows = list(
            answers.values("order__supplier_id", "order__supplier__legal_name")
            .annotate(**_answer_aggregates())
            .order_by("-answered", "order__supplier__legal_name")
        )
        durations: dict[int, list[float]] = defaultdict(list)
        for supplier_id, took in answers.exclude(version__received_at__isnull=True).values_list(
            "order__supplier_id", ANSWER_TIME
        ):
            durations[supplier_id].append(days(took) or 0.0)
        times = {row["order__supplier_id"]: _spread(durations[row["order__supplier_id"]]) for row in rows}
        overall_time = _spread([v for values in durations.values() for v in values])
    overall = SupplierAnswers(
        None, "All suppliers", total["answered"], total["accepted"], total["rejected"], total["late"], overall_time
    )
    per_supplier = [
        SupplierAnswers(
            row["order__supplier_id"],
            row["order__supplier__legal_name"],
            row["answered"],
            row["accepted"],
            row["rejected"],
            row["late"],
            times[row["order__supplier_id"]],
        )
        for row in rows
    ]
    return overall, per_supplier


@dataclass(frozen=True)
class OverdueRow:
    program: str
    answer_overdue: int
    delivery_overdue: int


def overdue_orders(filters: ProgramFilters) -> list[OverdueRow]:
    """Rated orders overdue now, by program: the supplier's answer is past due, or an accepted
    order is past its earliest required delivery date and not fulfilled. One query."""
    now, today = timezone.now(), agency_today()
    versions = RatedOrderVersion.objects.filter(number=F("order__current_version"))
    if filters.program_id:
        versions = versions.filter(order__program_id=filters.program_id)
    if filters.category:
        versions = versions.filter(order__source_request__category=filters.category)
    answer = Q(order__status__in=AWAITING_RESPONSE_STATUSES, response_due_at__lt=now)
    delivery = Q(order__status=OrderStatus.ACCEPTED, earliest_required_date__lt=today)
    rows = (
        versions.filter(answer | delivery)
        .values("order__program__symbol")
        .annotate(answer_overdue=Count("pk", filter=answer), delivery_overdue=Count("pk", filter=delivery))
        .order_by("order__program__symbol")
    )
    return [OverdueRow(row["order__program__symbol"], row["answer_overdue"], row["delivery_overdue"]) for row in rows]


@dataclass(frozen=True)
class AssistanceRow:
    program: str
    open_cases: int
    oldest_days: float | None  # age of the oldest open case
    past_target: int  # open cases past HHS's response target


def open_assistance_cases(filters: ProgramFilters) -> list[AssistanceRow]:
    """Special priorities assistance cases open now, by program: how many, the oldest one's age
    in days, and how many are past HHS's response target. One query."""
    now = timezone.now()
    cases = AssistanceCase.objects.exclude(status=AssistanceStatus.CLOSED)
    if filters.program_id:
        cases = cases.filter(order__program_id=filters.program_id)
    if filters.category:
        cases = cases.filter(order__source_request__category=filters.category)
    rows = (
        cases.values("order__program__symbol")
        .annotate(n=Count("pk"), oldest=Min("opened_at"), late=Count("pk", filter=Q(target_due_at__lt=now)))
        .order_by("order__program__symbol")
    )
    return [
        AssistanceRow(row["order__program__symbol"], row["n"], days(now - row["oldest"]), row["late"]) for row in rows
    ]
