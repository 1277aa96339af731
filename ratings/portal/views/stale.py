"""Two tabs on one draft: a save from a page built on an older version is refused (the service's
version check), and the page then shows what the other tab saved beside what this one typed.

The form keeps the version it was built from, so every later click is refused the same way until
the user chooses: "keep mine" sends the newer version it was shown (and saves over it, unless a
third save came in between), or "use the saved version" reloads the step. Nothing is lost either way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import HttpRequest

from dpa_portal.errors import ApplicationError
from ratings.models import RatingRequest
from ratings.portal.forms.requests import LineItemForm
from ratings.services import items as item_rules
from ratings.services.requests import drafts


@dataclass(frozen=True)
class ConflictRow:
    label: str
    saved: str
    yours: str


@dataclass(frozen=True)
class Conflict:
    version: int  # the version saved meanwhile; "keep mine" saves over exactly this one
    saved_at: Any
    rows: list[ConflictRow]


def _int(value: object) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


def expected_version(request: HttpRequest) -> int | None:
    """The version this save may replace: the one the page was built from, or the newer one the
    user was shown and chose to save over."""
    if "keep_mine" in request.POST:
        return _int(request.POST["keep_mine"])
    return _int(request.POST.get("version", ""))


def form_version(request: HttpRequest, rating_request: RatingRequest | None) -> int | None:
    """The version a re-shown form carries: what it was built from, never the newer row's."""
    if rating_request is None:
        return None
    if request.method == "POST":
        posted = expected_version(request)
        if posted is not None:
            return posted
    return rating_request.version


def _shown(field: forms.Field | None, value: Any) -> str:
    if value in (None, ""):
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    choices = getattr(field, "choices", None)
    if choices:
        return str(dict((str(k), v) for k, v in choices).get(str(value), value))
    return str(value)


def form_conflict(form: forms.Form, rating_request: RatingRequest, saved: Mapping[str, Any]) -> Conflict:
    """Each field whose saved value differs from the one typed."""
    rows = []
    for name, field in form.fields.items():
        theirs, mine = _shown(field, saved.get(name)), _shown(field, form.cleaned_data.get(name))
        if theirs != mine:
            rows.append(ConflictRow(str(field.label), theirs, mine))
    return Conflict(rating_request.version, rating_request.updated_at, rows)


def items_conflict(rating_request: RatingRequest, saved: Sequence[str], yours: Sequence[str]) -> Conflict:
    """Item by item, the saved line items beside the ones typed."""
    rows = []
    for index in range(max(len(saved), len(yours))):
        theirs = saved[index] if index < len(saved) else "—"
        mine = yours[index] if index < len(yours) else "—"
        if theirs != mine:
            rows.append(ConflictRow(f"Item {index + 1}", theirs, mine))
    return Conflict(rating_request.version, rating_request.updated_at, rows)


def item_text(supplier: str, po_number: str, description: str, quantity: Any, unit: str, dates: Sequence[str]) -> str:
    return f"{description}, {quantity} {unit} from {supplier} (PO {po_number}), due {', '.join(dates)}"


def typed_item_text(form: LineItemForm) -> str:
    data = form.cleaned_data
    suppliers = dict(getattr(form.fields["supplier"], "choices", []))
    try:
        quantity = item_rules.format_quantity(item_rules.parse_quantity(data["quantity"], field="quantity"))
    except ApplicationError:
        quantity = data["quantity"]
    supplier = str(suppliers.get(data["supplier"], data["supplier"]))
    return item_text(supplier, data["po_number"], data["description"], quantity, data["unit"], form.dates())


def saved_item_texts(rr: RatingRequest) -> list[str]:
    return [
        item_text(
            i["supplier"],
            i["po_number"],
            i["description"],
            item_rules.format_quantity(i["quantity"]),
            i["unit"],
            i["dates"],
        )
        for i in drafts.line_items_summary(rr)
    ]
