"""Auditor search: filters to a queryset, keyset pages (no count(*) over the trail)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet

from audit import actions, scopes
from audit.chain import HASHED_FIELDS
from audit.constants import SYSTEM_ACTOR_LABEL
from audit.models import AuditEvent
from dpa_portal.errors import ValidationFailed

FILTER_FIELDS = ("date_from", "date_to", "actor", "organization", "reference", "action", "object_type", "outcome", "q")


@dataclass(frozen=True)
class EventFilters:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    actor: str = ""  # user id, or part of the actor's name/username
    organization: int | None = None
    reference: str = ""  # a record's reference (exact): its events and those of the records under it
    action: str = ""  # exact action, or a prefix ending in "." e.g. "rating_request."
    object_type: str = ""  # app label and model, e.g. "ratings.RatedOrder"
    outcome: str = ""
    q: str = ""  # free text in reasons

    @classmethod
    def parse(cls, params: Mapping[str, Any]) -> EventFilters:
        """From query parameters or command options; bad input raises ValidationFailed."""

        def text(name: str) -> str:
            return str(params.get(name) or "").strip()

        def date(name: str) -> dt.date | None:
            raw = text(name)
            if not raw:
                return None
            try:
                return dt.date.fromisoformat(raw)
            except ValueError:
                raise ValidationFailed(f"{name}: give a date as YYYY-MM-DD, not {raw!r}.", field=name) from None

        organization = None
        if text("organization"):
            if not text("organization").isdigit():
                raise ValidationFailed("organization: give the organization's number.", field="organization")
            organization = int(text("organization"))
        filters = cls(
            date_from=date("date_from"),
            date_to=date("date_to"),
            actor=text("actor")[:150],
            organization=organization,
            reference=text("reference")[:40],
            action=text("action")[:80],
            object_type=text("object_type")[:80],
            outcome=text("outcome")[:10],
            q=text("q")[:200],
        )
        if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
            raise ValidationFailed(
                f"The From date ({filters.date_from}) is after the To date ({filters.date_to}): "
                "choose a From date on or before it.",
                field="date_from",
            )
        return filters

    def as_dict(self) -> dict[str, Any]:
        return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in asdict(self).items() if v}

    def apply(self, queryset: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        # The agency's days, as every time in the workspace is shown (an evening event in
        # Washington is the next day in UTC).
        zone = ZoneInfo(settings.AGENCY_TIME_ZONE)
        if self.date_from:
            start = dt.datetime.combine(self.date_from, dt.time.min, tzinfo=zone)
            queryset = queryset.filter(occurred_at__gte=start)
        if self.date_to:
            end = dt.datetime.combine(self.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
            queryset = queryset.filter(occurred_at__lt=end)
        if self.actor:
            if self.actor == SYSTEM_ACTOR_LABEL:
                queryset = queryset.filter(actor__isnull=True)
            elif self.actor.isdigit():
                queryset = queryset.filter(actor_id=int(self.actor))
            else:
                queryset = queryset.filter(actor_label__icontains=self.actor)
        if self.organization is not None:
            queryset = queryset.filter(organization_id=self.organization)
        if self.reference:
            # The record and everything under it (a request's orders, flow-down, notices).
            queryset = queryset.filter(scopes.scope_of(self.reference).q())
        if self.action:
            if self.action.endswith("."):
                queryset = queryset.filter(action__startswith=self.action)
            else:
                queryset = queryset.filter(action=self.action)
        if self.object_type:
            queryset = queryset.filter(object_type=self.object_type)
        if self.outcome:
            queryset = queryset.filter(outcome=self.outcome)
        if self.q:
            queryset = queryset.filter(reason__icontains=self.q)
        return queryset


def events(filters: EventFilters, *, up_to_sequence: int | None = None) -> QuerySet[AuditEvent]:
    queryset = filters.apply(AuditEvent.objects.all())
    if up_to_sequence is not None:
        queryset = queryset.filter(sequence__lte=up_to_sequence)
    return queryset


@dataclass(frozen=True)
class Page:
    events: list[AuditEvent]
    next_before: int | None  # pass as ?before= for the next (older) page


def page(filters: EventFilters, *, before: int | None, size: int) -> Page:
    """Newest first, `size` events older than sequence `before`: one index range scan, no count."""
    queryset = events(filters)
    if before is not None:
        queryset = queryset.filter(sequence__lt=before)
    rows = list(queryset.order_by("-sequence")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return Page(rows, rows[-1].sequence if more and rows else None)


EXPORT_FIELDS = (*HASHED_FIELDS, "hash")


def iterate_ascending(
    filters: EventFilters, *, up_to_sequence: int, batch: int = 2000, after: int = 0
) -> Iterator[list[dict[str, Any]]]:
    """Batches of matching events (as dicts of the hashed fields plus hash) in chain order, by
    keyset: constant memory at any size, and no model instances to build."""
    while True:
        rows = list(
            events(filters, up_to_sequence=up_to_sequence)
            .filter(sequence__gt=after)
            .order_by("sequence")
            .values(*EXPORT_FIELDS)[:batch]
        )
        if not rows:
            return
        yield rows
        after = rows[-1]["sequence"]


def reference_history(reference: str) -> QuerySet[AuditEvent]:
    """Every event about the record with this reference and the records under it (audit.scopes),
    in chain order."""
    return AuditEvent.objects.filter(scopes.scope_of(reference).q()).order_by("sequence")


def signature_of(event: AuditEvent) -> dict[str, str] | None:
    """21 CFR 11.50(b): printed name, date and time, meaning. None when the event is no signature.

    An event is a signature when its data holds a `signature` object (printed_name, signed_at,
    meaning: any module may record one) or a successful event of an action registered as a
    signature (audit.actions.register(..., signature=meaning)).
    """
    data = event.data if isinstance(event.data, dict) else {}
    sig = data.get("signature")
    if isinstance(sig, dict):
        return {
            "printed_name": str(sig.get("printed_name") or sig.get("name") or event.actor_label),
            "signed_at": str(sig.get("signed_at") or event.occurred_at.isoformat()),
            "meaning": str(sig.get("meaning") or event.action),
        }
    meaning = actions.signature_meaning(event.action)
    if event.outcome == "success" and meaning:
        return {
            "printed_name": str(data.get("printed_name") or data.get("certified_name") or event.actor_label),
            "signed_at": event.occurred_at.isoformat(),
            "meaning": meaning,
        }
    return None
