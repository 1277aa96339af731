"""The admin as a caseload workspace: the work queue home, decision pages with the whole case,
order previews, assignment, conflicts of interest, notices and preferences, times with their zone."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from audit.models import AuditEvent
from ratings.constants import NotificationKind, RatingLevel, RequestState, Role
from ratings.demo.accounts import ROLE_GROUP, groups_ensure
from ratings.models import ConflictOfInterest, Membership, Notification, NotificationPreference, RatingRequest
from ratings.services.accounts import conflicts
from ratings.services.requests import attachments, corrections, drafts, workflow
from tests.factories import CHECKLIST_ALL_TRUE, PASSWORD, line_item, member, request_in_state
from tests.helpers import events_after, last_sequence

S = RequestState
HOME = reverse("admin:index")
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def staff(cast):
    groups = groups_ensure()
    for user in (
        cast.intake,
        cast.reviewer,
        cast.reviewer2,
        cast.approver,
        cast.secretary,
        cast.hhsadmin,
        cast.auditor,
    ):
        for membership in user.memberships.all():
            user.groups.add(groups[ROLE_GROUP[membership.role]])
    return cast


@pytest.fixture
def caseload(staff):
    """Requests in every state HHS works, spread over reviewers, levels and organizations."""
    cast = staff
    rrs = {
        "submitted": request_in_state(cast, S.SUBMITTED),
        "in_review": request_in_state(cast, S.IN_REVIEW),
        "asked": request_in_state(cast, S.INFO_REQUESTED),
        "recommended_do": request_in_state(cast, S.RECOMMENDED),
        "recommended_dx": request_in_state(cast, S.RECOMMENDED, level=RatingLevel.DX),
        "issued": request_in_state(cast, S.ISSUED),
    }
    other = request_in_state(cast, S.SUBMITTED)
    rrs["reviewer2"] = workflow.rating_request_accept_for_review(
        rating_request=other, actor=cast.intake, reviewer=cast.reviewer2
    )
    return cast, rrs


def section_refs(response, key: str) -> list[str]:
    return sorted(item.rating_request.reference for item in _sections(response)[key].items)


def _sections(response):
    assert response.status_code == 200
    return {section.key: section for section in response.context["queue"].sections}


def test_each_role_finds_exactly_what_it_must_act_on(client, caseload):
    cast, rrs = caseload
    ref = {key: rr.reference for key, rr in rrs.items()}

    client.force_login(cast.intake)
    intake = client.get(HOME)
    client.force_login(cast.reviewer)
    reviewer = client.get(HOME)
    client.force_login(cast.approver)
    approver = client.get(HOME)
    client.force_login(cast.secretary)
    secretary = client.get(HOME)
    client.force_login(cast.hhsadmin)
    hhsadmin = client.get(HOME)

    assert list(_sections(intake)) == ["intake"]
    assert section_refs(intake, "intake") == [ref["submitted"]]
    assert list(_sections(reviewer)) == ["review", "waiting"]
    assert section_refs(reviewer, "review") == [ref["in_review"]]
    assert section_refs(reviewer, "waiting") == [ref["asked"]]
    assert section_refs(approver, "decide") == [ref["recommended_do"]]  # a DX rating is the Secretary's
    assert section_refs(secretary, "decide") == sorted([ref["recommended_do"], ref["recommended_dx"]])
    assert _sections(hhsadmin) == {}
    content = intake.content.decode()
    assert 'data-testid="count-intake">1<' in content
    assert reverse("admin:ratings_ratingrequest_transition", args=[rrs["submitted"].pk, "accept_for_review"]) in content
    assert "1</strong> request waits for your action" in content
    assert "Nothing waits for your action." in hhsadmin.content.decode()


def test_the_home_counts_states_and_shows_the_teams_workload_to_supervisors(client, caseload):
    cast, _ = caseload
    client.force_login(cast.intake)
    queue = client.get(HOME).context["queue"]
    counts = {state: n for state, _, n in queue.state_counts}
    assert counts == {
        "submitted": 1,
        "in_review": 2,
        "info_requested": 1,
        "returned": 0,
        "recommended": 2,
        "approved": 0,
        "issued": 1,
        "denied": 0,
        "withdrawn": 0,
    }
    team = {row.reviewer.username: (row.in_review, row.waiting, row.recommended, row.overdue) for row in queue.team}
    assert team == {cast.reviewer.username: (1, 1, 2, 0), cast.reviewer2.username: (1, 0, 0, 0)}
    client.force_login(cast.reviewer)
    assert client.get(HOME).context["queue"].team is None


def test_notices_show_on_the_home_with_the_unread_count_and_are_marked_read(client, caseload):
    cast, _ = caseload
    client.force_login(cast.intake)
    home = client.get(HOME)
    mine = Notification.objects.filter(recipient=cast.intake, read_at__isnull=True)
    assert home.context["unread_count"] == mine.count() == 7  # one per submission of the caseload
    notice = mine.first()
    assert f'data-testid="unread-count">{mine.count()}<' in home.content.decode()
    # in the app, the notice leads to the request's page on this site (the e-mail has the full address)
    assert f'<a href="/admin/ratings/ratingrequest/{notice.object_id}/change/">{notice.subject}</a>' in (
        home.content.decode()
    )

    response = client.post(reverse("admin:ratings_notification_read", args=[notice.pk]), {"next": HOME})

    assert response.status_code == 302 and response["Location"] == HOME
    assert client.get(HOME).context["unread_count"] == 6
    # someone else's notice: refused, audited, unchanged
    other = Notification.objects.filter(recipient=cast.reviewer).first()
    start = last_sequence()
    client.post(reverse("admin:ratings_notification_read", args=[other.pk]))
    assert [(e.action, e.outcome) for e in events_after(start)] == [("notification.read", "denied")]
    other.refresh_from_db()
    assert other.read_at is None


def test_every_admin_page_header_shows_the_unread_notices_and_leads_to_them(client, caseload):
    cast, _ = caseload
    client.force_login(cast.intake)
    header = '<a href="/admin/#notices-heading" data-testid="header-notices">Notices'

    page = client.get(reverse("admin:ratings_ratingrequest_changelist")).content.decode()

    assert f'{header} <span class="ws-count">7</span><span class="visually-hidden"> unread</span></a>' in page
    Notification.objects.filter(recipient=cast.intake).update(read_at=timezone.now())
    page = client.get(reverse("admin:ratings_ratingrequest_changelist")).content.decode()
    assert f"{header}</a>" in page


def test_the_home_counts_the_unread_notices_once_for_its_list_and_the_header(client, caseload):
    cast, _ = caseload
    client.force_login(cast.intake)
    header = '<a href="/admin/#notices-heading" data-testid="header-notices">Notices'

    with CaptureQueriesContext(connection) as queries:
        home = client.get(HOME).content.decode()

    counts = [q["sql"] for q in queries if "COUNT(*)" in q["sql"] and '"ratings_notification"' in q["sql"]]
    assert len(counts) == 1
    assert f'{header} <span class="ws-count">7</span>' in home and 'data-testid="unread-count">7<' in home


def test_preferences_page_stores_the_choice(client, staff):
    client.force_login(staff.reviewer)
    url = reverse("admin:ratings_notification_preferences")
    page = client.get(url)
    assert page.status_code == 200
    assert "always e-mailed at once" in page.content.decode()
    choices = {name: "immediate" for name in page.context["form"].fields}
    choices["request_activity"] = "digest"

    response = client.post(url, choices)

    assert response.status_code == 302
    assert dict(NotificationPreference.objects.filter(user=staff.reviewer).values_list("category", "delivery")) == {
        "request_activity": "digest"
    }


# --- decision pages ---------------------------------------------------------------------------


def act(rr, action: str) -> str:
    return reverse("admin:ratings_ratingrequest_transition", args=[rr.pk, action])


def test_the_approval_page_shows_the_whole_case_and_what_the_signature_means(client, staff):
    cast = staff
    rr = drafts.rating_request_create(
        actor=cast.applicant,
        organization=cast.manufacturer,
        details=drafts.RequestDetails(
            government_program="Pandemic vaccine production",
            category="vaccine",
            health_resource="mRNA vaccine",
            requested_level="DO",
            program_id=cast.program.pk,
            justification_need="Need filtration skids.",
            justification_efforts="Asked three suppliers.",
            justification_impact="Two million doses a week deferred.",
            contract_number="75A50122C00047",
            contracting_agency="BARDA",
            contracting_officer="Carla Contracting, 202-555-0147",
            end_use="Doses for the Strategic National Stockpile.",
            fda_status="bla",
            fda_number="BLA 125742",
            related_rated_orders=["DO-C9 W15QKN-22-C-0047"],
        ),
        line_items=[
            line_item(
                cast.supplier_org,
                po="PO-4471",
                days=30,
                quoted_date=timezone.localdate() + dt.timedelta(days=142),
                order_value="1250000.50",
            ),
            line_item(cast.supplier_org2, po="PO-9902", order_value="800"),
        ],
    )
    attachments.attachment_add(rating_request=rr, actor=cast.applicant, stream=io.BytesIO(PDF), original_name="q.pdf")
    rr = workflow.rating_request_submit(
        rating_request=rr, actor=cast.applicant, attestation=workflow.Attestation(cast.applicant.printed_name, True)
    )
    rr = workflow.rating_request_accept_for_review(rating_request=rr, actor=cast.intake, reviewer=cast.reviewer)
    rr = workflow.rating_request_request_information(rating_request=rr, actor=cast.reviewer, question="Lead time?")
    rr = workflow.rating_request_respond(rating_request=rr, actor=cast.applicant, response="Forty weeks.")
    checklist = {"eligible_health_resource": True, "genuine_need": True, "supports_government_program": True}
    rr = workflow.rating_request_recommend(
        rating_request=rr,
        actor=cast.reviewer,
        outcome="approve",
        rationale="Eligible; need documented.",
        checklist={**checklist, "effect_on_other_orders_considered": True},
    )
    client.force_login(cast.approver)

    page = client.get(act(rr, "approve"))

    html = page.content.decode()
    for text in (
        "PO-4471",
        "PO-9902",
        "Filtra Corp",
        "PumpCo",
        "Need filtration skids.",
        "Two million doses a week deferred.",
        "q.pdf",
        "Lead time?",
        "Forty weeks.",
        "Eligible; need documented.",
        "The need is genuine and documented.",
        "Approved: authorizes the priority rating",
        "Omar Official, Director, Industrial Base Management, under ASPR delegation, 87 FR 58363",
        # What the reviewer judges the need by: the quote against the required date, the value, the end use.
        "112 days after the first required date",
        "$1,250,000.50",
        "$800.00",
        "$1,250,800.50",
        "BARDA",
        "Carla Contracting, 202-555-0147",
        "Doses for the Strategic National Stockpile.",
        "Biologics license (BLA): BLA 125742",
        "DO-C9 W15QKN-22-C-0047",
        "determined by Assistant Secretary for Preparedness and Response on 2024-03-11",
    ):
        assert text in html, text
    assert "{&#x27;" not in html and "{'" not in html  # the checklist is never shown as JSON
    assert html.count("<strong>Holds</strong>") == 4
    assert re.search(r'aria-describedby="signature-meaning"', html)
    previews = [
        reverse("admin:ratings_ratingrequest_preview", args=[rr.pk, s.pk])
        for s in (cast.supplier_org, cast.supplier_org2)
    ]
    assert all(url in html for url in previews)
    assert [d[0] for d in page.context["other_decisions"]] == ["return_for_rework", "deny"]


def test_no_recommendation_is_pre_selected_and_checkboxes_come_before_their_labels(client, staff):
    rr = request_in_state(staff, S.IN_REVIEW)
    client.force_login(staff.reviewer)

    html = client.get(act(rr, "recommend")).content.decode()

    radios = re.findall(r'<input type="radio" name="outcome"[^>]*>', html)
    assert len(radios) == 2 and not any("checked" in r for r in radios)
    for key in ("eligible_health_resource", "genuine_need"):
        box = html.index(f'id="id_check_{key}"')
        label = html.index(f'<label for="id_check_{key}"')
        assert box < label
    # Without a choice the service asks for one, beside the field
    response = client.post(act(rr, "recommend"), {"expected_version": rr.version, "rationale": "x"})
    assert "Choose a recommendation: approve or deny." in response.content.decode()
    assert RatingRequest.objects.get(pk=rr.pk).state == S.IN_REVIEW


def test_the_preview_is_the_order_approval_would_issue_watermarked_and_audited(client, staff):
    rr = request_in_state(staff, S.RECOMMENDED)
    client.force_login(staff.approver)

    response = client.get(reverse("admin:ratings_ratingrequest_preview", args=[rr.pk, staff.supplier_org.pk]))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "PREVIEW — NOT SIGNED" in text
    assert "DO-HR" in text and "PO-1" in text and "Filtra Corp" in text
    # once approved, the applicant's authorized signer places and signs it (45 CFR 101.32(a)(3))
    assert "Signed by (the applicant's authorized signer)" in text
    assert "Placed and signed for the placing organization" in text
    assert rr.rated_orders.count() == 0  # nothing stored, nothing signed
    event = AuditEvent.objects.get(action="rating_request.preview")
    assert (event.actor, event.outcome, event.data["supplier_id"]) == (staff.approver, "success", staff.supplier_org.pk)


def test_no_preview_for_a_supplier_the_request_does_not_name_or_after_the_decision(client, staff):
    rr = request_in_state(staff, S.RECOMMENDED)
    client.force_login(staff.approver)
    assert (
        client.get(reverse("admin:ratings_ratingrequest_preview", args=[rr.pk, staff.supplier_org2.pk])).status_code
        == 404
    )
    issued = request_in_state(staff, S.ISSUED)
    start = last_sequence()
    assert (
        client.get(reverse("admin:ratings_ratingrequest_preview", args=[issued.pk, staff.supplier_org.pk])).status_code
        == 404
    )
    assert [(e.action, e.outcome) for e in events_after(start)] == [("rating_request.preview", "denied")]


def test_intake_returns_a_request_from_its_decision_page_and_the_reviewer_sees_the_diff(client, staff):
    cast = staff
    rr = request_in_state(cast, S.SUBMITTED)
    client.force_login(cast.intake)
    response = client.post(
        act(rr, "return_for_correction"), {"expected_version": rr.version, "reason": "Item 1 quantity is wrong."}
    )
    assert response.status_code == 302
    rr = RatingRequest.objects.get(pk=rr.pk)
    assert rr.state == S.RETURNED
    rr = drafts.rating_request_set_line_items(
        rating_request=rr, actor=cast.applicant, line_items=[line_item(cast.supplier_org, quantity="14")]
    )
    rr = corrections.rating_request_resubmit(
        rating_request=rr, actor=cast.applicant, attestation=workflow.Attestation(cast.applicant.printed_name, True)
    )

    page = client.get(reverse("admin:ratings_ratingrequest_change", args=[rr.pk]))

    html = page.content.decode()
    assert "What changed: submission 1 → 2" in html
    assert "<td>Item 1</td><td>Quantity</td><td><del>10</del></td><td><ins>14</ins></td>" in html
    assert "Item 1 quantity is wrong." in html


def test_the_reviewer_choice_shows_workload_and_never_offers_a_conflicted_reviewer(client, staff):
    conflicts.conflict_of_interest_declare(
        actor=staff.intake, staff_member=staff.reviewer2, organization=staff.manufacturer, reason="Former employer."
    )
    request_in_state(staff, S.IN_REVIEW)  # one review for staff.reviewer
    rr = request_in_state(staff, S.SUBMITTED)
    client.force_login(staff.intake)

    form = client.get(act(rr, "accept_for_review")).context["form"]

    labels = [label for value, label in form.fields["reviewer"].choices if value]
    assert labels == [f"{staff.reviewer.printed_name} — 1 in review, 0 waiting, 0 overdue"]


def test_bulk_assignment_from_the_changelist(client, staff):
    first, second = request_in_state(staff, S.SUBMITTED), request_in_state(staff, S.SUBMITTED)
    client.force_login(staff.intake)
    changelist = reverse("admin:ratings_ratingrequest_changelist")
    data = {"action": "assign_reviewer", "_selected_action": [first.pk, second.pk]}

    choose = client.post(changelist, data)
    done = client.post(changelist, {**data, "apply": "1", "reviewer": staff.reviewer2.pk})

    assert choose.status_code == 200 and "Assign the selected requests to a reviewer" in choose.content.decode()
    assert done.status_code == 302
    assert set(RatingRequest.objects.filter(assigned_reviewer=staff.reviewer2).values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
    }
    assert AuditEvent.objects.filter(action="rating_request.accept_for_review", actor=staff.intake).count() == 2
    client.force_login(staff.reviewer)
    assert client.get(changelist).context["action_form"] is None  # a reviewer is offered no bulk assignment


def test_conflicts_are_declared_and_withdrawn_in_the_admin(client, staff):
    client.force_login(staff.reviewer)
    add = reverse("admin:ratings_conflictofinterest_add")
    assert client.get(add).status_code == 200
    response = client.post(
        add, {"staff_member": staff.reviewer.pk, "organization": staff.manufacturer.pk, "reason": "My sister."}
    )
    assert response.status_code == 302
    conflict = ConflictOfInterest.objects.get()
    assert (conflict.user, conflict.declared_by, conflict.reason) == (staff.reviewer, staff.reviewer, "My sister.")
    refused = client.post(
        add, {"staff_member": staff.reviewer2.pk, "organization": staff.manufacturer.pk, "reason": "x"}
    )
    assert "only your own" in refused.content.decode()
    client.post(
        reverse("admin:ratings_conflictofinterest_changelist"),
        {"action": "withdraw", "_selected_action": [conflict.pk]},
    )
    conflict.refresh_from_db()
    assert conflict.withdrawn_at is not None


def test_admin_times_are_agency_times_with_the_zone(client, staff):
    rr = request_in_state(staff, S.IN_REVIEW)
    client.force_login(staff.reviewer)
    html = client.get(reverse("admin:ratings_ratingrequest_change", args=[rr.pk])).content.decode()
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d E[SD]T", html)  # the timeline
    assert " UTC" not in html


def test_hhs_staff_get_a_password_form_not_the_approval_for_a_wrong_password(client, staff):
    rr = request_in_state(staff, S.RECOMMENDED)
    client.force_login(staff.approver)
    response = client.post(act(rr, "approve"), {"expected_version": rr.version, "password": PASSWORD + "x"})
    assert "The password you entered is not correct" in response.content.decode()
    assert RatingRequest.objects.get(pk=rr.pk).state == S.RECOMMENDED
    assert Notification.objects.filter(kind=NotificationKind.ORDER_ISSUED).count() == 0


@pytest.mark.parametrize("page", ["change", "recommend"])
def test_the_request_and_decision_pages_carry_the_705d_legend_once(client, staff, page):
    # given a request in review, opened by its reviewer on its page or its decision page
    rr = request_in_state(staff, S.IN_REVIEW)
    client.force_login(staff.reviewer)
    url = reverse("admin:ratings_ratingrequest_change", args=[rr.pk]) if page == "change" else act(rr, page)
    # when the page is shown
    html = client.get(url).content.decode()
    # then the business-confidential legend (DPA §705(d)) heads the case exactly once
    assert html.count(rr.confidentiality_marking) == 1


def test_a_decision_the_user_may_not_take_says_why_before_asking_for_a_signature(client, staff):
    # given an official who is also a reviewer, and reviewed and recommended the request
    both = member(staff.hhs, Role.REVIEWER)
    Membership.objects.create(user=both, organization=staff.hhs, role=Role.APPROVING_OFFICIAL, approval_level="DO")
    groups = groups_ensure()
    for role in (Role.REVIEWER, Role.APPROVING_OFFICIAL):
        both.groups.add(groups[ROLE_GROUP[role]])
    rr = request_in_state(staff, S.SUBMITTED)
    rr = workflow.rating_request_accept_for_review(rating_request=rr, actor=staff.intake, reviewer=both)
    rr = workflow.rating_request_recommend(
        rating_request=rr, actor=both, outcome="approve", rationale="Sound.", checklist=CHECKLIST_ALL_TRUE
    )
    client.force_login(both)
    before = last_sequence()
    # when they open the approval page by its address (the request's page offers no such button)
    response = client.get(act(rr, "approve"), follow=True)
    # then they are back on the request's page, told why, before typing a password or a code
    change = reverse("admin:ratings_ratingrequest_change", args=[rr.pk])
    assert response.redirect_chain == [(change, 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "You reviewed this request, so you cannot decide it: an approving official never approves "
        "their own review (separation of duties)."
    ]
    # and nothing happened: opening a page is not an attempt
    assert RatingRequest.objects.get(pk=rr.pk).state == S.RECOMMENDED
    assert events_after(before) == []


def test_a_decision_page_for_a_request_already_decided_says_so(client, staff):
    # given an approved request, and its official opening the approval page again (a stale link)
    rr = request_in_state(staff, S.ISSUED)
    client.force_login(staff.approver)
    response = client.get(act(rr, "approve"), follow=True)
    # then they land on the request's page, told its state
    assert response.redirect_chain == [(reverse("admin:ratings_ratingrequest_change", args=[rr.pk]), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        f"Request {rr.reference} is authorized (rating authorization signed); it cannot be approved now."
    ]
