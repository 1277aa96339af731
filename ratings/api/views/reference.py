"""Reference data an integration needs to fill in a request or a flow-down order."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import permissions as drf_permissions
from rest_framework.request import Request
from rest_framework.response import Response

from ratings import permissions
from ratings.api import request_serializers as s
from ratings.api.base import ApiView, PageQuery
from ratings.api.schema import IF_NONE_MATCH, READ_ERRORS, responses
from ratings.constants import OrganizationKind, Role
from ratings.models import Organization, Program


class NamesSuppliers(drf_permissions.BasePermission):
    """Applicants name suppliers on line items, supplier contacts name sub-tier suppliers, HHS
    staff and auditors read them; nobody else needs the list of supplier organizations."""

    message = "Only applicants, supplier contacts, HHS staff and auditors list supplier organizations."

    def has_permission(self, request: Request, view: object) -> bool:
        user = request.user
        return bool(permissions.organization_ids(user, Role.APPLICANT, Role.SUPPLIER_CONTACT)) or (
            permissions.sees_business_data(user)
        )


class ProgramList(ApiView):
    @extend_schema(
        operation_id="programs_list",
        tags=["Reference data"],
        summary="List programs",
        description="Program identification symbols (e.g. HR) and the rating levels each allows.",
        parameters=[IF_NONE_MATCH],
        responses=responses(s.ProgramSerializer(many=True), 304, 401, 403, 429),
    )
    def get(self, request: Request) -> Response:
        programs = Program.objects.filter(is_active=True).order_by("symbol")
        return Response(s.ProgramSerializer(programs, many=True).data)


class SupplierList(ApiView):
    permission_classes = [*ApiView.permission_classes, NamesSuppliers]
    list_query = PageQuery
    cursor_ordering = ("legal_name",)

    def suppliers(self) -> QuerySet[Organization]:
        return Organization.objects.filter(kind=OrganizationKind.SUPPLIER, is_active=True)

    @extend_schema(
        operation_id="suppliers_list",
        tags=["Reference data"],
        summary="List supplier organizations",
        description="Active suppliers, to name on line items (applicants) or flow-down orders (suppliers).",
        parameters=[PageQuery, IF_NONE_MATCH],
        responses=responses(s.SupplierSerializer(many=True), 304, *READ_ERRORS),
    )
    def get(self, request: Request) -> Response:
        return self.paged(self.suppliers(), s.SupplierSerializer)
