"""Who opens the program view, and its CSV downloads: a refusal is audited like every permission
refusal, and every download is an audit event committed before the first byte is sent."""

from __future__ import annotations

from typing import Any

from audit import services as audit
from ratings import audit_actions, permissions
from ratings.models import User
from ratings.services import transition


def program_view_open(*, actor: User, page: str) -> None:
    """Refuse (audited) whoever may not see the program view; opening it writes nothing."""
    refusal = permissions.program_view_refusal(None, actor)
    if refusal:
        transition.record_refusal(action=audit_actions.PROGRAM_VIEW_OPEN, actor=actor, message=refusal, reference=page)


def program_view_export(*, actor: User, table: str, filters: dict[str, Any], rows: int) -> None:
    """Record the download of one table of the program view (business confidential, DPA 705(d))."""

    def apply() -> None:
        audit.record(
            action=audit_actions.PROGRAM_VIEW_EXPORT,
            actor=actor,
            reference=table,
            data={"table": table, "filters": filters, "rows": rows},
        )

    transition.perform_create(
        audit_actions.PROGRAM_VIEW_EXPORT,
        actor=actor,
        refusal=permissions.program_view_refusal(None, actor),
        apply=apply,
    )
