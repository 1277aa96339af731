"""The name of every audited action, registered in one place.

`audit.services.record` accepts only registered names, so a misspelt action fails at once
instead of writing an event no search will find. Each app registers its own actions at import
time (audit's are below; the rating workflow's are in `ratings.audit_actions`) with the label
that timelines and the auditors' filter show and, for an action that is a signature, its meaning
(21 CFR 11.50(b)) that every display of the signed record prints.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AuditAction:
    name: str
    label: str
    signature: str = ""  # the meaning of the signature a successful event of this action is

    def __str__(self) -> str:
        return self.name


_registry: dict[str, AuditAction] = {}


def register(name: str, label: str, *, signature: str = "") -> AuditAction:
    """Register `name` (idempotent for the same definition; a different one is a programming error)."""
    action = AuditAction(name=name, label=label, signature=signature)
    known = _registry.get(name)
    if known is not None:
        if known != action:
            raise ValueError(f"Audit action {name!r} is already registered as {known!r}.")
        return known
    _registry[name] = action
    return action


def resolve(action: AuditAction | str) -> AuditAction:
    name = action.name if isinstance(action, AuditAction) else action
    try:
        return _registry[name]
    except KeyError:
        raise ValueError(f"Audit action {name!r} is not registered (audit.actions.register).") from None


def label(name: str) -> str:
    """The human label of a recorded action name; the name itself for names no longer registered."""
    known = _registry.get(name)
    return known.label if known else name


def signature_meaning(name: str) -> str:
    """What a successful event of `name` signs; empty when the action is no signature."""
    known = _registry.get(name)
    return known.signature if known else ""


def registered() -> list[AuditAction]:
    return sorted(_registry.values(), key=lambda action: action.name)


# --- audit's own actions -----------------------------------------------------------------------

LOGIN = register("auth.login", "Signed in")
LOGOUT = register("auth.logout", "Signed out")
LOGIN_FAILED = register("auth.login_failed", "Sign-in failed")
LOCKED_OUT = register("auth.locked_out", "Locked out after failed sign-ins")
WORKSPACE = register("audit.workspace", "Opened the audit workspace")
EXPORT = register("audit.export", "Exported the audit trail")
EXPORT_DOWNLOAD = register("audit.export_download", "Downloaded an audit export")
EXPORT_MANIFEST = register("audit.export_manifest", "Downloaded an audit export's signed manifest")
BUNDLE = register("audit.bundle", "Built an evidence bundle")
ARCHIVE = register("audit.archive", "Archived events past retention")
LEGAL_HOLD_PLACE = register("legal_hold.place", "Legal hold placed")
LEGAL_HOLD_RELEASE = register("legal_hold.release", "Legal hold released")
