"""The legal basis printed under an HHS signature: the signer's recorded delegation and the
program determination behind the rating's program symbol. Signing services take both from here,
so a document never prints a blank authority."""

from __future__ import annotations

from dpa_portal.errors import ValidationFailed
from ratings import permissions
from ratings.models import Program, User
from ratings.services import transition


def signing_delegation(actor: User, level: str) -> str:
    """The delegation the approving official signs a `level` rating under; refused (audited by
    the transition path) when none is recorded on their approval authority."""
    membership = permissions.approving_membership(actor, level)
    delegation = (membership.delegation if membership else "").strip()
    if not delegation:
        raise transition.Refused(
            f"{actor.printed_name} has no delegation recorded on their {level} approval authority, and a "
            "signature under HHS authority must print one. Nothing was signed: an HHS administrator records the "
            "delegation through an approval-authority grant, confirmed by a second administrator."
        )
    return delegation


def program_determination(program: Program) -> str:
    """The program's determination record as documents print it; refused while incomplete."""
    text = program.determination_text()
    if not text:
        raise ValidationFailed(
            f"Program {program.symbol} has no complete program determination on record (official, date, citation "
            "and scope), so no rating can be signed under it. An HHS administrator records it on the program first."
        )
    return text
