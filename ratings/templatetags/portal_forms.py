"""Form helpers for portal templates: the error summary at the top of a form, and the value the
USWDS date picker starts from."""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.core.exceptions import NON_FIELD_ERRORS

from dpa_portal.errors import ValidationFailed
from ratings.services import items

register = template.Library()


def _entries(form: Any, item: int | None = None) -> list[dict[str, str]]:
    if isinstance(form, forms.BaseFormSet):
        found = [{"href": "", "text": str(error)} for error in form.non_form_errors()]
        for number, member in enumerate(form.forms, start=1):
            found.extend(_entries(member, number))
        return found
    if not isinstance(form, forms.BaseForm) or not form.is_bound:
        return []
    found = [{"href": "", "text": str(error)} for error in form.non_field_errors()]
    for name, errors in form.errors.items():
        if name == NON_FIELD_ERRORS or name not in form.fields:
            continue
        bound = form[name]
        # A group of radio buttons is reached by its first button.
        anchor = (
            f"{bound.auto_id}_0" if bound.widget_type in ("radioselect", "checkboxselectmultiple") else bound.auto_id
        )
        for error in errors:
            # Item errors from the service already say which item ("Item 2: the quantity ...").
            if item is None:
                text = _labelled(str(bound.label), str(error))
            elif str(error).startswith(f"Item {item}"):
                text = str(error)
            else:
                text = f"Item {item}, {str(bound.label).lower()}: {error}"
            found.append({"href": f"#{anchor}", "text": text})
    return found


@register.inclusion_tag("portal/_error_summary.html")
def error_summary(*forms_given: Any, extra: list[str] | None = None) -> dict[str, Any]:
    """Every error of the given forms or formsets, each linking to its field; `extra` are page
    errors that name no field shown."""
    entries = [{"href": "", "text": str(text)} for text in extra or []]
    for form in forms_given:
        entries.extend(_entries(form))
    return {"entries": entries}


@register.filter
def picker_default(value: Any) -> str | None:
    """The date as YYYY-MM-DD for the picker's data-default-value; "" when the box is empty; None
    when the text typed is not a date (the picker would clear it, so the plain box is kept)."""
    if value in (None, ""):
        return ""
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    try:
        return items.parse_date(value, field="", label="date").isoformat()
    except ValidationFailed:
        return None


def _labelled(label: str, error: str) -> str:
    """A field's label and its error as one line: a question keeps its mark ("Why are you
    withdrawing this request? This field is required."), a statement's full stop gives way to
    the colon ("I certify the statement above: ..."), any other label takes the colon."""
    if label.endswith("?"):
        return f"{label} {error}"
    return f"{label.rstrip('.')}: {error}"
