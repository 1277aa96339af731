"""Special priorities assistance cases as the API shows them, and the bodies of each step."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ratings.constants_assistance import AssistanceOutcome, AssistanceParty, AssistanceProblem, AssistanceUrgency
from ratings.models import AssistanceCase, AssistanceEntry
from ratings.selectors import assistance as assistance_selectors
from ratings.services import items


class AssistanceEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = AssistanceEntry
        fields = ["kind", "printed_name", "at", "text", "addressed_to"]


class AssistanceCaseSummarySerializer(serializers.ModelSerializer):
    order_number = serializers.CharField(source="order.order_number")
    placing_organization = serializers.CharField(source="organization.legal_name")
    supplier = serializers.CharField(source="order.supplier.legal_name")
    case_officer = serializers.SerializerMethodField(help_text="The case officer's name, once HHS took the case in.")
    overdue = serializers.SerializerMethodField(help_text="Still open past HHS's target response time.")

    class Meta:
        model = AssistanceCase
        fields = [
            "reference",
            "status",
            "order_number",
            "placing_organization",
            "supplier",
            "problem",
            "urgency",
            "opened_at",
            "target_due_at",
            "overdue",
            "case_officer",
            "outcome",
            "closed_at",
            "version",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_case_officer(self, obj: AssistanceCase) -> str | None:
        return obj.case_officer.printed_name if obj.case_officer is not None else None

    @extend_schema_field(serializers.BooleanField())
    def get_overdue(self, obj: AssistanceCase) -> bool:
        return assistance_selectors.overdue(obj, timezone.now())


class AssistanceCaseSerializer(AssistanceCaseSummarySerializer):
    needed_dates = serializers.ListField(child=serializers.DateField())
    entries = AssistanceEntrySerializer(many=True, help_text="The timeline, oldest first.")

    class Meta(AssistanceCaseSummarySerializer.Meta):
        fields = [
            *AssistanceCaseSummarySerializer.Meta.fields,
            "tried",
            "impact",
            "needed_dates",
            "outcome_reason",
            "entries",
        ]


class CaseOpenSerializer(serializers.Serializer):
    order = serializers.CharField(max_length=40, help_text="The order number of a rated order you placed.")
    problem = serializers.ChoiceField(
        choices=AssistanceProblem.choices, help_text="One the order shows now (15 CFR 700.50)."
    )
    urgency = serializers.ChoiceField(choices=AssistanceUrgency.choices)
    tried = serializers.CharField(
        max_length=items.CASE_TEXT_MAX_LENGTH, help_text="What you already tried with the supplier."
    )
    impact = serializers.CharField(
        max_length=items.CASE_TEXT_MAX_LENGTH, help_text="What a delay would do to the program."
    )
    needed_dates = serializers.ListField(
        child=serializers.DateField(), allow_empty=False, max_length=items.MAX_DATES_PER_ITEM
    )


class CaseAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=items.CASE_TEXT_MAX_LENGTH, help_text="Your answer to HHS's question.")


class CaseTakeSerializer(serializers.Serializer):
    case_officer = serializers.IntegerField(min_value=1, help_text="The case officer's user id (HHS workflow staff).")


class CaseAskSerializer(serializers.Serializer):
    party = serializers.ChoiceField(choices=AssistanceParty.choices)
    question = serializers.CharField(max_length=items.CASE_TEXT_MAX_LENGTH)


class CaseActionSerializer(serializers.Serializer):
    action = serializers.CharField(max_length=items.CASE_TEXT_MAX_LENGTH, help_text="What was done.")


class CaseCloseSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=AssistanceOutcome.choices)
    reason = serializers.CharField(
        max_length=items.CASE_TEXT_MAX_LENGTH, help_text="The outcome explained to the parties."
    )
