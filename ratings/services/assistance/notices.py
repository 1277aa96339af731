"""Who hears of each step of an assistance case: the placing party, the supplier, HHS intake and
the case officer. Called inside the step's transaction; each notice is keyed by the entry."""

from __future__ import annotations

from django.urls import reverse

from ratings.constants import NotificationKind
from ratings.constants_assistance import AssistanceParty
from ratings.models import AssistanceCase, AssistanceEntry, Directive, Notification, User
from ratings.services.notifications.outbox import notify_many
from ratings.services.orders.notices import order_link, placing_recipients, supplier_contacts
from ratings.services.requests.notices import intake_analysts


def _customer_link(case: AssistanceCase) -> str:
    return reverse("portal:placed-order", args=[case.order.order_number])


def _staff_link(case: AssistanceCase) -> str:
    return reverse("admin:ratings_assistancecase_change", args=[case.pk])


def _send(
    recipients: list[User], case: AssistanceCase, entry: AssistanceEntry, kind: str, subject: str, link: str
) -> list[Notification]:
    return notify_many(
        recipients=recipients,
        kind=kind,
        subject=f"{case.reference} ({case.order.order_number}): {subject}",
        template="case_event",
        context={
            "headline": f"Special priorities assistance case {case.reference} about rated order "
            f"{case.order.order_number}: {entry.get_kind_display().lower()} by {entry.printed_name}.",
            "lines": [entry.text] if entry.text else [],
        },
        key_prefix=f"assistance:{case.pk}:entry{entry.pk}:{link}",
        target=case,
        link=link,
    )


def notify_parties(case: AssistanceCase, entry: AssistanceEntry, subject: str) -> None:
    """Both parties, each at its own page (the placing party's, the supplier's)."""
    _send(
        placing_recipients(case.order), case, entry, NotificationKind.ASSISTANCE_UPDATE, subject, _customer_link(case)
    )
    _send(
        supplier_contacts(case.order.supplier_id),
        case,
        entry,
        NotificationKind.ASSISTANCE_UPDATE,
        subject,
        order_link(case.order),
    )


def notify_opened(case: AssistanceCase, entry: AssistanceEntry) -> None:
    _send(
        intake_analysts(),
        case,
        entry,
        NotificationKind.ASSISTANCE_CASE_OPENED,
        f"assistance asked for by {case.organization.legal_name}",
        _staff_link(case),
    )
    notify_parties(case, entry, "special priorities assistance asked for")


def notify_question(case: AssistanceCase, entry: AssistanceEntry) -> None:
    if entry.addressed_to == AssistanceParty.SUPPLIER:
        recipients, link = supplier_contacts(case.order.supplier_id), order_link(case.order)
    else:
        recipients, link = placing_recipients(case.order), _customer_link(case)
    _send(recipients, case, entry, NotificationKind.ASSISTANCE_UPDATE, "HHS asks you a question", link)


def notify_officer(case: AssistanceCase, entry: AssistanceEntry) -> None:
    if case.case_officer is not None:
        _send(
            [case.case_officer], case, entry, NotificationKind.ASSISTANCE_UPDATE, "answer received", _staff_link(case)
        )


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
        link=order_link(case.order),
    )
    _send(
        placing_recipients(case.order),
        case,
        entry,
        NotificationKind.ASSISTANCE_UPDATE,
        "directive issued",
        _customer_link(case),
    )
