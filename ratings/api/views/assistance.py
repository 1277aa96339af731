"""Special priorities assistance cases (15 CFR 700.50-700.55): the placing party opens a case
from a rated order and answers HHS's questions, the supplier answers too, HHS staff work the
queue (take in, ask, record actions, close). The same services as the portal and the admin;
who may take each step is the service's rule (a refusal is a 403 problem, audited)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from dpa_portal.errors import ValidationFailed
from ratings.api import assistance_serializers as s
from ratings.api.base import PageQuery, ResourceAction, ResourceView
from ratings.api.schema import (
    CHANGE_ERRORS,
    CREATE_ERRORS,
    DETAIL_ERRORS,
    IDEMPOTENCY_KEY,
    IF_MATCH,
    IF_NONE_MATCH,
    READ_ERRORS,
    responses,
)
from ratings.constants_assistance import AssistanceProblem, AssistanceStatus
from ratings.models import AssistanceCase, User
from ratings.selectors import assistance as assistance_selectors
from ratings.selectors import orders as order_selectors
from ratings.services.assistance import cases

TAG = ["Assistance cases"]


class CaseListQuery(PageQuery):
    status = serializers.ChoiceField(
        choices=AssistanceStatus.choices,
        required=False,
        help_text="HHS's queue: open (waiting for intake) or in_progress; closed for the record.",
    )
    problem = serializers.ChoiceField(choices=AssistanceProblem.choices, required=False)


class CaseView(ResourceView[AssistanceCase]):
    def visible(self) -> QuerySet[AssistanceCase]:
        return assistance_selectors.assistance_cases_for(self.request.user)

    def load(self, reference: str) -> AssistanceCase:
        return get_object_or_404(self.visible().prefetch_related("entries"), reference=reference)

    def data(self, case: AssistanceCase) -> Any:
        return s.AssistanceCaseSerializer(case).data


class CaseList(CaseView):
    lists = True
    list_query = CaseListQuery
    cursor_ordering = ("opened_at", "pk")

    @extend_schema(
        operation_id="assistance_cases_list",
        tags=TAG,
        summary="List assistance cases",
        description="The placing party and the supplier: cases about their orders; HHS staff and auditors: every "
        "case (the queue: `?status=open`). Oldest first.",
        parameters=[CaseListQuery, IF_NONE_MATCH],
        responses=responses(s.AssistanceCaseSummarySerializer(many=True), 304, *READ_ERRORS),
    )
    def get(self, request: Request) -> Response:
        return self.paged(self.filtered(self.visible(), "status", "problem"), s.AssistanceCaseSummarySerializer)

    @extend_schema(
        operation_id="assistance_cases_open",
        tags=TAG,
        summary="Ask HHS for special priorities assistance",
        description="The placing party opens a case from one of its rated orders, with a problem the order shows "
        "now (rejected; unanswered past its due time; late or in conflict once accepted; refusal), what it "
        "tried, the impact of a delay and the dates it needs (15 CFR 700.50-700.51). One open case per order. "
        "HHS intake is told; its target response time runs from now.",
        parameters=[IDEMPOTENCY_KEY],
        request=s.CaseOpenSerializer,
        responses=responses(s.AssistanceCaseSerializer, *CREATE_ERRORS, ok_status=201),
    )
    def post(self, request: Request) -> Response:
        data = self.parsed(s.CaseOpenSerializer).validated_data
        order = order_selectors.rated_orders_for(request.user).filter(order_number=data["order"]).first()
        if order is None:
            raise ValidationFailed("No rated order with this number is visible to you.", field="order")
        case = cases.assistance_case_open(
            order=order,
            actor=self.actor,
            problem=data["problem"],
            urgency=data["urgency"],
            tried=data["tried"],
            impact=data["impact"],
            needed_dates=data["needed_dates"],
        )
        location = reverse("api-assistance-case", args=[case.reference])
        return self.fresh(case.reference, status.HTTP_201_CREATED, location=location)


class CaseDetail(CaseView):
    @extend_schema(
        operation_id="assistance_cases_retrieve",
        tags=TAG,
        summary="Read an assistance case",
        description="The case with its timeline: intake, questions and answers, actions, directives, outcome.",
        parameters=[IF_NONE_MATCH],
        responses=responses(s.AssistanceCaseSerializer, 304, *DETAIL_ERRORS),
    )
    def get(self, request: Request, reference: str) -> Response:
        return self.fresh(reference)


def _case_officer(data: dict[str, Any]) -> User:
    officer = User.objects.filter(pk=data["case_officer"], is_active=True).first()
    if officer is None:
        raise ValidationFailed("No such user.", field="case_officer")
    return officer


Step = Callable[[AssistanceCase, User, dict[str, Any], int], object]
STEPS: dict[str, tuple[str, str, type[serializers.Serializer], Step]] = {
    "answer": (
        "Answer HHS's question",
        "The placing party or the supplier answers the case officer.",
        s.CaseAnswerSerializer,
        lambda case, actor, data, v: cases.assistance_case_answer(case=case, actor=actor, answer=data["answer"]),
    ),
    "take": (
        "Take the case in",
        "HHS intake takes an open case in and names its case officer (HHS workflow staff belonging to neither "
        "party and conflicted with neither).",
        s.CaseTakeSerializer,
        lambda case, actor, data, v: cases.assistance_case_take(
            case=case, actor=actor, case_officer=_case_officer(data), expected_version=v
        ),
    ),
    "ask": (
        "Ask a party a question",
        "The case officer asks the placing party or the supplier; the party is told.",
        s.CaseAskSerializer,
        lambda case, actor, data, v: cases.assistance_case_ask(
            case=case, actor=actor, party=data["party"], question=data["question"], expected_version=v
        ),
    ),
    "record-action": (
        "Record an action taken",
        "The case officer records what was done (a call with the supplier, a reschedule agreed).",
        s.CaseActionSerializer,
        lambda case, actor, data, v: cases.assistance_case_record_action(
            case=case, actor=actor, action=data["action"], expected_version=v
        ),
    ),
    "close": (
        "Close the case",
        "The case officer closes the case with its outcome; `directive` needs a directive issued in the case.",
        s.CaseCloseSerializer,
        lambda case, actor, data, v: cases.assistance_case_close(
            case=case, actor=actor, outcome=data["outcome"], reason=data["reason"], expected_version=v
        ),
    ),
}


def case_step_view(name: str) -> type[CaseView]:
    summary, description, body, call = STEPS[name]

    class CaseStep(CaseView, ResourceAction[AssistanceCase]):
        input_serializer = body

        @extend_schema(
            operation_id="assistance_cases_" + name.replace("-", "_"),
            tags=TAG,
            summary=summary,
            description=description + " If-Match is the case's ETag.",
            parameters=[IF_MATCH, IDEMPOTENCY_KEY],
            request=body,
            responses=responses(s.AssistanceCaseSerializer, *CHANGE_ERRORS),
        )
        def post(self, request: Request, reference: str) -> Response:
            return super().post(request, reference)

        def perform(self, case: AssistanceCase, data: dict[str, Any]) -> None:
            call(case, self.actor, data, case.version)

    CaseStep.__name__ = CaseStep.__qualname__ = "Case" + "".join(part.capitalize() for part in name.split("-"))
    return CaseStep
