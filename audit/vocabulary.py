"""What the auditors' filters offer and accept, with human labels: actions by their registered
label, kinds of record by their verbose name, outcomes; people and organizations are typed, not
picked (a government's thousands of accounts and suppliers make no usable picklist, and reading
them all cost every search two statements): an organization by its name or number, resolved here.

Audit does not know the apps it records; the app that owns organizations registers how to find
them by name once at start-up (`register_organization_finder`). People and kinds of record come
from Django's own registries (the user model, installed models), so they need no registration.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model

from audit import actions, display
from audit.constants import Outcome
from dpa_portal.errors import ValidationFailed

Choices = list[tuple[str, str]]


@dataclass(frozen=True)
class Group:
    label: str
    choices: Choices


# An organization finder: (id, name) of the organizations with this number or name, exact first.
Finder = Callable[[str], Choices]
_finders: list[Finder] = []
SHOWN_MATCHES = 10


def register_organization_finder(finder: Finder) -> None:
    """`finder(text)` gives (organization id, name) of the organization numbered `text`, else those
    whose name is `text` (any case), else those whose name contains it; at most SHOWN_MATCHES + 1."""
    _finders[:] = [finder]


def organization_id(text: str) -> int:
    """The one organization `text` names (its number or its name, or a part of the name that only
    one has); ValidationFailed, saying which, when none or several do."""
    text = text.strip()
    found = _finders[0](text) if _finders else []
    if len(found) == 1:
        return int(found[0][0])
    if not found:
        what = f"number {text}" if text.isdigit() else f"a name containing “{text}”"
        raise ValidationFailed(f"Organization: no organization has {what}.", field="organization")
    named = "; ".join(f"{name} (number {pk})" for pk, name in found[:SHOWN_MATCHES])
    more = " and more" if len(found) > SHOWN_MATCHES else ""
    raise ValidationFailed(
        f"Organization: “{text}” matches several organizations: {named}{more}. Give more of the name, or the number.",
        field="organization",
    )


def action_groups() -> list[Group]:
    """Registered actions grouped by what they act on ("rating_request." → "Rating request"),
    each group led by "any action on …" (the prefix filter)."""
    groups: dict[str, Choices] = {}
    for action in actions.registered():
        prefix = action.name.split(".", 1)[0]
        groups.setdefault(prefix, []).append((action.name, action.label))
    result = []
    for prefix, choices in sorted(groups.items()):
        noun = prefix.replace("_", " ")
        result.append(
            Group(
                noun.capitalize(),
                [(f"{prefix}.", f"Any {noun} action"), *sorted(choices, key=lambda c: c[1].lower())],
            )
        )
    return result


def people(ids: Iterable[str]) -> dict[str, str]:
    """{user id: "Full Name (username)"} for the accounts with these ids: one query, none for no ids."""
    keys = {int(i) for i in ids if str(i).isdigit()}
    if not keys:
        return {}
    users = get_user_model().objects.filter(pk__in=keys).order_by("last_name", "first_name", "pk")
    return {
        str(u.pk): f"{u.get_full_name() or u.get_username()} ({u.get_username()})"
        for u in users.only("pk", "first_name", "last_name", "username")
    }


def people_in(events: Iterable[Any]) -> dict[str, str]:
    """`people` for the users the events' changes name (user-id fields): what their rows show."""
    return people(display.user_ids(e.changes for e in events))


def object_types() -> Choices:
    """The project's own kinds of record (not Django's built-in ones), by verbose name."""
    models = [m for m in apps.get_models() if not m._meta.app_config.name.startswith("django.")]
    choices = [(m._meta.label, f"{str(m._meta.verbose_name).capitalize()} ({m._meta.app_label})") for m in models]
    return sorted(choices, key=lambda c: c[1].lower())


def outcomes() -> Choices:
    return [(str(value), str(label)) for value, label in Outcome.choices]
