"""`manage.py seed_demo`: the quick-start data, idempotent, refused without DEBUG."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.urls import reverse

from audit import services as audit
from audit.models import AuditEvent
from ratings.models import (
    ApprovalDecision,
    AssistanceCase,
    CapacityReport,
    Directive,
    Membership,
    Notification,
    Organization,
    Program,
    RatedOrder,
    RatedOrderVersion,
    RatingAuthorization,
    RatingRequest,
    Reconsideration,
    SupplierResponse,
    User,
)
from ratings.selectors.program import concentration, dashboard, network
from ratings.selectors.program.filters import ProgramFilters

USERNAMES = [
    "applicant",
    "applicant2",
    "signer",
    "supplier",
    "intake",
    "reviewer",
    "approver",
    "secretary",
    "hhsadmin",
    "auditor",
    "hhssigner",
    "supplier2",
    "membrana",
    "resina",
    "orders@gloveworks.example",  # reached only by the invitation its order brought
]
# Suppliers' contacts of record in the program history (no password: nobody signs in as them).
HISTORY_CONTACTS = ["contact-glove", "contact-sarung", "contact-guantes", "contact-vialtek"]


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Organization, User, Membership, Program, RatingRequest, AuditEvent)
    }


def _history_requests_are_whole() -> None:
    """Each history request reads as a real one: dated in its year (so each applicant's newest
    requests, which their list opens on, are today's), certified, with the line items its
    first-tier orders were issued for (one per request that had no order)."""
    history = RatingRequest.objects.filter(reference__startswith="PRR-H").prefetch_related(
        "line_items__deliveries", "rated_orders__versions__items"
    )
    assert len(history) > 50
    for rr in history:
        assert rr.submitted_at is not None and rr.certified_at == rr.submitted_at, rr.reference
        assert rr.created_at < rr.submitted_at <= rr.updated_at, rr.reference
        assert rr.end_use and rr.fda_status and rr.justification_need, rr.reference
        lines = [
            (i.supplier_id, i.po_number, i.quantity, [d.required_date for d in i.deliveries.all()])
            for i in rr.line_items.all()
        ]
        first_tier = [o for o in rr.rated_orders.all() if o.parent_id is None]
        ordered = [
            (
                o.supplier_id,
                item.po_number,
                item.quantity,
                [dt.date.fromisoformat(d["date"]) for d in item.required_dates],
            )
            for o in first_tier
            for item in o.versions.all()[0].items.all()
        ]
        assert sorted(lines) == sorted(ordered) if first_tier else len(lines) == 1, rr.reference
    for username in ("applicant", "applicant2"):
        newest_first = RatingRequest.objects.filter(applicant_contact__username=username).order_by("-created_at")
        is_history = [r.reference.startswith("PRR-H") for r in newest_first]
        assert is_history == sorted(is_history) and not is_history[0], username  # today's work, then the history


@override_settings(DEBUG=True)
def test_seed_demo_creates_the_demo_and_a_second_run_creates_nothing(db, client):
    # when
    out = StringIO()
    call_command("seed_demo", stdout=out)
    first = _counts()
    call_command("seed_demo", stdout=StringIO())

    # then
    assert _counts() == first
    live = RatingRequest.objects.exclude(reference__startswith="PRR-H")
    assert first["Organization"] == 11 and live.count() == 17
    assert "17 requests created this run" in out.getvalue()
    assert sorted(User.objects.values_list("username", flat=True)) == sorted(USERNAMES + HISTORY_CONTACTS)
    for username in USERNAMES[:-1]:
        assert User.objects.get(username=username).check_password("dpa-demo"), username
    assert User.objects.get(username="orders@gloveworks.example").has_usable_password() is False
    assert set(Organization.objects.values_list("kind", flat=True)) == {"agency", "manufacturer", "supplier"}
    assert Organization.objects.filter(kind="supplier").count() == 8
    assert Organization.objects.filter(kind="manufacturer").count() == 2
    states = set(RatingRequest.objects.values_list("state", flat=True))
    assert len(states) >= 6, states
    assert Program.objects.filter(symbol="HR").exists()
    approver = Membership.objects.get(user__username="approver")
    secretary = Membership.objects.get(user__username="secretary")
    assert (approver.approval_level, secretary.approval_level) == ("DO", "DX")
    assert audit.verify_chain().ok is True
    # the year of history's orders have their signed documents, made from what was signed
    history = RatedOrderVersion.objects.filter(order__order_number__contains="-H").prefetch_related(
        "documents", "signatures"
    )
    assert len(history) > 50
    assert {v.generation_status for v in history} == {"generated"}
    for version in history:
        (signature,) = version.signatures.all()
        assert [d.kind for d in version.documents.all()] == ["order"]
        assert version.fingerprint == signature.content_fingerprint != "-"
    _history_requests_are_whole()
    # …and its page says so, instead of an empty timeline under its heading
    history_request = RatingRequest.objects.filter(
        reference__startswith="PRR-H", applicant_contact__username="applicant"
    )
    client.force_login(User.objects.get(username="applicant"))
    page = client.get(reverse("portal:request-detail", args=[history_request.latest("created_at").pk]))
    assert page.status_code == 200
    assert page.context["timeline"] == [] and page.context["line_items"]
    assert "No status changes are recorded for this request." in page.content.decode()
    # supplier answers too: an accepted order, a rejected one and a three-order flow-down tree
    live_orders = RatedOrder.objects.exclude(order_number__contains="-H")
    statuses = sorted(live_orders.values_list("status", flat=True))
    assert statuses.count("accepted") == 3 and statuses.count("rejected") == 1
    assert live_orders.filter(parent__parent__isnull=False).count() == 1
    rejection = SupplierResponse.objects.filter(order__in=live_orders).get(kind="reject", order__status="rejected")
    assert (rejection.reason_code, rejection.offers_to_accept_on_that_basis) == ("cannot_meet_date", True)
    assert rejection.earliest_date is not None
    # what followed: an open assistance case, a directive acknowledged, a reconsideration asked
    assert sorted(AssistanceCase.objects.values_list("status", flat=True)) == ["closed", "open"]
    assert Directive.objects.get().acknowledged_at is not None
    assert Reconsideration.objects.get().outcome == ""
    # Nitrile Glove Works is reached only through the contact its request named, invited with the order
    invited = User.objects.get(username="orders@gloveworks.example")
    assert invited.memberships.get().organization.short_name == "GloveWorks"
    assert Notification.objects.filter(recipient=invited, kind="order_issued").exists()
    assert Notification.objects.filter(recipient=invited, kind="invitation").exists()
    # Where HHS itself is the customer (45 CFR 101.32(a)(3)): one customer authorization, signed by
    # the approving official, and one order HHS's authorized signer placed under it
    customer = RatingAuthorization.objects.get(rating_request__isnull=True)
    assert (customer.hhs_contract, customer.authorized_party.kind, customer.signer.username) == (
        "75A50126C00042",
        "agency",
        "approver",
    )
    hhs_order = RatedOrder.objects.get(authorization=customer)
    assert (hhs_order.placing_organization_id, hhs_order.supplier.short_name, hhs_order.source_request_id) == (
        customer.authorized_party_id,
        "PumpCo",
        None,
    )
    signature = hhs_order.versions.get().signatures.get()
    assert (signature.signer.username, signature.delegation.startswith("ASPR contracting delegation")) == (
        "hhssigner",
        True,
    )
    assert Notification.objects.filter(recipient__username="supplier2", kind="order_issued").exists()


@override_settings(DEBUG=True)
def test_seed_demo_has_a_partial_approval_and_a_dx_request_approved_at_do(db):
    """45 CFR 101.31 levels, 101.32(a) items and quantities: the demo shows both kinds of decision,
    and the orders placed under them cover only what was approved."""
    call_command("seed_demo", stdout=StringIO())

    partial = ApprovalDecision.objects.get(items__contains=[{"outcome": "excluded"}])
    assert [(i["number"], i["outcome"], i["approved_quantity"]) for i in partial.items] == [
        (1, "approved", "4"),
        (2, "reduced", "3"),
        (3, "excluded", None),
    ]
    assert all(i["reason"] for i in partial.changed_items)
    placed = RatedOrder.objects.filter(authorization__rating_request=partial.rating_request)
    assert [(i["description"], i["quantity"]) for o in placed for i in o.versions.get(number=1).items_snapshot] == [
        ("Bioreactor single-use bags, 500 L", "4"),
        ("Sterile connectors", "3"),
    ]
    lowered = ApprovalDecision.objects.get(requested_level="DX", approved_level="DO")
    assert lowered.level_reason
    assert RatedOrder.objects.get(authorization__rating_request=lowered.rating_request).rating == "DO-HR"


@override_settings(DEBUG=True)
def test_seed_demo_gives_every_program_view_something_real(db):
    call_command("seed_demo", stdout=StringIO())
    filters = ProgramFilters.default()

    # A year of requests over three programs.
    months = dashboard.request_counts_by_month(filters)
    assert len(months) == 12 and all(m.requested for m in months[:-1])
    assert {row.program for row in dashboard.request_breakdown(filters)} == {"HR", "PV", "DT"}
    assert dashboard.decision_times(filters).overall.count > 50
    overall, per_supplier = dashboard.supplier_answers(filters)
    assert overall.accepted and overall.rejected and len(per_supplier) >= 5
    # A concentrated family, single-source items, and the alerts they raise.
    found = {f.name: f for f in concentration.families(filters)}
    gloves = found["Nitrile exam gloves"]
    assert gloves.mapped and len(gloves.suppliers) >= 2 and gloves.level == concentration.HIGHLY
    assert found["PP-8"].single_source and found["Filtration cassettes (TFF)"].single_source
    kinds = {a.kind for a in concentration.concentration(filters).alerts}
    assert {"single source", "supplier concentration", "country concentration"} <= kinds
    # A three-tier network with an overdue and a rejected order on it.
    net = network.supply_network(filters)
    assert max(n.tier for n in net.nodes) == 3
    assert any(e.overdue for e in net.edges) and any(e.rejected for e in net.edges)
    # Capacity reports: the vaccine program asks for them; one recent, one older than its interval.
    assert Program.objects.get(symbol="PV").capacity_report_days == 30
    assert CapacityReport.objects.count() == 2
    # And who may see it.
    assert User.objects.get(username="reviewer").has_perm("ratings.see_program_view")
    assert not User.objects.get(username="intake").has_perm("ratings.see_program_view")


def test_seed_demo_refuses_with_debug_off(db):
    with override_settings(DEBUG=False), pytest.raises(CommandError, match="refuses to run with DEBUG off"):
        call_command("seed_demo", stdout=StringIO())

    assert User.objects.count() == 0
    assert AuditEvent.objects.count() == 0
