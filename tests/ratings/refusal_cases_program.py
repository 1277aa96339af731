"""Refusal cases of the program view's services, for tests/ratings/test_write_service_refusals.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ratings.models import ItemFamily
from ratings.services.program import access, capacity, families
from tests.factories import Cast


def _family() -> ItemFamily:
    return ItemFamily.objects.create(name="Gloves")


def cases(case: Callable[..., Any]) -> dict[str, Callable[[Cast], Any]]:
    return {
        # Without the program view permission (the reviewer), or without business data (the administrator).
        "program_view_open": lambda cast: case(
            lambda: access.program_view_open(actor=cast.reviewer, page="dashboard"), "program_view.open"
        ),
        "program_view_export": lambda cast: case(
            lambda: access.program_view_export(actor=cast.hhsadmin, table="requests", filters={}, rows=1),
            "program_view.export",
        ),
        "item_family_create": lambda cast: case(
            lambda: families.item_family_create(actor=cast.reviewer, name="Gloves", part_numbers=["G-1"]),
            "item_family.create",
        ),
        "capacity_report_submit": lambda cast: (
            (family := _family())
            and case(
                lambda: capacity.capacity_report_submit(
                    supplier=cast.supplier_org,
                    actor=cast.supplier2,
                    program=cast.program,
                    family=family,
                    capacity="1",
                    unit="box",
                    lead_time_days="1",
                ),
                "capacity.report",
            )
        ),
        "item_family_update": lambda cast: (
            (family := _family())
            and case(
                lambda: families.item_family_update(
                    family=family, actor=cast.applicant, name="Masks", part_numbers=["M-1"]
                ),
                "item_family.update",
                family,
            )
        ),
    }
