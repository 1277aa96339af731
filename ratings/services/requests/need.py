"""The request fields a reviewer needs to judge need: the contracting agency and officer behind a
government contract, the end use, the FDA regulatory status with its number, and related rated
orders. Their limits (portal forms and API serializers import them from here) and their checks.

Drafts may leave them empty; submission requires the end use and the FDA status (with its
number where the status has one, or a description for "other"): without them HHS cannot judge
the need. The contracting agency is required once a government contract number is given; the
contracting officer and related rated orders stay optional (not every end use is a government
contract, not every request relates to other rated orders).
"""

from __future__ import annotations

from typing import Any

from dpa_portal.errors import ValidationFailed
from ratings.constants_application import FDA_STATUSES_WITH_NUMBER, FdaStatus
from ratings.models import RatingRequest
from ratings.services.items import clean_text

CONTRACTING_AGENCY_MAX_LENGTH = 200
CONTRACTING_OFFICER_MAX_LENGTH = 200
END_USE_MAX_LENGTH = 2000
FDA_STATUS_OTHER_MAX_LENGTH = 200
FDA_NUMBER_MAX_LENGTH = 60
RELATED_ORDER_MAX_LENGTH = 60
MAX_RELATED_ORDERS = 20
RELATED_ORDERS_HELP = (
    f"Order numbers, separated by commas (at most {MAX_RELATED_ORDERS}), e.g. HHS-DPA-2026-000123 or another "
    "agency's rated order."
)

NEED_FIELDS = (
    "contracting_agency",
    "contracting_officer",
    "end_use",
    "fda_status",
    "fda_status_other",
    "fda_number",
    "related_rated_orders",
)


def split_order_numbers(value: object) -> list[str]:
    """Order numbers typed in one box (commas, semicolons or new lines), or given as a list."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        parts = [str(part) for part in value]
    else:
        parts = str(value).replace(";", ",").replace("\n", ",").split(",")
    return [part.strip() for part in parts if part.strip()]


def clean_need_fields(values: dict[str, Any]) -> dict[str, Any]:
    """The need fields of a draft, each within its limit; empty is allowed until submission."""
    status = str(values.get("fda_status") or "").strip()
    if status and status not in FdaStatus.values:
        raise ValidationFailed("Choose the FDA regulatory status from the list.", field="fda_status")
    numbers = split_order_numbers(values.get("related_rated_orders"))
    if len(numbers) > MAX_RELATED_ORDERS:
        raise ValidationFailed(
            f"Name at most {MAX_RELATED_ORDERS} related rated orders; {len(numbers)} were given.",
            field="related_rated_orders",
        )
    related: list[str] = []
    for index, number in enumerate(numbers, start=1):
        cleaned = clean_text(
            number,
            field="related_rated_orders",
            label=f"Related rated order {index}",
            max_length=RELATED_ORDER_MAX_LENGTH,
        )
        if cleaned in related:
            raise ValidationFailed(f"Related rated order {cleaned} is named twice.", field="related_rated_orders")
        related.append(cleaned)

    def text(name: str, label: str, max_length: int) -> str:
        return clean_text(values.get(name), field=name, label=label, max_length=max_length, required=False)

    return {
        "contracting_agency": text("contracting_agency", "The contracting agency", CONTRACTING_AGENCY_MAX_LENGTH),
        "contracting_officer": text("contracting_officer", "The contracting officer", CONTRACTING_OFFICER_MAX_LENGTH),
        "end_use": text("end_use", "The end use", END_USE_MAX_LENGTH),
        "fda_status": status,
        "fda_status_other": text("fda_status_other", "The FDA status description", FDA_STATUS_OTHER_MAX_LENGTH)
        if status == FdaStatus.OTHER
        else "",
        "fda_number": text("fda_number", "The FDA application or approval number", FDA_NUMBER_MAX_LENGTH)
        if status in FDA_STATUSES_WITH_NUMBER
        else "",
        "related_rated_orders": related,
    }


def missing_for_submission(rating_request: RatingRequest) -> list[str]:
    """What submission still needs of the need fields, as "describe …" phrases."""
    problems = []
    if not rating_request.end_use.strip():
        problems.append("describe the end use")
    status = rating_request.fda_status
    if not status:
        problems.append("give the FDA regulatory status")
    elif status in FDA_STATUSES_WITH_NUMBER and not rating_request.fda_number.strip():
        problems.append(f"give the {FdaStatus(status).label} number")
    elif status == FdaStatus.OTHER and not rating_request.fda_status_other.strip():
        problems.append("describe the FDA regulatory status")
    if rating_request.contract_number.strip() and not rating_request.contracting_agency.strip():
        problems.append(f"name the agency that awarded contract {rating_request.contract_number.strip()}")
    return problems
