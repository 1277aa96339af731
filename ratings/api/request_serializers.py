"""API input and output shapes. Input serializers only parse; services validate and write."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ratings.api.decision_serializers import ApprovalDecisionSerializer
from ratings.constants import HealthResourceCategory, RatingLevel, RequestState
from ratings.constants_application import FdaStatus
from ratings.models import Attachment, InformationRequest, Organization, Program, RatingRequest, RequestLineItem
from ratings.selectors import requests as request_selectors
from ratings.services import items
from ratings.services.items import DeliveryInput
from ratings.services.requests import drafts, need


class DeliveryInputSerializer(serializers.Serializer):
    # Text, not DateField: the service explains why "ASAP" is not a date (45 CFR 101.32).
    required_date = serializers.CharField(help_text="Calendar date, YYYY-MM-DD, today or later.")
    quantity = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="Quantity due that day, if split. " + items.QUANTITY_HELP,
    )


class LineItemInputSerializer(serializers.Serializer):
    """One order to be rated. Input beyond a limit is refused with a 400 problem naming the field."""

    supplier = serializers.IntegerField(min_value=1, help_text="Supplier organization id (GET /api/v1/suppliers/).")
    po_number = serializers.CharField(max_length=items.PO_NUMBER_MAX_LENGTH)
    description = serializers.CharField(max_length=items.DESCRIPTION_MAX_LENGTH)
    part_number = serializers.CharField(
        max_length=items.PART_NUMBER_MAX_LENGTH, required=False, allow_blank=True, default=""
    )
    quantity = serializers.CharField(help_text=items.QUANTITY_HELP)
    unit = serializers.CharField(max_length=items.UNIT_MAX_LENGTH)
    ship_to = serializers.CharField(max_length=items.SHIP_TO_MAX_LENGTH, required=False, allow_blank=True, default="")
    deliveries = serializers.ListField(
        child=DeliveryInputSerializer(), allow_empty=False, max_length=items.MAX_DATES_PER_ITEM
    )
    quoted_date = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        default=None,
        help_text="The supplier's quoted or promised delivery date without a rating, YYYY-MM-DD; HHS sets it "
        "against the required dates.",
    )
    order_value = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, default=None, help_text=items.ORDER_VALUE_HELP
    )


def line_item_input(data: dict[str, Any]) -> drafts.LineItemInput:
    """A validated LineItemInputSerializer's data as the service's input."""
    return drafts.LineItemInput(
        supplier_id=data["supplier"],
        po_number=data["po_number"],
        description=data["description"],
        part_number=data["part_number"],
        quantity=data["quantity"],
        unit=data["unit"],
        ship_to=data["ship_to"],
        deliveries=[DeliveryInput(d["required_date"], d.get("quantity")) for d in data["deliveries"]],
        quoted_date=data.get("quoted_date"),
        order_value=data.get("order_value"),
    )


def line_items_field(**kwargs: Any) -> serializers.ListField:
    return serializers.ListField(child=LineItemInputSerializer(), max_length=items.MAX_ITEMS_PER_REQUEST, **kwargs)


def line_item_inputs(data: object) -> list[drafts.LineItemInput]:
    """A JSON array of line items (PUT .../line-items/), checked like the create body's."""
    return [line_item_input(item) for item in line_items_field().run_validation(data)]


# A detail the draft may leave empty: submission checks what it requires (ratings/services/requests/need.py).
OPTIONAL_TEXT: dict[str, Any] = {"required": False, "allow_blank": True, "default": ""}


class RequestDetailsSerializer(serializers.Serializer):
    government_program = serializers.CharField(max_length=200)
    contract_number = serializers.CharField(max_length=100, **OPTIONAL_TEXT)
    end_customer = serializers.CharField(max_length=200, **OPTIONAL_TEXT)
    category = serializers.ChoiceField(choices=HealthResourceCategory.choices)
    health_resource = serializers.CharField(max_length=200)
    requested_level = serializers.ChoiceField(choices=RatingLevel.choices)
    program = serializers.SlugRelatedField(slug_field="symbol", queryset=Program.objects.filter(is_active=True))
    justification_need = serializers.CharField(**OPTIONAL_TEXT)
    justification_efforts = serializers.CharField(**OPTIONAL_TEXT)
    justification_impact = serializers.CharField(**OPTIONAL_TEXT)
    is_emergency = serializers.BooleanField(required=False, default=False)
    emergency_response_hours = serializers.IntegerField(required=False, allow_null=True, min_value=1, default=None)
    contracting_agency = serializers.CharField(
        max_length=need.CONTRACTING_AGENCY_MAX_LENGTH,
        help_text="Agency that awarded the government contract; required at submission when contract_number is given.",
        **OPTIONAL_TEXT,
    )
    contracting_officer = serializers.CharField(
        max_length=need.CONTRACTING_OFFICER_MAX_LENGTH,
        help_text="Its contracting officer: name, and e-mail or telephone.",
        **OPTIONAL_TEXT,
    )
    end_use = serializers.CharField(
        max_length=need.END_USE_MAX_LENGTH,
        help_text="What the items are finally used for, and by whom. Required at submission.",
        **OPTIONAL_TEXT,
    )
    fda_status = serializers.ChoiceField(
        choices=FdaStatus.choices,
        help_text="FDA regulatory status of the health resource. Required at submission.",
        **OPTIONAL_TEXT,
    )
    fda_status_other = serializers.CharField(
        max_length=need.FDA_STATUS_OTHER_MAX_LENGTH,
        help_text='The status in words when fda_status is "other" (required then at submission); ignored otherwise.',
        **OPTIONAL_TEXT,
    )
    fda_number = serializers.CharField(
        max_length=need.FDA_NUMBER_MAX_LENGTH,
        help_text='Application, approval or listing number (e.g. "BLA 125742"); required at submission for every '
        'status but "other" and "not_regulated", ignored for those.',
        **OPTIONAL_TEXT,
    )
    related_rated_orders = serializers.ListField(
        child=serializers.CharField(max_length=need.RELATED_ORDER_MAX_LENGTH),
        max_length=need.MAX_RELATED_ORDERS,
        required=False,
        default=list,
        help_text="Numbers of rated orders this request relates to (this portal's or another agency's).",
    )

    def to_details(self) -> drafts.RequestDetails:
        data = dict(self.validated_data)
        program = data.pop("program")
        data.pop("organization", None)
        data.pop("line_items", None)
        return drafts.RequestDetails(program_id=program.pk, **data)


class RequestCreateSerializer(RequestDetailsSerializer):
    organization = serializers.IntegerField(
        required=False, help_text="Manufacturer id; needed only if you are an applicant for several."
    )
    line_items = line_items_field(required=False, default=list)

    def to_line_items(self) -> list[drafts.LineItemInput]:
        return [line_item_input(item) for item in self.validated_data["line_items"]]


class AttachmentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "original_name", "content_type", "size", "sha256", "uploaded_at", "download_url"]

    def get_download_url(self, obj: Attachment) -> str:
        """The file, for a token as for a session."""
        return reverse("api-request-attachment", args=[obj.request.reference, obj.pk])


class DeliverySerializer(serializers.Serializer):
    required_date = serializers.DateField()
    quantity = serializers.CharField(allow_null=True, help_text="Quantity due that day, if split; else null.")


class LineItemSerializer(serializers.ModelSerializer):
    """Reads back in the shape it is written: `supplier` is the id, `deliveries` the dates and quantities."""

    supplier = serializers.IntegerField(source="supplier_id")
    supplier_name = serializers.CharField(source="supplier.legal_name")
    deliveries = serializers.SerializerMethodField()

    class Meta:
        model = RequestLineItem
        fields = [
            "position",
            "supplier",
            "supplier_name",
            "po_number",
            "description",
            "part_number",
            "quantity",
            "unit",
            "ship_to",
            "deliveries",
            "quoted_date",
            "order_value",
        ]

    @extend_schema_field(DeliverySerializer(many=True))
    def get_deliveries(self, obj: RequestLineItem) -> list[dict[str, Any]]:
        return [
            {"required_date": d.required_date.isoformat(), "quantity": _quantity(d.quantity)}
            for d in obj.deliveries.all()
        ]


def _quantity(value: Any) -> str | None:
    return None if value is None else format(value.normalize(), "f")


class InformationRequestSerializer(serializers.ModelSerializer):
    class Meta:
        model = InformationRequest
        fields = ["id", "question", "asked_at", "response", "responded_at"]


class ReturnedSerializer(serializers.Serializer):
    reason = serializers.CharField()
    returned_at = serializers.DateTimeField()


class RatingRequestSerializer(serializers.ModelSerializer):
    applicant_organization = serializers.CharField(source="applicant_organization.legal_name")
    program = serializers.CharField(source="program.symbol")
    rating = serializers.CharField()
    line_items = LineItemSerializer(many=True)
    related_rated_orders = serializers.ListField(
        child=serializers.CharField(), help_text="Numbers of rated orders this request relates to."
    )
    attachments = AttachmentSerializer(many=True)
    information_requests = InformationRequestSerializer(many=True)
    returned_for_correction = serializers.SerializerMethodField(
        help_text="While HHS has returned the request: what to correct and when it was returned; else null."
    )
    approved_level = serializers.SerializerMethodField(
        help_text="The level HHS approved (may be lower than requested_level); null until approved."
    )
    approval_decision = serializers.SerializerMethodField(
        help_text="HHS's decision on the level and on each item (approved, reduced or not authorized, with the "
        "reason); null until approved."
    )

    class Meta:
        model = RatingRequest
        fields = [
            "reference",
            "state",
            "version",
            "applicant_organization",
            "government_program",
            "contract_number",
            "end_customer",
            "category",
            "health_resource",
            "requested_level",
            "program",
            "rating",
            "justification_need",
            "justification_efforts",
            "justification_impact",
            "is_emergency",
            "emergency_response_hours",
            "contracting_agency",
            "contracting_officer",
            "end_use",
            "fda_status",
            "fda_status_other",
            "fda_number",
            "related_rated_orders",
            "confidentiality_marking",
            "certified_name",
            "certified_at",
            "submitted_at",
            "decided_at",
            "decision_reason",
            "withdrawal_reason",
            "created_at",
            "updated_at",
            "line_items",
            "attachments",
            "information_requests",
            "returned_for_correction",
            "approved_level",
            "approval_decision",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=RatingLevel.choices, allow_null=True))
    def get_approved_level(self, obj: RatingRequest) -> str | None:
        decision = request_selectors.approval_decision(obj)
        return decision.approved_level if decision else None

    @extend_schema_field(ApprovalDecisionSerializer(allow_null=True))
    def get_approval_decision(self, obj: RatingRequest) -> dict[str, Any] | None:
        decision = request_selectors.approval_decision(obj)
        return dict(ApprovalDecisionSerializer(decision).data) if decision else None

    @extend_schema_field(ReturnedSerializer(allow_null=True))
    def get_returned_for_correction(self, obj: RatingRequest) -> dict[str, Any] | None:
        if obj.state != RequestState.RETURNED:
            return None
        latest = obj.submissions.order_by("-number").first()
        return {"reason": latest.return_reason, "returned_at": latest.returned_at} if latest else None


class RatingRequestSummarySerializer(serializers.ModelSerializer):
    applicant_organization = serializers.CharField(source="applicant_organization.legal_name")

    class Meta:
        model = RatingRequest
        fields = [
            "reference",
            "state",
            "version",
            "applicant_organization",
            "requested_level",
            "health_resource",
            "created_at",
            "submitted_at",
        ]


class SubmitSerializer(serializers.Serializer):
    typed_name = serializers.CharField(help_text="Your full name, typed as your signature.")
    certify = serializers.BooleanField(help_text="True: you certify the request (18 U.S.C. 1001 warning applies).")
    note = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Resubmitting a returned request: what you corrected."
    )


class ResponseSerializer(serializers.Serializer):
    response = serializers.CharField(help_text="Your answer to HHS's open question.")


class ResponseUploadSerializer(ResponseSerializer):
    files = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, help_text="Files that go with the answer."
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="Why, in words HHS will read.")


class ProgramSerializer(serializers.ModelSerializer):
    class Meta:
        model = Program
        fields = [
            "symbol",
            "name",
            "allowed_levels",
            "determination_date",
            "determination_official",
            "determination_citation",
            "determination_scope",
        ]


class SupplierSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "legal_name", "city", "state", "country"]
