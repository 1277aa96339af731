"""Acceptance: a request's audit timeline covers everything under it.

The auditor's search by a request reference, the request's history page and its evidence bundle
hold the events of its orders (issue, every version, supplier answers, amendments,
cancellations), of the flow-down tree below them and of the notices about them; the bundle
carries every signed order document and its offline verifier checks each against the SHA-256
the audit trail recorded when it was signed.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from ratings.constants import OrderStatus, RejectionReason
from ratings.models import Document, Notification, RatedOrder, RatingRequest
from ratings.selectors import timeline
from ratings.services.orders import changes as order_changes
from ratings.services.suppliers import responses
from tests.factories import PASSWORD, otp
from tests.ratings.casework import later
from tests.ratings.orders.conftest import amended_item
from tests.ratings.suppliers.conftest import extend, issued, supplier_org

pytestmark = pytest.mark.django_db

# How an order comes to be: issued on approval, or placed by the applicant's signer under the
# rating authorization approval signed.
ORDER_CREATED = {"rated_order.issue", "rated_order.place"}
ORDER_ACTIONS = {
    "rated_order.document_generate",
    "rated_order.reject",
    "rated_order.amend",
    "rated_order.accept",
    "rated_order.flowdown",
    "rated_order.cancel",
}


@dataclass
class Lifecycle:
    rating_request: RatingRequest
    top: RatedOrder
    second: RatedOrder
    third: RatedOrder
    unrelated: RatedOrder


@pytest.fixture
def lifecycle(cast, settings, django_capture_on_commit_callbacks) -> Lifecycle:
    settings.SITE_URL = "https://dpa.example.gov"
    capture = django_capture_on_commit_callbacks
    # An order the supplier rejects, HHS amends (version 2) and the supplier then accepts...
    top = issued(cast, capture)
    top = responses.rated_order_reject(
        order=top,
        actor=cast.supplier,
        reason_code=RejectionReason.CANNOT_MEET_DATE,
        explanation="Our line is booked until spring.",
        earliest_date=later(200),
        offers_to_accept=True,
    )
    with capture(execute=True):
        top = order_changes.rated_order_amend(
            order=top,
            actor=cast.approver,
            password=PASSWORD,
            otp=otp(cast.approver),
            reason="The manufacturer's line starts later.",
            items=[amended_item(top, required_dates=[later(210)])],
        )
    top = responses.rated_order_accept(order=top, actor=cast.supplier)
    # ...extended two tiers down...
    membrana, membrana_contact = supplier_org("Membrana Inc.")
    resina, _ = supplier_org("Resina LLC")
    second = extend(top, cast.supplier, membrana, capture)
    second = responses.rated_order_accept(order=second, actor=membrana_contact)
    third = extend(second, membrana_contact, resina, capture, quantity="2", days=10)
    unrelated = issued(cast, capture)  # another request's events interleave in the chain
    # ...and cancelled with its whole tree.
    with capture(execute=True):
        order_changes.rated_order_cancel(
            order=top, actor=cast.approver, password=PASSWORD, otp=otp(cast.approver), reason="Program ended."
        )
    assert set(RatedOrder.objects.filter(pk__in=[top.pk, second.pk, third.pk]).values_list("status", flat=True)) == {
        OrderStatus.CANCELLED
    }
    return Lifecycle(top.source_request, top, second, third, unrelated)


def _search_all(client, reference: str) -> list[AuditEvent]:
    found: list[AuditEvent] = []
    params = {"reference": reference}
    while True:
        response = client.get(reverse("audit:search"), params)
        assert response.status_code == 200
        found += response.context["page"].events
        if not response.context["next_query"]:
            return found
        params = {"reference": reference, "before": response.context["page"].next_before}


def _authorization(lc: Lifecycle) -> Any:
    """The rating authorization approval signed, where approval signs one (its document is signed too)."""
    return getattr(lc.rating_request, "authorization", None)


def _expected(lc: Lifecycle) -> list[int]:
    """Independently of the scope query: every event filed under the request, its rating
    authorization, any of its three orders, or a notice about one of them or an order's version."""
    orders = [lc.top, lc.second, lc.third]
    numbers = [o.order_number for o in orders]
    authorization = _authorization(lc)
    notices = (
        Notification.objects.filter(object_type="ratings.RatingRequest", object_id=str(lc.rating_request.pk))
        | Notification.objects.filter(
            object_type="ratings.RatingAuthorization", object_id=str(authorization.pk) if authorization else ""
        )
        | Notification.objects.filter(object_type="ratings.RatedOrder", object_id__in=[str(o.pk) for o in orders])
        | Notification.objects.filter(
            object_type="ratings.RatedOrderVersion", object_id__in=[str(v.pk) for o in orders for v in o.versions.all()]
        )
    )
    notice_ids = [str(pk) for pk in notices.values_list("pk", flat=True)]
    assert notice_ids
    references = [lc.rating_request.reference, *([authorization.number] if authorization else []), *numbers]
    events = AuditEvent.objects.filter(reference__in=references) | AuditEvent.objects.filter(
        object_type="ratings.Notification", object_id__in=notice_ids
    )
    return sorted(events.values_list("sequence", flat=True))


def test_search_and_history_by_request_reference_cover_orders_answers_amendments_cancellation_and_flowdown(
    client, cast, lifecycle
):
    lc = lifecycle
    client.force_login(cast.auditor)
    found = _search_all(client, lc.rating_request.reference)
    assert sorted(e.sequence for e in found) == _expected(lc)
    by_order = {(e.reference, e.action) for e in found if e.outcome == "success"}
    top, second, third = lc.top.order_number, lc.second.order_number, lc.third.order_number
    assert {
        (top, "rated_order.reject"),
        (top, "rated_order.amend"),
        (top, "rated_order.accept"),
        (top, "rated_order.cancel"),
        (second, "rated_order.flowdown"),  # filed under the order it created
        (second, "rated_order.accept"),
        (third, "rated_order.flowdown"),
        (third, "rated_order.document_generate"),
    } <= by_order
    assert {action for reference, action in by_order if reference == top} & ORDER_CREATED
    assert {"notification.sent"} <= {e.action for e in found}
    # the cancellation reached every tier, each filed under its own order number
    cancelled = sorted((e.reference, e.to_state) for e in found if e.action == "rated_order.cancel")
    assert cancelled == [(top, OrderStatus.CANCELLED), (second, OrderStatus.CANCELLED), (third, OrderStatus.CANCELLED)]
    # nothing of the other request's order
    assert lc.unrelated.order_number not in {e.reference for e in found}

    # the history page holds the same events, oldest first
    response = client.get(reverse("audit:history", args=[lc.rating_request.reference]))
    assert response.status_code == 200
    assert [e.sequence for e, _ in response.context["rows"]] == _expected(lc)

    # a search by a flow-down order's number holds its subtree, not its parent's events
    below = {e.reference for e in _search_all(client, second)} - {""}  # notices are filed under no reference
    assert below == {second, third}


def _unpack(out: Path, folder: Path) -> Path:
    with zipfile.ZipFile(out) as archive:
        archive.extractall(folder)
    return folder


def _verify(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "verify.py"], cwd=folder, capture_output=True, text=True, timeout=60, check=False
    )


def test_bundle_carries_every_signed_document_and_its_verifier_checks_them(client, cast, lifecycle, tmp_path):
    lc = lifecycle
    client.force_login(cast.auditor)
    response = client.get(reverse("audit:bundle", args=[lc.rating_request.reference]))
    assert response.status_code == 200
    out = tmp_path / "bundle.zip"
    out.write_bytes(b"".join(response.streaming_content))
    folder = _unpack(out, tmp_path / "unpacked")

    # every signed document of the tree (each version, the cancellations) and the rating
    # authorization approval signed are in the bundle
    documents = json.loads((folder / "documents.json").read_text())
    stored = Document.objects.filter(version__order__in=[lc.top, lc.second, lc.third])
    assert stored.count() >= 6  # top v1, v2 and its cancellation; one order and cancellation per tier below
    authorization = _authorization(lc)
    assert sorted(d["sha256"] for d in documents) == sorted(
        [*stored.values_list("sha256", flat=True), *([authorization.document_sha256] if authorization else [])]
    )
    events = {json.loads(line)["sequence"]: json.loads(line) for line in (folder / "events.jsonl").open()}
    generated = {
        **({authorization.number: "rating_authorization.document_generate"} if authorization else {}),
        **{o.order_number: "rated_order.document_generate" for o in (lc.top, lc.second, lc.third)},
    }
    for document in documents:
        event = events[document["audit_event_sequence"]]
        assert (event["action"], event["data"]["sha256"]) == (generated[event["reference"]], document["sha256"])
    signed_by = {d["about"]["signature"]["printed_name"] for d in documents}
    assert {cast.approver.printed_name, cast.supplier.printed_name} <= signed_by

    # the events cover the whole tree
    assert {e["action"] for e in events.values()} >= ORDER_ACTIONS
    assert {e["action"] for e in events.values()} & ORDER_CREATED
    assert {lc.second.order_number, lc.third.order_number} <= {e["reference"] for e in events.values()}

    result = _verify(folder)
    assert result.returncode == 0, result.stdout
    assert f"{len(documents)} document(s) match the SHA-256 recorded in the audit trail" in result.stdout

    # a tampered signed document is named (against documents.json and against its audited hash)
    tampered = next(d for d in documents if d["about"].get("order_number") == lc.third.order_number)
    path = folder / tampered["path"]
    path.write_bytes(path.read_bytes().replace(b"%%EOF", b"%%EOF\n% changed"))
    result = _verify(folder)
    assert result.returncode == 1
    assert f"document '{tampered['name']}' ({tampered['path']}): changed: SHA-256 does not match" in result.stdout
    assert (
        f"is not the {tampered['sha256']} audited by event {tampered['audit_event_sequence']}: "
        "the file was changed or replaced" in result.stdout
    )
    # the download is audited
    bundle_event = AuditEvent.objects.get(action="audit.bundle")
    assert (bundle_event.actor_id, bundle_event.reference) == (cast.auditor.pk, lc.rating_request.reference)


def test_a_requests_whole_scope_is_read_in_one_statement(lifecycle):
    with CaptureQueriesContext(connection) as queries:
        scope = timeline.reference_scope(lifecycle.rating_request.reference)
    assert len(queries) == 1
    assert scope is not None
    orders = [lifecycle.top, lifecycle.second, lifecycle.third]
    assert {order.order_number for order in orders} <= set(scope.references)
    versions = {str(pk) for order in orders for pk in order.versions.values_list("pk", flat=True)}
    assert versions and versions <= set(scope.objects["ratings.RatedOrderVersion"])
    assert lifecycle.unrelated.order_number not in scope.references
    # The statement's flow-down walk finds exactly the tree the order selectors walk.
    assert set(scope.objects["ratings.RatedOrder"]) == {
        str(pk) for pk in timeline.request_order_ids(lifecycle.rating_request.pk)
    }
    assert set(scope.objects["ratings.Notification"]) >= {
        str(pk)
        for pk in Notification.objects.filter(
            object_type="ratings.RatedOrder", object_id__in=[str(o.pk) for o in orders]
        ).values_list("pk", flat=True)
    }


def test_an_order_numbers_scope_is_the_order_and_its_subtree_and_an_unknown_reference_has_none(lifecycle):
    lc = lifecycle
    scope = timeline.reference_scope(lc.second.order_number)
    assert scope is not None
    assert set(scope.references) == {lc.second.order_number, lc.third.order_number}
    assert set(scope.objects["ratings.RatedOrder"]) == {str(lc.second.pk), str(lc.third.pk)}
    assert scope.objects["ratings.RatingRequest"] == ()
    assert timeline.reference_scope("PRR-NOTHING-1") is None
