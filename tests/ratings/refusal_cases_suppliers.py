"""Refusal cases of the supplier-side services (closure days, supplier answers, assistance cases,
reconsideration), for tests/ratings/test_write_service_refusals.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ratings.services.calendar import closures
from tests.factories import Cast


def _closure(cast: Cast) -> Any:
    return closures.closure_day_declare(actor=cast.hhsadmin, day="2030-12-24", reason="EO")


def cases(case: Callable[..., Any]) -> dict[str, Callable[[Cast], Any]]:
    return {
        "closure_day_declare": lambda cast: case(
            lambda: closures.closure_day_declare(actor=cast.approver, day="2030-12-24", reason="EO"),
            "closure_day.declare",
        ),
        "closure_day_withdraw": lambda cast: (
            (closure := _closure(cast))
            and case(
                lambda: closures.closure_day_withdraw(closure=closure, actor=cast.intake, reason="No"),
                "closure_day.withdraw",
                closure,
            )
        ),
    }
