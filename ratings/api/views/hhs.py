"""HHS staff's workflow actions on a request (the auditors' API is in ratings/api/views/audit.py).

Each action is one service; who may take it is the service's rule (a refusal is a 403 problem,
audited). Signing (approval) re-checks the password and an authenticator code (21 CFR 11.200).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from dpa_portal.errors import ValidationFailed
from ratings.api import request_serializers as rs
from ratings.api.schema import CHANGE_ERRORS, IDEMPOTENCY_KEY, IF_MATCH, responses
from ratings.api.views.requests import RequestAction
from ratings.constants import REVIEW_CHECKLIST, Recommendation
from ratings.models import RatingRequest, User
from ratings.services.requests import corrections, workflow

TAG = ["HHS workflow"]


class ReviewerSerializer(serializers.Serializer):
    reviewer = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="The reviewer's user id; empty: yourself."
    )


class QuestionSerializer(serializers.Serializer):
    question = serializers.CharField(help_text="What the applicant must answer.")


class RecommendSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Recommendation.choices)
    rationale = serializers.CharField()
    checklist = serializers.DictField(
        child=serializers.BooleanField(), help_text="Each review check: " + ", ".join(REVIEW_CHECKLIST) + "."
    )


class SignSerializer(serializers.Serializer):
    password = serializers.CharField(style={"input_type": "password"}, help_text="Your password: this is a signature.")
    otp = serializers.CharField(help_text="A fresh code from your authenticator app.")
    reason = serializers.CharField(required=False, allow_blank=True, default="")


Call = Callable[[RatingRequest, User, dict[str, Any], int], object]


def _reviewer(data: dict[str, Any]) -> User | None:
    if data["reviewer"] is None:
        return None
    reviewer = User.objects.filter(pk=data["reviewer"], is_active=True).first()
    if reviewer is None:
        raise ValidationFailed("No such reviewer.", field="reviewer")
    return reviewer


ACTIONS: dict[str, tuple[str, str, type[serializers.Serializer], Call]] = {
    "accept-for-review": (
        "Accept for review",
        "Intake accepts a submitted request and assigns a reviewer.",
        ReviewerSerializer,
        lambda rr, actor, data, v: workflow.rating_request_accept_for_review(
            rating_request=rr, actor=actor, reviewer=_reviewer(data), expected_version=v
        ),
    ),
    "request-information": (
        "Ask the applicant a question",
        "The review pauses until the applicant answers.",
        QuestionSerializer,
        lambda rr, actor, data, v: workflow.rating_request_request_information(
            rating_request=rr, actor=actor, question=data["question"], expected_version=v
        ),
    ),
    "recommend": (
        "Recommend approval or denial",
        "The assigned reviewer's signed recommendation, with the checklist.",
        RecommendSerializer,
        lambda rr, actor, data, v: workflow.rating_request_recommend(
            rating_request=rr,
            actor=actor,
            outcome=data["outcome"],
            rationale=data["rationale"],
            checklist=data["checklist"],
            expected_version=v,
        ),
    ),
    "return-for-rework": (
        "Return to the reviewer",
        "The approving official sends the recommendation back, with a reason.",
        rs.ReasonSerializer,
        lambda rr, actor, data, v: workflow.rating_request_return_for_rework(
            rating_request=rr, actor=actor, reason=data["reason"], expected_version=v
        ),
    ),
    "return-for-correction": (
        "Return to the applicant for correction",
        "The applicant corrects and resubmits; the reason says what to correct.",
        rs.ReasonSerializer,
        lambda rr, actor, data, v: corrections.rating_request_return_for_correction(
            rating_request=rr, actor=actor, reason=data["reason"], expected_version=v
        ),
    ),
    "approve": (
        "Approve and sign",
        "An approving official with authority for the level signs the approval (password and authenticator "
        "code, 21 CFR 11.200): the rating authorization is signed; the applicant's authorized signers then place "
        "the rated orders under it (45 CFR 101.32(a)(3)).",
        SignSerializer,
        lambda rr, actor, data, v: workflow.rating_request_approve(
            rating_request=rr,
            actor=actor,
            password=data["password"],
            otp=data["otp"],
            reason=data["reason"],
            expected_version=v,
        ),
    ),
    "deny": (
        "Deny",
        "An approving official denies the request, with the reason the applicant will read.",
        rs.ReasonSerializer,
        lambda rr, actor, data, v: workflow.rating_request_deny(
            rating_request=rr, actor=actor, reason=data["reason"], expected_version=v
        ),
    ),
}


def hhs_action_view(name: str) -> type[RequestAction]:
    summary, description, body, call = ACTIONS[name]

    class HhsAction(RequestAction):
        input_serializer = body

        @extend_schema(
            operation_id="requests_" + name.replace("-", "_"),
            tags=TAG,
            summary=summary,
            description=description,
            parameters=[IF_MATCH, IDEMPOTENCY_KEY],
            request=body,
            responses=responses(rs.RatingRequestSerializer, *CHANGE_ERRORS),
        )
        def post(self, request: Request, reference: str) -> Response:
            return super().post(request, reference)

        def perform(self, rating_request: RatingRequest, data: dict[str, Any]) -> None:
            call(rating_request, self.actor, data, rating_request.version)

    HhsAction.__name__ = HhsAction.__qualname__ = "".join(part.capitalize() for part in name.split("-")) + "Action"
    return HhsAction
