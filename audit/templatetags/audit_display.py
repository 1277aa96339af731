"""Template filters of the audit workspace (audit.display): `{{ e.occurred_at|audit_time }}`,
`{{ e.action|action_label }}`, `{% for c in e.changes|audit_changes %}`, and the filters'
`{% options choices selected %}`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from audit import display

register = template.Library()


@register.filter
def audit_time(value: dt.datetime | str | None) -> str:
    if isinstance(value, str):
        return display.value_text(value)
    return display.agency_time(value)


@register.filter
def action_label(name: str) -> str:
    return display.action_label(name)


@register.filter
def outcome_label(outcome: str) -> str:
    return display.outcome_label(outcome)


@register.filter
def audit_changes(recorded: Any, people: Any = None) -> list[display.Change]:
    return display.changes(recorded, people if isinstance(people, dict) else None)


@register.simple_tag
def options(choices: Any, selected: Any) -> str:
    """A filter's `<option>`s, the one equal to `selected` marked: one Python loop over a few
    hundred choices (the template's for/if per option was most of the search page's time)."""
    chosen = "" if selected is None else str(selected)
    return mark_safe("".join(_option(value, label, chosen) for value, label in choices))  # noqa: S308  (escaped)


@register.simple_tag
def option_groups(groups: Any, selected: Any) -> str:
    """`<optgroup>`s of `vocabulary.Group`s, as `options`."""
    chosen = "" if selected is None else str(selected)
    return mark_safe(  # noqa: S308  (every value and label escaped)
        "".join(
            f'<optgroup label="{escape(group.label)}">'
            + "".join(_option(value, label, chosen) for value, label in group.choices)
            + "</optgroup>"
            for group in groups
        )
    )


def _option(value: Any, label: Any, chosen: str) -> str:
    marked = " selected" if str(value) == chosen else ""
    return f'<option value="{escape(value)}"{marked}>{escape(label)}</option>'
