"""The legal basis under an HHS signature: the signer's recorded delegation (never blank) and the
program determination behind the program symbol (45 CFR 101.31(b): a rating is the rating symbol
and the program identification symbol)."""

from __future__ import annotations

import datetime as dt

import pytest

from audit.models import AuditEvent
from dpa_portal.errors import PermissionRefused, ValidationFailed
from ratings.constants import RequestState, Role
from ratings.models import Document, Membership, Program, RatedOrder, RatingRequest, Signature
from ratings.services.accounts import memberships, organizations
from ratings.services.orders import changes as order_changes
from ratings.services.orders import documents as order_documents
from ratings.services.requests import workflow
from tests.factories import PASSWORD, SIGNER_DELEGATION, otp, request_in_state
from tests.ratings.orders.conftest import flat, issue_order, pdf_pages

DETERMINATION = (
    "Program determination: Program HR (Health resources): determined by Assistant Secretary for Preparedness "
    "and Response on 2024-03-11 (ASPR memorandum HR-2024-01). Scope: Medical countermeasures for pandemic response."
)


def _unchanged(rr: RatingRequest) -> tuple[object, ...]:
    fresh = RatingRequest.objects.get(pk=rr.pk)
    return (fresh.state, fresh.version, fresh.decided_by_id, RatedOrder.objects.count(), Signature.objects.count())


def test_101_31_b_an_official_without_a_recorded_delegation_is_refused_at_signing_audited(
    cast, django_capture_on_commit_callbacks
):
    # given an approving official whose approval authority records no delegation
    rr = request_in_state(cast, RequestState.RECOMMENDED)
    Membership.objects.filter(user=cast.approver, role=Role.APPROVING_OFFICIAL).update(delegation="  ")
    before = _unchanged(rr)
    events_before = AuditEvent.objects.count()

    # when they sign with the right credentials
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(PermissionRefused) as refused:
        workflow.rating_request_approve(
            rating_request=rr, actor=cast.approver, password=PASSWORD, otp=otp(cast.approver)
        )

    # then: refused with the reason, one denied event, nothing signed or changed
    assert refused.value.message == (
        "Omar Official has no delegation recorded on their DO approval authority, and a signature under HHS "
        "authority must print one. Nothing was signed: an HHS administrator records the delegation through an "
        "approval-authority grant, confirmed by a second administrator."
    )
    assert callbacks == []
    assert _unchanged(rr) == before
    assert list(AuditEvent.objects.order_by("sequence")[events_before:].values_list("action", "outcome")) == [
        ("rating_request.approve", "denied")
    ]


def test_an_amendment_by_an_official_without_a_delegation_is_refused_and_the_order_unchanged(
    cast, django_capture_on_commit_callbacks
):
    order = issue_order(cast, django_capture_on_commit_callbacks)
    Membership.objects.filter(user=cast.approver, role=Role.APPROVING_OFFICIAL).update(delegation="")
    events_before = AuditEvent.objects.count()

    with pytest.raises(PermissionRefused) as refused:
        order_changes.rated_order_cancel(
            order=order, actor=cast.approver, password=PASSWORD, otp=otp(cast.approver), reason="No longer needed."
        )

    assert "no delegation recorded" in refused.value.message
    fresh = RatedOrder.objects.get(pk=order.pk)
    assert (fresh.status, fresh.current_version) == (order.status, order.current_version)
    assert list(AuditEvent.objects.order_by("sequence")[events_before:].values_list("outcome", flat=True)) == ["denied"]


def test_the_grant_that_gives_approval_authority_requires_a_delegation(cast):
    with pytest.raises(ValidationFailed) as refused:
        memberships.authority_grant_request(
            user=cast.reviewer2,
            actor=cast.hhsadmin,
            organization=cast.hhs,
            approval_level="DO",
            delegation="   ",
        )
    assert (refused.value.field, refused.value.message) == (
        "delegation",
        "Name the delegation the official signs under.",
    )


def test_no_rating_is_signed_under_a_program_without_a_determination_record(cast, django_capture_on_commit_callbacks):
    rr = request_in_state(cast, RequestState.RECOMMENDED)
    Program.objects.filter(pk=cast.program.pk).update(determination_official="", determination_citation="")
    before = _unchanged(rr)
    events_before = AuditEvent.objects.count()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationFailed) as refused:
        workflow.rating_request_approve(
            rating_request=rr, actor=cast.approver, password=PASSWORD, otp=otp(cast.approver)
        )

    assert refused.value.message == (
        "Program HR has no complete program determination on record (official, date, citation and scope), so no "
        "rating can be signed under it. An HHS administrator records it on the program first."
    )
    assert _unchanged(rr) == before
    assert AuditEvent.objects.count() == events_before


def test_101_31_b_the_order_prints_the_program_determination_beside_the_symbol_and_keeps_it(
    cast, django_capture_on_commit_callbacks
):
    order = issue_order(cast, django_capture_on_commit_callbacks)
    signature = Signature.objects.get(version__order=order)
    assert signature.program_determination == DETERMINATION.removeprefix("Program determination: ")
    # placed and signed by Acme's authorized signer, under the delegation its organization recorded
    assert signature.delegation.startswith(SIGNER_DELEGATION)
    document = Document.objects.get(version__order=order)
    with document.file.open("rb") as handle:
        first_page = flat(pdf_pages(handle.read())[0])
    assert DETERMINATION in first_page
    assert first_page.index("DO-HR") < first_page.index("Program determination:") < first_page.index("Supplier")
    assert f"Authority: {signature.delegation}" in first_page
    assert "under rating authorization RA-" in first_page

    # when the program's record changes later, the signed version still renders what was signed
    organizations.program_update(
        program=cast.program, actor=cast.hhsadmin, values={"determination_scope": "A narrower scope."}
    )
    version = order.versions.get(number=1)
    unsigned, content = order_documents.order_document_render(version)
    assert content.fingerprint == version.fingerprint
    assert "A narrower scope." not in flat(" ".join(pdf_pages(unsigned)))


def test_a_program_determination_is_recorded_whole_and_audited(cast):
    program = Program.objects.create(symbol="PX", name="Pandemic X", allowed_levels=["DO"])
    events_before = AuditEvent.objects.count()

    with pytest.raises(ValidationFailed) as refused:
        organizations.program_update(
            program=program, actor=cast.hhsadmin, values={"determination_official": "ASPR", "determination_scope": "X"}
        )
    assert refused.value.field == "determination_date"
    assert AuditEvent.objects.count() == events_before
    assert Program.objects.get(pk=program.pk).determination_official == ""

    values = {
        "determination_official": "Assistant Secretary for Preparedness and Response",
        "determination_date": dt.date(2025, 1, 6),
        "determination_citation": "ASPR memorandum PX-2025-01",
        "determination_scope": "Pandemic X countermeasures.",
    }
    organizations.program_update(program=program, actor=cast.hhsadmin, values=values)

    program.refresh_from_db()
    assert program.determination_text() == (
        "Program PX (Pandemic X): determined by Assistant Secretary for Preparedness and Response on 2025-01-06 "
        "(ASPR memorandum PX-2025-01). Scope: Pandemic X countermeasures."
    )
    event = AuditEvent.objects.order_by("sequence").last()
    assert (event.action, event.outcome) == ("program.update", "success")
    assert event.changes["determination_citation"] == ["", "ASPR memorandum PX-2025-01"]


def test_a_reviewer_cannot_record_a_program_determination(cast):
    with pytest.raises(PermissionRefused):
        organizations.program_update(program=cast.program, actor=cast.reviewer, values={"determination_scope": "Mine"})
    assert (
        Program.objects.get(pk=cast.program.pk).determination_scope == "Medical countermeasures for pandemic response."
    )
