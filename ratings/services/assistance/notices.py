"""Who hears of each step of an assistance case: the placing party, the supplier, HHS intake and
the case officer. Called inside the step's transaction; each notice is keyed by the entry and
leads each recipient to its own page of the case (services.notifications.links)."""

from __future__ import annotations

from ratings.clock import agency_date
from ratings.constants import NotificationKind
from ratings.constants_assistance import AssistanceParty
from ratings.models import AssistanceCase, AssistanceEntry, Directive, Notification, User
from ratings.services.notifications.outbox import notify_many
from ratings.services.orders.notices import placing_recipients, supplier_contacts
from ratings.services.requests.notices import intake_analysts


def _send(
    recipients: list[User],
    case: AssistanceCase,
    entry: AssistanceEntry,
    kind: str,
    subject: str,
    audience: str,
    *,
    more: tuple[str, ...] = (),
) -> list[Notification]:
    lines = [*([entry.text] if entry.text else []), *more]
    return notify_many(
        recipients=recipients,
        kind=kind,
        subject=f"{case.reference} ({case.order.order_number}): {subject}",
        template="case_event",
        context={
            "headline": f"Special priorities assistance case {case.reference} about rated order "
            f"{case.order.order_number}: {entry.get_kind_display().lower()} by {entry.printed_name}.",
            "lines": lines,
        },
        key_prefix=f"assistance:{case.pk}:entry{entry.pk}:{audience}",
        target=case,
    )


def notify_parties(case: AssistanceCase, entry: AssistanceEntry, subject: str, *, more: tuple[str, ...] = ()) -> None:
    """Both parties: the one that placed the order and the supplier."""
    kind = NotificationKind.ASSISTANCE_UPDATE
    _send(placing_recipients(case.order), case, entry, kind, subject, "customer", more=more)
    _send(supplier_contacts(case.order.supplier_id), case, entry, kind, subject, "supplier", more=more)


def notify_opened(case: AssistanceCase, entry: AssistanceEntry) -> None:
    target = (f"HHS aims to answer by {agency_date(case.target_due_at)}.",)
    _send(
        intake_analysts(),
        case,
        entry,
        NotificationKind.ASSISTANCE_CASE_OPENED,
        f"assistance asked for by {case.organization.legal_name}",
        "staff",
        more=target,
    )
    notify_parties(case, entry, "special priorities assistance asked for", more=target)


def notify_question(case: AssistanceCase, entry: AssistanceEntry) -> None:
    if entry.addressed_to == AssistanceParty.SUPPLIER:
        recipients, audience = supplier_contacts(case.order.supplier_id), "supplier"
    else:
        recipients, audience = placing_recipients(case.order), "customer"
    _send(recipients, case, entry, NotificationKind.ASSISTANCE_UPDATE, "HHS asks you a question", audience)


def notify_officer(case: AssistanceCase, entry: AssistanceEntry) -> None:
    if case.case_officer is not None:
        _send([case.case_officer], case, entry, NotificationKind.ASSISTANCE_UPDATE, "answer received", "staff")


def notify_directive(case: AssistanceCase, directive: Directive, entry: AssistanceEntry) -> None:
    """Delivered like an order: every supplier contact gets it at once (never held or switched off)."""
    notify_many(
        recipients=supplier_contacts(directive.supplier_id),
        kind=NotificationKind.DIRECTIVE_ISSUED,
        subject=f"{directive.number}: directive from HHS about rated order {case.order.order_number}",
        template="case_event",
        context={
            "headline": f"HHS directive {directive.number}, signed by {directive.printed_name}: "
            f"{directive.get_requirement_display()}.",
            "lines": [directive.terms, "Acknowledge it on the order's page in the portal."],
        },
        key_prefix=f"directive:{directive.pk}",
        target=directive,
    )
    _send(
        placing_recipients(case.order), case, entry, NotificationKind.ASSISTANCE_UPDATE, "directive issued", "customer"
    )
