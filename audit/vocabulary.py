"""The picklists of the auditors' filters, with human labels: actions by their registered label,
actors by name, organizations by name, kinds of record by their verbose name.

Audit does not know the apps it records; the app that owns organizations registers their list
once at start-up (`register_organizations`). Actors and kinds of record come from Django's own
registries (the user model, installed models), so they need no registration.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model

from audit import actions
from audit.constants import SYSTEM_ACTOR_LABEL, Outcome

Choices = list[tuple[str, str]]


@dataclass(frozen=True)
class Group:
    label: str
    choices: Choices


_organizations: list[Callable[[], Choices]] = []


def register_organizations(provider: Callable[[], Choices]) -> None:
    """`provider()` gives (organization id, name) pairs, sorted for people."""
    _organizations[:] = [provider]


def organizations() -> Choices:
    return _organizations[0]() if _organizations else []


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


def people() -> dict[str, str]:
    """{user id: "Full Name (username)"} for every account, by name: one query."""
    users = get_user_model().objects.order_by("last_name", "first_name", "pk")
    return {
        str(u.pk): f"{u.get_full_name() or u.get_username()} ({u.get_username()})"
        for u in users.only("pk", "first_name", "last_name", "username")
    }


def actors(known: dict[str, str] | None = None) -> Choices:
    """Every account by name (the value is its id), then the system's own work."""
    return [*(known if known is not None else people()).items(), (SYSTEM_ACTOR_LABEL, "System (background work)")]


def object_types() -> Choices:
    """The project's own kinds of record (not Django's built-in ones), by verbose name."""
    models = [m for m in apps.get_models() if not m._meta.app_config.name.startswith("django.")]
    choices = [(m._meta.label, f"{str(m._meta.verbose_name).capitalize()} ({m._meta.app_label})") for m in models]
    return sorted(choices, key=lambda c: c[1].lower())


def outcomes() -> Choices:
    return [(str(value), str(label)) for value, label in Outcome.choices]
