"""Organizations and programs: created and changed by HHS administrators, each change audited
with before and after values. Never deleted (records refer to them for years): deactivated."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models

from audit import services as audit
from audit.actions import AuditAction
from dpa_portal.errors import ValidationFailed
from ratings import audit_actions, permissions
from ratings.constants import LEVEL_RANK
from ratings.models import Organization, Program, User
from ratings.services import transition
from ratings.services.accounts import kinds

M = TypeVar("M", bound=models.Model)

ORGANIZATION_FIELDS = (
    "kind",
    "legal_name",
    "short_name",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "country",
    "manufacturing_country",
    "uei",
    "cage_code",
    "contact_email",
    "contact_phone",
    "is_active",
    "require_mfa",
)
PROGRAM_FIELDS = (
    "symbol",
    "name",
    "allowed_levels",
    "determination_date",
    "determination_official",
    "determination_citation",
    "determination_scope",
    "capacity_report_days",
    "is_active",
)
DETERMINATION_LABELS = {
    "determination_official": "official who made it",
    "determination_date": "date",
    "determination_citation": "citation",
    "determination_scope": "scope",
}


def _assign(row: M, values: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, list[Any]]:
    unknown = set(values) - set(allowed)
    if unknown:
        raise ValidationFailed(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    changes = {}
    for name, value in values.items():
        before = getattr(row, name)
        if before != value:
            setattr(row, name, value)
            changes[name] = [before, value]
    try:
        row.full_clean()
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise ValidationFailed(" ".join(messages), field=None if field == "__all__" else field) from None
    return changes


def _check_program(program: Program) -> None:
    levels = program.allowed_levels
    if not isinstance(levels, list) or not levels or any(level not in LEVEL_RANK for level in levels):
        raise ValidationFailed('Allowed levels is a list of "DO" and/or "DX".', field="allowed_levels")
    # The determination record is whole or absent: documents print it as the symbol's legal basis.
    record = {
        "determination_official": program.determination_official.strip(),
        "determination_date": program.determination_date,
        "determination_citation": program.determination_citation.strip(),
        "determination_scope": program.determination_scope.strip(),
    }
    if any(record.values()):
        for name, label in DETERMINATION_LABELS.items():
            if not record[name]:
                raise ValidationFailed(
                    f"A program determination records the official, the date, the citation and the scope: give "
                    f"the {label} too, or leave all four empty until the determination is made.",
                    field=name,
                )


def _create(
    model: type[M],
    action: AuditAction,
    actor: User,
    values: dict[str, Any],
    allowed: tuple[str, ...],
    check: Callable[[M], None],
) -> M:
    def apply() -> M:
        row = model()
        changes = _assign(row, values, allowed)
        check(row)
        row.save()
        audit.record(
            action=action,
            actor=actor,
            target=row,
            organization_id=row.pk if isinstance(row, Organization) else None,
            changes={name: [None, after] for name, (_before, after) in changes.items()},
        )
        return row

    return transition.perform_create(
        action, actor=actor, refusal=permissions.account_admin_refusal(None, actor), apply=apply
    )


def organization_create(*, actor: User, values: dict[str, Any]) -> Organization:
    return _create(Organization, audit_actions.ORGANIZATION_CREATE, actor, values, ORGANIZATION_FIELDS, lambda _: None)


ORGANIZATION_UPDATE = transition.Action(
    audit=audit_actions.ORGANIZATION_UPDATE, permission=permissions.account_admin_refusal
)
PROGRAM_UPDATE = transition.Action(audit=audit_actions.PROGRAM_UPDATE, permission=permissions.account_admin_refusal)


def organization_update(*, organization: Organization, actor: User, values: dict[str, Any]) -> Organization:
    def apply(locked: Organization) -> transition.Applied:
        changes = _assign(locked, values, ORGANIZATION_FIELDS)
        return transition.Applied(changes=changes, unchanged=not changes)

    return transition.perform(kinds.ORGANIZATION, ORGANIZATION_UPDATE, target=organization, actor=actor, apply=apply)


def program_create(*, actor: User, values: dict[str, Any]) -> Program:
    return _create(Program, audit_actions.PROGRAM_CREATE, actor, values, PROGRAM_FIELDS, _check_program)


def program_update(*, program: Program, actor: User, values: dict[str, Any]) -> Program:
    def apply(locked: Program) -> transition.Applied:
        changes = _assign(locked, values, PROGRAM_FIELDS)
        _check_program(locked)
        return transition.Applied(changes=changes, unchanged=not changes)

    return transition.perform(kinds.PROGRAM, PROGRAM_UPDATE, target=program, actor=actor, apply=apply)
