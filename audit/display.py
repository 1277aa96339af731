"""How the workspace shows recorded values to people: times in the agency's time zone, changes as
readable before/after text (no Python literals), actions by their registered label.

Audit's own twin of the project's `agency_time` (audit imports nothing of the apps it records):
the same zone setting (AGENCY_TIME_ZONE) and the same form, "2026-12-03 17:00:05 EST".
Exports keep the recorded values and UTC.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps
from django.conf import settings
from django.utils import timezone

from audit import actions
from audit.constants import Outcome

EMPTY = "(none)"


def agency_time(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=dt.UTC)
    # strftime's %Z is the zone's abbreviation, as dateformat's "T" (a tenth of its cost; a page
    # shows fifty of these).
    return moment.astimezone(ZoneInfo(settings.AGENCY_TIME_ZONE)).strftime("%Y-%m-%d %H:%M:%S %Z")


def _as_time(text: str) -> dt.datetime | None:
    """An ISO date-time with its zone, as JSON keeps one; None for anything else."""
    if len(text) < 19 or text[4] != "-" or "T" not in text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return None if timezone.is_naive(moment) else moment


def field_label(name: str) -> str:
    """`assigned_reviewer_id` → "Assigned reviewer (id)"."""
    base, ident = (name[:-3], True) if name.endswith("_id") else (name, False)
    text = base.replace("_", " ").strip().capitalize() or name
    return f"{text} (id)" if ident else text


def value_text(value: Any) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str):
        moment = _as_time(value)
        return agency_time(moment) if moment else value
    if isinstance(value, list | tuple):
        return "; ".join(value_text(v) for v in value)
    if isinstance(value, Mapping):
        return "; ".join(f"{field_label(str(k))}: {value_text(v)}" for k, v in value.items())
    return str(value)


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


# Fields that hold a user's id by the trail's naming habit ("decided_by_id", "assigned_reviewer_id"):
# shown by the person's name when a page passes the names it knows.
USER_FIELD_SUFFIXES = ("_by_id", "reviewer_id", "user_id", "signer_id", "recipient_id", "officer_id")


def _is_user_field(name: str) -> bool:
    return name.endswith(USER_FIELD_SUFFIXES)


def user_ids(recorded: Iterable[Any]) -> set[str]:
    """The user ids that the user-id fields of these recorded changes hold (before or after)."""
    ids: set[str] = set()
    for changes in recorded:
        if not isinstance(changes, Mapping):
            continue
        for name, pair in changes.items():
            if _is_user_field(str(name)):
                values = pair if isinstance(pair, list | tuple) else [pair]
                ids.update(str(v) for v in values if v is not None)
    return ids


@cache
def choice_labels() -> dict[str, dict[str, str]]:
    """{field name: {stored value: label}} from the choices of the project's models, so a change
    of `state` reads "Recommended → Approved", not the stored codes. Audit knows no app: it reads
    Django's model registry. A value two models label differently under one field name keeps
    its stored form."""
    labels: dict[str, dict[str, str]] = {}
    clashes: set[tuple[str, str]] = set()
    for model in apps.get_models():
        if model._meta.app_config.name.startswith("django."):
            continue
        for field in model._meta.concrete_fields:
            for value, label in field.flatchoices or ():
                known = labels.setdefault(field.name, {})
                key, text = str(value), str(label)
                if known.setdefault(key, text) != text:
                    clashes.add((field.name, key))
    for name, key in clashes:
        labels[name].pop(key, None)
    return labels


def _field_text(name: str, value: Any, people: Mapping[str, str]) -> str:
    if _is_user_field(name) and value is not None and str(value) in people:
        return people[str(value)]
    if isinstance(value, str) and value in choice_labels().get(name, {}):
        return choice_labels()[name][value]
    return value_text(value)


def changes(recorded: Any, people: Mapping[str, str] | None = None) -> list[Change]:
    """{field: [before, after]} as readable rows; a value that is no pair is shown as "after".
    `people` ({user id: name}) names the users behind user-id fields: given, such a field reads
    as the person ("Assigned reviewer"), even when the page names no one."""
    if not isinstance(recorded, Mapping):
        return []
    names = people or {}
    rows = []
    for name, pair in recorded.items():
        key = str(name)
        label = field_label(key[:-3]) if _is_user_field(key) and people is not None else field_label(key)
        if isinstance(pair, list | tuple) and len(pair) == 2:
            rows.append(Change(label, _field_text(key, pair[0], names), _field_text(key, pair[1], names)))
        else:
            rows.append(Change(label, "", _field_text(key, pair, names)))
    return rows


def action_label(name: str) -> str:
    return actions.label(name)


def outcome_label(outcome: str) -> str:
    return _outcome_labels().get(outcome, outcome)


@cache
def _outcome_labels() -> dict[str, str]:
    return {str(value): str(label) for value, label in Outcome.choices}
