"""A year of rating history for the program view: requests over three programs, their orders
and the suppliers' answers, a concentrated item family (nitrile gloves), single-source items (a
dispensing pump only PumpCo makes, a filtration cassette only Membrana makes) and a three-tier flow-down chain with an overdue and
a rejected order.

The history stands for the year before the quick start: it is written straight to the tables
in one transaction (thousands of signed service calls would make the seed slow) and carries no
audit events, but for its orders' signed documents, which the real generator then makes (and
audits) as for any order; what the demo does today goes through the services (ratings/demo/seed.py).
Each request is whole, as its pages show it: dated when it was drafted and last changed (so the
applicant's list opens on today's work, not on the history), certified, justified, with the line
items its first-tier orders were issued for. References carry an "H" so the history is never
mistaken for live work."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from ratings.clock import supplier_response_due
from ratings.constants import (
    EXTENSION_CITATION,
    SIGNATURE_MEANING_APPROVAL,
    SIGNATURE_MEANING_EXTENSION,
    GenerationStatus,
    HealthResourceCategory,
    OrderStatus,
    RequestState,
    SupplierNoticeKind,
    SupplierResponseKind,
)
from ratings.demo.catalog import CATALOG, FDA_BY_CATEGORY, PROGRAMS, Item
from ratings.demo.program_rows import supporting_rows
from ratings.models import (
    CapacityReport,
    ItemFamily,
    LineItemDelivery,
    Organization,
    RatedOrder,
    RatedOrderItem,
    RatedOrderVersion,
    RatingRequest,
    RequestLineItem,
    Signature,
    SupplierResponse,
    User,
)
from ratings.models.precedence import precedence_key
from ratings.services.accounts import signing_basis
from ratings.services.orders import documents as order_documents


def demo_program_history(orgs: dict[str, Organization], users: dict[str, User]) -> int:
    """Create the history once (nothing when it exists); returns the requests created."""
    if RatingRequest.objects.filter(reference__startswith="PRR-H").exists():
        return 0
    with transaction.atomic():
        created = _History(orgs, users).write()
    # Every history order has its signed document, made by the real generator as for any order
    # (each in its own short transaction), so nobody is told a year-old document "is being generated".
    pending = RatedOrderVersion.objects.filter(
        order__order_number__contains="-H", generation_status=GenerationStatus.PENDING
    ).order_by("pk")
    for version_id in pending.values_list("pk", flat=True):
        order_documents.order_document_generate(version_id=version_id)
    return created


class _History:
    def __init__(self, orgs: dict[str, Organization], users: dict[str, User]):
        self.orgs, self.users = orgs, users
        self.programs = supporting_rows(orgs, users)
        self.random = random.Random(2026)
        # The items of requests that never had an order; a stream of its own, so the rest of
        # the history (what the program view shows) stays as it was.
        self.unordered_random = random.Random(2027)
        self.positions: Counter[int] = Counter()  # line items written per request
        self.now = timezone.now()
        self.n = 0
        self.orders: list[tuple[RatedOrder, Item, dict[str, Any]]] = []

    def contact(self, supplier: str) -> User:
        return {
            "filtra": self.users["supplier"],
            "pumpco": self.users["supplier2"],
            "membrana": self.users["membrana"],
            "resina": self.users["resina"],
        }.get(supplier) or self.users[f"contact-{supplier}"]

    def write(self) -> int:
        requests = []
        start = self.now - dt.timedelta(days=365)
        for week in range(50):
            for symbol in ("HR", "PV", "DT"):
                if self.random.random() < (0.45 if symbol == "DT" else 0.7):
                    submitted = start + dt.timedelta(
                        days=week * 7 + self.random.randint(0, 6), hours=self.random.randint(8, 17)
                    )
                    requests.append(self.request(symbol, submitted))
        self.chain(requests)
        self.capacity()
        return len(requests)

    def capacity(self) -> None:
        """Glove Works reported lately; Sarung's report is older than the interval (due again)."""
        gloves = ItemFamily.objects.get(name="Nitrile exam gloves")
        for key, capacity, days_ago in (("glove", 1500, 10), ("sarung", 400, 45)):
            CapacityReport.objects.create(
                supplier=self.orgs[key],
                program=self.programs["PV"],
                family=gloves,
                capacity=Decimal(capacity),
                unit="box",
                lead_time_days=21,
                reported_at=self.now - dt.timedelta(days=days_ago),
                reported_by=self.contact(key),
            )

    def request(self, symbol: str, submitted: dt.datetime) -> RatingRequest:
        self.n += 1
        roll = self.random.random()
        decided: dt.datetime | None = submitted + dt.timedelta(
            days=self.random.choice([2, 4, 6, 8, 10, 14, 20, 30]), hours=3
        )
        if decided is not None and decided > self.now - dt.timedelta(days=1):
            state, decided = RequestState.WITHDRAWN, None
        elif roll < 0.7:
            state = RequestState.ISSUED
        elif roll < 0.85:
            state = RequestState.DENIED
        else:
            state, decided = RequestState.WITHDRAWN, None
        spec = PROGRAMS[symbol]
        category = spec[2] if spec else self.random.choice(HealthResourceCategory.values)
        level = "DX" if symbol == "PV" and self.random.random() < 0.15 else "DO"
        applicant = "acme" if category != HealthResourceCategory.DIAGNOSTIC_TEST else "beta"
        contact = self.users["applicant" if applicant == "acme" else "applicant2"]
        fda_status, fda_number = FDA_BY_CATEGORY[HealthResourceCategory(category)]
        resource = {"HR": "Health resources", "PV": "mRNA vaccine", "DT": "Rapid antigen test"}[symbol]
        rr = RatingRequest.objects.create(
            reference=f"PRR-H{submitted.year % 100:02d}-{self.n:05d}",
            applicant_organization=self.orgs[applicant],
            applicant_contact=contact,
            government_program=self.programs[symbol].name,
            category=category,
            health_resource=resource,
            end_use=f"{resource} for the Strategic National Stockpile (demo history).",
            fda_status=fda_status,
            fda_number=fda_number,
            justification_need=f"{resource}: production for the program's deliveries this quarter (demo history).",
            justification_efforts="Ordered without a rating first; the supplier could not meet the dates.",
            justification_impact="Deliveries to the program slip by the supplier's quoted delay.",
            certified_by=contact,
            certified_name=contact.printed_name,
            certified_at=submitted,
            requested_level=level,
            program=self.programs[symbol],
            state=state,
            submitted_at=submitted,
            decided_at=decided,
            decided_by=self.users["secretary" if level == "DX" else "approver"] if decided else None,
            decision_reason="Decided before the quick start (demo history)." if decided else "",
            withdrawal_reason="Supplied without a rating (demo history)." if state == RequestState.WITHDRAWN else "",
        )
        # Drafted two days before it was sent; last changed by its decision (or its withdrawal).
        last_change = decided or submitted + dt.timedelta(days=3)
        RatingRequest.objects.filter(pk=rr.pk).update(
            created_at=submitted - dt.timedelta(days=2), updated_at=last_change
        )
        if state == RequestState.ISSUED and decided is not None:
            item = self.random.choice(CATALOG[symbol])
            self.order(rr, item, decided)
        else:
            item = self.unordered_random.choice(CATALOG[symbol])
            keys, weights = zip(*item.suppliers, strict=True)
            required = (submitted + dt.timedelta(days=self.unordered_random.randint(30, 120))).date()
            line = {
                "description": item.description,
                "part_number": item.part_number,
                "po_number": f"PO-H{self.n:05d}",
                "quantity": str(self.unordered_random.randint(*item.quantity)),
                "unit": item.unit,
                "ship_to": "",
                "required_dates": [{"date": required.isoformat(), "quantity": None}],
            }
            self.line_item(rr, self.orgs[self.unordered_random.choices(keys, weights)[0]], line)
        return rr

    def line_item(self, rr: RatingRequest, supplier: Organization, line: dict[str, Any]) -> None:
        """The request's item that an order (or none, if it was not rated) was for."""
        self.positions[rr.pk] += 1
        item = RequestLineItem.objects.create(
            request=rr,
            position=self.positions[rr.pk],
            supplier=supplier,
            po_number=line["po_number"],
            description=line["description"],
            part_number=line["part_number"],
            quantity=Decimal(line["quantity"]),
            unit=line["unit"],
            ship_to=line["ship_to"],
        )
        for due in line["required_dates"]:
            LineItemDelivery.objects.create(line_item=item, required_date=dt.date.fromisoformat(due["date"]))

    def _supplier(self, item: Item) -> str:
        keys, weights = zip(*item.suppliers, strict=True)
        return self.random.choices(keys, weights)[0]

    def order(
        self,
        rr: RatingRequest,
        item: Item,
        issued: dt.datetime,
        *,
        supplier: str | None = None,
        parent: RatedOrder | None = None,
        status: str | None = None,
    ) -> RatedOrder:
        self.n += 1
        supplier = supplier or self._supplier(item)
        received = issued + dt.timedelta(hours=1)
        due = supplier_response_due(received_at=received, level=rr.requested_level)
        required = (issued + dt.timedelta(days=self.random.randint(30, 120))).date()
        answered = received + dt.timedelta(days=self.random.choice([1, 2, 3, 5, 8, 12, 20]))
        if status is None:
            if answered > self.now:
                status = OrderStatus.ISSUED
            elif self.random.random() < 0.1:
                status = OrderStatus.REJECTED
            elif required < self.now.date() and self.random.random() < 0.85:
                status = OrderStatus.FULFILLED
            else:
                status = OrderStatus.ACCEPTED
        placing = parent.supplier if parent else rr.applicant_organization
        order = RatedOrder.objects.create(
            order_number=f"HHS-DPA-{issued.year}-H{self.n:05d}",
            source_request=rr,
            placing_organization=placing,
            supplier=self.orgs[supplier],
            level=rr.requested_level,
            program=rr.program,
            rating=f"{rr.requested_level}-{rr.program.symbol}",
            status=status,
            parent=parent,
            issued_at=issued,
            precedence=precedence_key(rr.requested_level, required),
        )
        quantity = Decimal(self.random.randint(*item.quantity))
        po_number = f"PO-H{self.n:05d}"
        line: dict[str, Any] = {
            "position": 1,
            "description": item.description,
            "part_number": item.part_number,
            "po_number": po_number,
            "quantity": str(quantity),
            "unit": item.unit,
            "ship_to": "",
            "required_dates": [{"date": required.isoformat(), "quantity": None}],
        }
        awaiting = status == OrderStatus.ISSUED
        version = RatedOrderVersion.objects.create(
            order=order,
            number=1,
            items_snapshot=[line],
            issued_at=issued,
            fingerprint="-",
            supplier_notice_kind=SupplierNoticeKind.ISSUED,
            supplier_notified_at=received,
            received_at=received,
            response_due_at=due,
            clock_closed_at=None if awaiting else answered,
            overdue_escalated_at=due if awaiting and due < self.now else None,
            last_reminder_offset=0 if awaiting else None,
            earliest_required_date=required,
        )
        if parent is None:  # an order the applicant placed: one of its request's items
            self.line_item(rr, order.supplier, line)
        RatedOrderItem.objects.create(
            version=version,
            position=1,
            po_number=po_number,
            description=item.description,
            part_number=item.part_number,
            quantity=quantity,
            unit=item.unit,
            required_dates=line["required_dates"],
        )
        signer = self.contact(_key(self.orgs, parent.supplier)) if parent else rr.decided_by
        assert signer is not None
        signature = Signature.objects.create(
            version=version,
            signer=signer,
            printed_name=signer.printed_name,
            title=signer.title,
            signed_at=issued,
            meaning=SIGNATURE_MEANING_EXTENSION if parent else SIGNATURE_MEANING_APPROVAL,
            # The authority the document prints, as the signing services record it.
            delegation=f"Extends rated order {parent.order_number} ({EXTENSION_CITATION})"
            if parent
            else signing_basis.signing_delegation(signer, rr.requested_level),
            program_determination=rr.program.determination_text(),
            content_fingerprint="-",
        )
        # The fingerprint of what was signed, as issuing computes it, so its document can be made.
        fingerprint = order_documents.order_content(version, signature).fingerprint
        RatedOrderVersion.objects.filter(pk=version.pk).update(fingerprint=fingerprint)
        Signature.objects.filter(pk=signature.pk).update(content_fingerprint=fingerprint)
        if not awaiting:
            contact = self.contact(supplier)
            rejected = status == OrderStatus.REJECTED
            SupplierResponse.objects.create(
                order=order,
                version=version,
                kind=SupplierResponseKind.REJECT if rejected else SupplierResponseKind.ACCEPT,
                responder=contact,
                printed_name=contact.printed_name,
                responded_at=answered,
                meaning="Rejected the rated order" if rejected else "Accepted the rated order",
                reason_code="not_supplied" if rejected else "",
                explanation="Not an item we make (demo history)." if rejected else "",
                late=answered > due,
                content_sha256=f"{self.n:064d}",
            )
        return order

    def chain(self, requests: list[RatingRequest]) -> None:
        """Acme -> Filtra (skid) -> Membrana (cassettes, answer overdue) -> Resina (resin, rejected)."""
        old_enough = self.now - dt.timedelta(days=60)  # the cassette's answer is long overdue
        rr = next(
            r
            for r in reversed(requests)
            if r.program.symbol == "PV"
            and r.state == RequestState.ISSUED
            and r.decided_at
            and r.decided_at < old_enough
        )
        assert rr.decided_at is not None
        issued = rr.decided_at + dt.timedelta(days=1)
        skid = self.order(rr, CATALOG["HR"][1], issued, supplier="filtra", status=OrderStatus.ACCEPTED)
        cassette = self.order(
            rr,
            Item("Tangential flow filtration cassette", "TFF-900", "each", (2, 10), (("membrana", 1),)),
            issued + dt.timedelta(days=2),
            supplier="membrana",
            parent=skid,
            status=OrderStatus.ISSUED,
        )
        resin = Item("Polysulfone resin, medical grade", "PSU-MG-25", "bag", (4, 12), (("resina", 1),))
        self.order(rr, resin, issued, supplier="resina", parent=cassette, status=OrderStatus.REJECTED)


def _key(orgs: dict[str, Organization], organization: Organization) -> str:
    return next(key for key, org in orgs.items() if org.pk == organization.pk)
