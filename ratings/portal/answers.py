"""How a rated order's state reads on the pages of the party that placed it: the answer in force
for the current version, in sentences, or the cancellation with its reason.

The supplier's own page prints its answers as signed (reason with "(mandatory)" and the rule);
the customer reads the reason in words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ratings.clock import agency_time, local_day
from ratings.constants import OrderStatus, RejectionReason
from ratings.models import RatedOrder, SupplierResponse
from ratings.models.orders import AWAITING_RESPONSE_STATUSES

RULE_NOTE = re.compile(r"\s*\((?:mandatory|optional)\)$")


def reason_label(code: str) -> str:
    """ "Cannot meet the required delivery date", without the supplier's "(mandatory)" note."""
    return RULE_NOTE.sub("", str(RejectionReason(code).label))


def _sentence(text: str) -> str:
    text = " ".join(str(text).split())
    return text if not text or text[-1] in ".!?" else text + "."


def answer_in_force(order: RatedOrder, answers: Iterable[SupplierResponse]) -> SupplierResponse | None:
    """The supplier's latest answer, unless the order waits for an answer to its current version
    (issued, or amended significantly) or is cancelled: an older answer no longer applies then."""
    if order.status in AWAITING_RESPONSE_STATUSES or order.status == OrderStatus.CANCELLED:
        return None
    latest = None
    for answer in answers:
        latest = answer
    return latest


def answer_sentences(answer: SupplierResponse) -> list[str]:
    sentences = [f"{answer.get_kind_display()} on {local_day(answer.responded_at):%Y-%m-%d} by {answer.printed_name}."]
    if answer.reason_code:
        sentences.append(_sentence(f"Reason: {reason_label(answer.reason_code)}"))
    if answer.explanation:
        sentences.append(_sentence(f"Explanation: {answer.explanation}"))
    if answer.earliest_date:
        offer = "; the supplier offers to accept on that date" if answer.offers_to_accept_on_that_basis else ""
        sentences.append(f"Earliest date possible: {answer.earliest_date:%Y-%m-%d}{offer}.")
    if answer.new_date:
        sentences.append(f"New delivery date: {answer.new_date:%Y-%m-%d}.")
    return sentences


def order_state_text(order: RatedOrder, answers: list[SupplierResponse]) -> str:
    """One cell of the request's order table: what holds for the order's current version."""
    if order.status == OrderStatus.CANCELLED:
        when = f" {agency_time(order.cancelled_at)}" if order.cancelled_at else ""
        reason = order.cancellation_reason.strip()
        return f"Cancelled{when}." + (f" {_sentence('Reason: ' + reason)}" if reason else "")
    answer = answer_in_force(order, answers)
    if answer is not None:
        text = " ".join(answer_sentences(answer))
        if answer.version.number != order.current_version:
            text += (
                f" (Given to version {answer.version.number}; version {order.current_version} is not a new order "
                "and keeps this answer.)"
            )
        return text
    text = "Not answered yet" + (f" (version {order.current_version})." if order.current_version > 1 else ".")
    earlier = [a for a in answers if a.version.number < order.current_version]
    if earlier:
        last = earlier[-1]
        text += (
            f" The supplier’s answer to version {last.version.number} ({last.get_kind_display().lower()}) "
            "no longer applies."
        )
    return text
