"""Template filters of the audit workspace (audit.display): `{{ e.occurred_at|audit_time }}`,
`{{ e.action|action_label }}`, `{% for c in e.changes|audit_changes %}`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template

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
