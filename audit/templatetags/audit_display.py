"""Template filters of the audit workspace (audit.display): `{{ e.occurred_at|audit_time }}`,
`{{ e.action|action_label }}`, `{% for c in e.changes|audit_changes %}`, and the filters'
`{% options choices selected %}`, and the rows of an events table, `{% event_rows rows people link empty %}`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.urls import reverse
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


@register.simple_tag
def event_rows(rows: Any, people: Any, link: bool, empty: str) -> str:
    """The rows of an events table (search and history): `rows` are (event, signature or None).
    Written here, not by a template loop: fifty rows of a dozen cells each were half the search
    page's time in the template engine. `link` links each reference to its history."""
    names = people if isinstance(people, dict) else None
    histories: dict[str, str] = {}  # one reverse per reference, not per row
    html = "".join(_event_row(event, signature, names, histories if link else None) for event, signature in rows)
    return mark_safe(html or f'<tr><td colspan="7">{escape(empty)}</td></tr>\n')  # noqa: S308  (escaped)


def _history(reference: str, histories: dict[str, str]) -> str:
    if reference not in histories:
        histories[reference] = escape(reverse("audit:history", args=[reference]))
    return histories[reference]


def _event_row(e: Any, signature: Any, people: dict[str, str] | None, histories: dict[str, str] | None) -> str:
    what = f'{escape(display.action_label(e.action))}<br><span class="audit-detail">{escape(display.outcome_label(e.outcome))}'
    if e.to_state:
        what += f" · {escape(e.from_state)} → " if e.from_state else " · "
        what += escape(e.to_state)
    what += "</span>"
    if signature:
        what += f"<br><em>Signed by {escape(signature['printed_name'])}: {escape(signature['meaning'])}</em>"
    record: str = escape(e.object_label) if e.object_label else ""
    if e.reference and e.reference not in e.object_label:
        reference: str = escape(e.reference)
        if histories is not None:
            reference = f'<a href="{_history(e.reference, histories)}">{reference}</a>'
        record += ("<br>" if e.object_label else "") + "under " + reference
    elif e.reference and histories is not None:
        record += f'<br><a href="{_history(e.reference, histories)}">History of {escape(e.reference)}</a>'
    changed = display.changes(e.changes, people)
    changes = ""
    if changed:
        items = "".join(
            f"<li><strong>{escape(c.field)}</strong>: "
            + (f"{escape(c.before)} → " if c.before else "")
            + f"{escape(c.after)}</li>"
            for c in changed
        )
        changes = f'<ul class="audit-changes">{items}</ul>'
    return (
        f'<tr><td data-label="#">{e.sequence}</td><td data-label="When">{escape(display.agency_time(e.occurred_at))}'
        f'</td><td data-label="Who">{escape(e.actor_label)}</td>\n<td data-label="What">{what}</td>\n'
        f'<td data-label="Record">{record}</td>\n<td data-label="Reason">{escape(e.reason)}</td>\n'
        f'<td data-label="Changes">{changes}</td></tr>\n'
    )
