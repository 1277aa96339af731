"""The approving official's decision on a request, as the API shows it to the applicant."""

from __future__ import annotations

from rest_framework import serializers

from ratings.constants import RatingLevel
from ratings.models import ItemOutcome


class DecisionDeliverySerializer(serializers.Serializer):
    date = serializers.DateField()
    requested = serializers.CharField(allow_null=True, help_text="Quantity requested for the date; null if not split.")
    approved = serializers.CharField(
        allow_null=True, help_text="Quantity approved for the date; null if not split or not authorized."
    )


class ItemDecisionSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text="The item's number on the request, from 1.")
    description = serializers.CharField()
    unit = serializers.CharField()
    outcome = serializers.ChoiceField(choices=ItemOutcome.choices)
    requested_quantity = serializers.CharField()
    approved_quantity = serializers.CharField(allow_null=True, help_text="null: the item is not authorized.")
    reason = serializers.CharField(allow_blank=True, help_text="Why the item is not authorized or reduced.")
    deliveries = DecisionDeliverySerializer(many=True)


class ApprovalDecisionSerializer(serializers.Serializer):
    requested_level = serializers.ChoiceField(choices=RatingLevel.choices)
    approved_level = serializers.ChoiceField(choices=RatingLevel.choices)
    level_reason = serializers.CharField(allow_blank=True, help_text="Why the level approved is lower than requested.")
    items = ItemDecisionSerializer(many=True, help_text="Every requested item with HHS's decision on it.")
