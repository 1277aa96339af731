"""A supplier's contact reports the capacity (quantity it can deliver in 30 days) and lead time of
an item family, for a program that asks for it (Program.capacity_report_days)."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from audit import services as audit
from dpa_portal.errors import ValidationFailed
from ratings import audit_actions, permissions
from ratings.models import CapacityReport, ItemFamily, Organization, Program, User
from ratings.services import items, transition

LEAD_TIME_MAX_DAYS = 3650


def _capacity(value: object) -> Decimal:
    if str(value).strip() in {"0", "0.0", "0.000"}:
        return Decimal(0)  # "we can make none" is a report too
    return items.parse_quantity(value, field="capacity", label="The capacity")


def _lead_time(value: object) -> int:
    text = str(value).strip()
    if not text.isdigit() or int(text) > LEAD_TIME_MAX_DAYS:
        raise ValidationFailed(
            f"Give the lead time as whole days, from 0 to {LEAD_TIME_MAX_DAYS}.", field="lead_time_days"
        )
    return int(text)


def capacity_report_submit(
    *,
    supplier: Organization,
    actor: User,
    program: Program,
    family: ItemFamily,
    capacity: object,
    unit: str,
    lead_time_days: object,
) -> CapacityReport:
    def apply() -> CapacityReport:
        if not program.capacity_report_days:
            raise ValidationFailed(f"Program {program.symbol} does not ask for capacity reports.", field="program")
        report = CapacityReport.objects.create(
            supplier=supplier,
            program=program,
            family=family,
            capacity=_capacity(capacity),
            unit=items.clean_text(unit, field="unit", label="The unit", max_length=items.UNIT_MAX_LENGTH),
            lead_time_days=_lead_time(lead_time_days),
            reported_at=timezone.now(),
            reported_by=actor,
        )
        audit.record(
            action=audit_actions.CAPACITY_REPORT,
            actor=actor,
            target=report,
            organization_id=supplier.pk,
            reference=family.name,
            data={
                "program": program.symbol,
                "family": family.name,
                "capacity": items.format_quantity(report.capacity),
                "unit": report.unit,
                "lead_time_days": report.lead_time_days,
            },
        )
        return report

    return transition.perform_create(
        audit_actions.CAPACITY_REPORT,
        actor=actor,
        refusal=permissions.capacity_report_refusal(supplier, actor),
        apply=apply,
        organization_id=supplier.pk,
    )
