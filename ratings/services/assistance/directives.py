"""Directives: HHS's signed order to a supplier, issued in an assistance case, to accept a rated
order or to meet a schedule (15 CFR 700.62 model; it takes precedence over DX and DO orders,
45 CFR 101.31(a)(3) [U]). It is signed by an approving official with the authority the setting
DIRECTIVE_AUTHORITY_LEVEL names (password and second factor, 21 CFR 11.200), bound to its
content by SHA-256 (11.70), delivered to every supplier contact like an order (its delivery is
recorded by the outbox), and acknowledged by the supplier in the portal. Acknowledging a
directive to accept the order records the supplier's acceptance under it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping

from django.utils import timezone

from dpa_portal.errors import ValidationFailed
from ratings import audit_actions, permissions, permissions_casework
from ratings.clock import agency_today
from ratings.constants import OrderStatus, SupplierResponseKind
from ratings.constants_assistance import (
    SIGNATURE_MEANING_DIRECTIVE,
    SIGNATURE_MEANING_DIRECTIVE_ACK,
    AssistanceEntryKind,
    AssistanceStatus,
    DirectiveRequirement,
)
from ratings.models import AssistanceCase, Directive, RatedOrder, RatedOrderVersion, SupplierResponse, User
from ratings.services import items, transition
from ratings.services.accounts import signing_basis
from ratings.services.assistance import notices
from ratings.services.assistance.cases import CASE, entry_add
from ratings.services.orders import clocks as order_clocks
from ratings.services.references import reference_allocate

ISSUE = transition.Action(
    audit=audit_actions.DIRECTIVE_ISSUE,
    permission=permissions_casework.assistance_rule("issue_directive"),
    states=[AssistanceStatus.IN_PROGRESS],
    done="take a directive",
    signature=True,
)
ACKNOWLEDGE = transition.Action(
    audit=audit_actions.DIRECTIVE_ACKNOWLEDGE,
    permission=permissions.order_rule("acknowledge_directive"),
    done="take a directive's acknowledgement",
)


def _content_sha256(values: Mapping[str, object]) -> str:
    canonical = json.dumps(values, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def directive_issue(
    *,
    case: AssistanceCase,
    actor: User,
    requirement: str,
    terms: str,
    schedule_date: dt.date | str | None = None,
    password: str = "",
    otp: str = "",
    expected_version: int | None = None,
) -> Directive:
    """Sign and deliver a directive to the case's supplier."""
    issued: list[Directive] = []

    def apply(locked: AssistanceCase) -> transition.Applied:
        if requirement not in DirectiveRequirement.values:
            raise ValidationFailed("Choose what the directive requires.", field="requirement")
        text = items.clean_text(
            terms, field="terms", label="The directive's terms", max_length=items.CASE_TEXT_MAX_LENGTH
        )
        day = None
        if requirement == DirectiveRequirement.MEET_SCHEDULE:
            day = items.parse_date(
                schedule_date, field="schedule_date", label="date to deliver by", earliest=agency_today()
            )
        order = locked.order
        now = timezone.now()
        number = f"HHS-DIR-{now.year}-{reference_allocate(kind='directive', year=now.year):05d}"
        delegation = signing_basis.signing_delegation(actor, permissions_casework.directive_level())
        values = {
            "number": number,
            "case": locked.reference,
            "order": order.order_number,
            "supplier": order.supplier.legal_name,
            "requirement": requirement,
            "terms": text,
            "schedule_date": day.isoformat() if day else None,
            "signed_by": actor.printed_name,
            "signed_at": now.isoformat(),
            "meaning": SIGNATURE_MEANING_DIRECTIVE,
        }
        directive = Directive.objects.create(
            number=number,
            case=locked,
            order=order,
            supplier=order.supplier,
            requirement=requirement,
            terms=text,
            schedule_date=day,
            signed_by=actor,
            printed_name=actor.printed_name,
            title=actor.title,
            delegation=delegation,
            signed_at=now,
            meaning=SIGNATURE_MEANING_DIRECTIVE,
            content_sha256=_content_sha256(values),
        )
        issued.append(directive)
        entry = entry_add(
            locked, AssistanceEntryKind.DIRECTIVE, actor, f"{number}: {directive.get_requirement_display()}. {text}"
        )
        notices.notify_directive(locked, directive, entry)
        return transition.Applied(
            reason=text,
            data={
                "directive": number,
                "order": order.order_number,
                "requirement": requirement,
                "content_sha256": directive.content_sha256,
                "signature": {"printed_name": directive.printed_name, "meaning": directive.meaning},
                "entry": entry.pk,
            },
        )

    transition.perform(
        CASE,
        ISSUE,
        target=case,
        actor=actor,
        apply=apply,
        expected_version=expected_version,
        password=password,
        otp=otp,
    )
    return issued[0]


def directive_acknowledge(*, directive: Directive, actor: User) -> Directive:
    """The supplier acknowledges the directive; one to accept the order accepts it under the directive."""

    def apply(locked: RatedOrder) -> transition.Applied:
        row = Directive.objects.select_for_update(of=("self",), no_key=True).get(pk=directive.pk)
        if row.acknowledged_at is not None:
            raise ValidationFailed(f"Directive {row.number} was already acknowledged.", field="directive")
        now = timezone.now()
        row.acknowledged_by, row.acknowledged_name, row.acknowledged_at = actor, actor.printed_name, now
        row.save(update_fields=["acknowledged_by", "acknowledged_name", "acknowledged_at"])
        accepted = False
        if row.requirement == DirectiveRequirement.ACCEPT_ORDER and locked.status != OrderStatus.ACCEPTED:
            locked.accept_under_directive()
            version = RatedOrderVersion.objects.get(order=locked, number=locked.current_version)
            order_clocks.close_clock(version, now)
            SupplierResponse.objects.create(
                order=locked,
                version=version,
                kind=SupplierResponseKind.ACCEPT,
                responder=actor,
                printed_name=actor.printed_name,
                title=actor.title,
                responded_at=now,
                meaning=f"Accepted under HHS directive {row.number}",
                explanation=row.terms,
                content_sha256=_content_sha256({"directive": row.content_sha256, "accepted_by": actor.pk, "at": now}),
            )
            accepted = True
        entry = entry_add(row.case, AssistanceEntryKind.ACKNOWLEDGED, actor, f"{row.number} acknowledged.")
        notices.notify_officer(row.case, entry)
        return transition.Applied(
            reason=f"Directive {row.number} acknowledged.",
            organization_id=locked.supplier_id,
            about=row,
            data={
                "directive": row.number,
                "case": row.case.reference,
                "order_accepted": accepted,
                "signature": {"printed_name": actor.printed_name, "meaning": SIGNATURE_MEANING_DIRECTIVE_ACK},
                "entry": entry.pk,
            },
        )

    transition.perform(transition.ORDER, ACKNOWLEDGE, target=directive.order, actor=actor, apply=apply)
    return Directive.objects.get(pk=directive.pk)
