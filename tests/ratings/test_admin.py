"""HHS staff work requests in the admin: list, filters, search, the request page, transitions."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from ratings.clock import agency_today
from ratings.constants import HealthResourceCategory, RatingLevel, RequestState, Role
from ratings.demo.accounts import ROLE_GROUP, groups_ensure
from ratings.models import LineItemDelivery, RatingRequest
from ratings.services.items import DeliveryInput
from ratings.services.requests import attachments, drafts, workflow
from tests.factories import CHECKLIST_ALL_TRUE, PASSWORD, draft_request, member, otp, request_in_state
from tests.helpers import events_after, last_sequence

S = RequestState
CHANGELIST = reverse("admin:ratings_ratingrequest_changelist")
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def staff(cast):
    """The demo groups give HHS staff their admin (model) permissions, as seed_demo does."""
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


def change_url(rr: RatingRequest) -> str:
    return reverse("admin:ratings_ratingrequest_change", args=[rr.pk])


def act_url(rr: RatingRequest, action: str) -> str:
    return reverse("admin:ratings_ratingrequest_transition", args=[rr.pk, action])


def rows(response) -> list[str]:
    assert response.status_code == 200
    return sorted(rr.reference for rr in response.context["cl"].result_list)


def buttons(response) -> list[str]:
    return re.findall(r'class="transition-(\w+)"', response.content.decode())


# --- list ------------------------------------------------------------------------------------


@pytest.fixture
def spread(staff):
    """A handful of requests that differ in each filtered and searched field."""
    cast = staff
    draft = draft_request(cast)
    submitted = request_in_state(cast, S.SUBMITTED, category=HealthResourceCategory.THERAPEUTIC)
    in_review = request_in_state(cast, S.IN_REVIEW, level=RatingLevel.DX)
    beta = drafts.rating_request_create(
        actor=cast.applicant2,
        organization=cast.manufacturer2,
        details=drafts.RequestDetails(
            government_program="Test kits",
            category=HealthResourceCategory.DIAGNOSTIC_TEST,
            health_resource="Antigen test",
            requested_level=RatingLevel.DO,
            program_id=cast.program.pk,
            justification_need="Test kits for the national testing program.",
            justification_efforts="Two suppliers asked.",
            justification_impact="Kits run out in March.",
            end_use="State testing sites.",
            fda_status="eua",
            fda_number="EUA 210001",
        ),
        line_items=[
            drafts.LineItemInput(
                supplier_id=cast.supplier_org2.pk,
                po_number="PO-BETA-77",
                description="Nitrile gloves",
                quantity="5",
                unit="case",
                deliveries=[DeliveryInput(timezone.localdate() + dt.timedelta(days=9))],
            )
        ],
    )
    beta = workflow.rating_request_submit(
        rating_request=beta, actor=cast.applicant2, attestation=workflow.Attestation(cast.applicant2.printed_name, True)
    )
    # an old submission, for the age filter
    RatingRequest.objects.filter(pk=submitted.pk).update(submitted_at=timezone.now() - dt.timedelta(days=12))
    return cast, {"draft": draft, "submitted": submitted, "in_review": in_review, "beta": beta}


def test_the_list_shows_every_submitted_request_to_intake_but_no_draft(client, spread):
    cast, rrs = spread
    client.force_login(cast.intake)

    response = client.get(CHANGELIST)

    # A draft is the applicant's private working copy until it is submitted.
    assert rows(response) == sorted(rr.reference for key, rr in rrs.items() if key != "draft")
    assert client.get(change_url(rrs["draft"])).status_code == 302  # admin: "doesn't exist", back to the list
    content = response.content.decode()
    assert "Intake: accept and assign a reviewer" in content
    assert "Reviewer: review and recommend" in content


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("state=submitted", ["beta", "submitted"]),
        ("state=draft", []),  # drafts stay private to the applicant
        ("category=therapeutic", ["submitted"]),
        ("category=diagnostic_test", ["beta"]),
        ("requested_level=DX", ["in_review"]),
        ("age=gt10", ["submitted"]),
        ("age=lt5", ["beta", "in_review"]),
    ],
)
def test_each_filter_shows_the_right_rows(client, spread, query, expected):
    cast, rrs = spread
    client.force_login(cast.intake)

    response = client.get(f"{CHANGELIST}?{query}")

    assert rows(response) == sorted(rrs[name].reference for name in expected)


def test_the_organization_and_reviewer_filters(client, spread):
    cast, rrs = spread
    client.force_login(cast.intake)

    by_org = client.get(f"{CHANGELIST}?applicant_organization__id__exact={cast.manufacturer2.pk}")
    by_reviewer = client.get(f"{CHANGELIST}?assigned_reviewer__id__exact={cast.reviewer.pk}")

    assert rows(by_org) == [rrs["beta"].reference]
    assert rows(by_reviewer) == [rrs["in_review"].reference]


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        (None, ["submitted"]),  # its reference
        ("Beta Diagnostics", ["beta"]),  # organization
        ("PO-BETA-77", ["beta"]),  # supplier PO number
        ("nitrile", ["beta"]),  # item description
    ],
)
def test_search_by_reference_organization_po_and_item(client, spread, term, expected):
    cast, rrs = spread
    client.force_login(cast.intake)

    response = client.get(CHANGELIST, {"q": term or rrs["submitted"].reference})

    assert rows(response) == sorted(rrs[name].reference for name in expected)


def _list_queries(client, cast, count: int) -> int:
    RatingRequest.objects.all().delete()
    for n in range(count):
        request_in_state(cast, S.IN_REVIEW if n % 2 else S.SUBMITTED)
    client.force_login(cast.intake)
    client.get(CHANGELIST)  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(CHANGELIST)
    assert len(response.context["cl"].result_list) == count
    return len(queries)


def test_the_list_page_makes_a_constant_number_of_queries(client, staff):
    # given/when: 5, then 40 requests (a reviewer assigned on half of them)
    few = _list_queries(client, staff, 5)
    many = _list_queries(client, staff, 40)

    # then: measured 14 on PostgreSQL: session, user, the second-factor device, memberships, user
    # and group permissions, the organization and reviewer filter choices, the planner's estimate
    # of the list and (below the threshold) its exact count, the page itself and the prefetches of
    # questions and submissions (returns) for the review-clock column, and the header's count of
    # unread notices
    assert few == many == 14


# --- request page ----------------------------------------------------------------------------


def test_the_request_page_shows_items_attachments_questions_and_the_timeline(client, staff):
    # given
    cast = staff
    rr = draft_request(cast)
    attachments.attachment_add(
        rating_request=rr, actor=cast.applicant, stream=io.BytesIO(PDF), original_name="quote.pdf"
    )
    rr = request_in_state_from(cast, rr)
    client.force_login(cast.reviewer)

    # when
    response = client.get(change_url(rr))

    # then
    assert response.status_code == 200
    content = response.content.decode()
    assert "Filtration skid" in content and "PO-1" in content
    assert "quote.pdf" in content and reverse("attachment-download", args=[rr.attachments.get().pk]) in content
    assert "Send the quote." in content
    timeline = [e.action for e in response.context["timeline"]]
    assert timeline == [
        "rating_request.create",
        "attachment.add",
        "rating_request.submit",
        "rating_request.accept_for_review",
        "rating_request.request_information",
    ]
    assert 'id="audit-timeline"' in content
    assert "rating_request.accept_for_review" in content
    assert buttons(response) == []  # info requested: the applicant's turn


def request_in_state_from(cast, rr):
    rr = workflow.rating_request_submit(
        rating_request=rr, actor=cast.applicant, attestation=workflow.Attestation(cast.applicant.printed_name, True)
    )
    rr = workflow.rating_request_accept_for_review(rating_request=rr, actor=cast.intake, reviewer=cast.reviewer)
    return workflow.rating_request_request_information(
        rating_request=rr, actor=cast.reviewer, question="Send the quote."
    )


@pytest.mark.parametrize(
    ("state", "who", "expected"),
    [
        (S.SUBMITTED, "intake", ["accept_for_review", "return_for_correction"]),
        (S.SUBMITTED, "reviewer", []),
        (S.IN_REVIEW, "reviewer", ["request_information", "recommend", "return_for_correction"]),
        (S.IN_REVIEW, "intake", ["assign"]),
        (S.IN_REVIEW, "reviewer2", []),
        (S.RECOMMENDED, "approver", ["return_for_rework", "approve", "deny"]),
        (S.RECOMMENDED, "reviewer", []),
        (S.RECOMMENDED, "auditor", []),
        (S.APPROVED, "approver", []),
    ],
)
def test_the_request_page_shows_exactly_the_buttons_the_user_may_use_now(client, staff, state, who, expected):
    rr = request_in_state(staff, state)
    client.force_login(getattr(staff, who))

    response = client.get(change_url(rr))

    assert response.status_code == 200
    assert buttons(response) == expected


def test_a_dx_request_shows_approve_to_the_secretary_only(client, staff):
    rr = request_in_state(staff, S.RECOMMENDED, level=RatingLevel.DX)

    client.force_login(staff.approver)
    do_buttons = buttons(client.get(change_url(rr)))
    client.force_login(staff.secretary)
    dx_buttons = buttons(client.get(change_url(rr)))

    assert do_buttons == ["return_for_rework", "deny"]
    assert dx_buttons == ["return_for_rework", "approve", "deny"]


def test_the_state_is_never_editable(client, staff):
    # given
    rr = request_in_state(staff, S.RECOMMENDED)
    client.force_login(staff.approver)
    start = last_sequence()

    # when: a hand-made POST to the change form
    page = client.get(change_url(rr))
    response = client.post(change_url(rr), {"state": S.APPROVED, "version": 99, "decision_reason": "x"})

    # then
    assert '<select name="state"' not in page.content.decode()
    assert response.status_code == 403
    stored = RatingRequest.objects.get(pk=rr.pk)
    assert (stored.state, stored.version) == (S.RECOMMENDED, rr.version)
    assert events_after(start) == []


# --- transitions through the confirmation forms ----------------------------------------------


def test_accept_and_assign_through_the_form(client, staff):
    rr = request_in_state(staff, S.SUBMITTED)
    client.force_login(staff.intake)

    form = client.get(act_url(rr, "accept_for_review"))
    response = client.post(
        act_url(rr, "accept_for_review"), {"expected_version": rr.version, "reviewer": staff.reviewer2.pk}
    )

    assert form.status_code == 200
    assert response.status_code == 302 and response["Location"] == change_url(rr)
    stored = RatingRequest.objects.get(pk=rr.pk)
    assert (stored.state, stored.assigned_reviewer) == (S.IN_REVIEW, staff.reviewer2)


def test_request_information_through_the_form(client, staff):
    rr = request_in_state(staff, S.IN_REVIEW)
    client.force_login(staff.reviewer)

    response = client.post(
        act_url(rr, "request_information"), {"expected_version": rr.version, "question": "Send the quote."}
    )

    assert response.status_code == 302
    assert RatingRequest.objects.get(pk=rr.pk).state == S.INFO_REQUESTED
    assert rr.information_requests.get().question == "Send the quote."
    # the message says who was asked what
    page = client.get(response["Location"]).content.decode()
    assert (
        f"Request {rr.reference}: you asked {rr.applicant_organization.legal_name} “Send the quote.” They are told "
        "at once; the review clock waits for their answer."
    ) in page


def test_recommend_with_the_checklist_through_the_form(client, staff):
    rr = request_in_state(staff, S.IN_REVIEW)
    client.force_login(staff.reviewer)
    data = {"expected_version": rr.version, "outcome": "approve", "rationale": "All criteria hold."}
    data.update({f"check_{key}": "on" for key in CHECKLIST_ALL_TRUE})

    response = client.post(act_url(rr, "recommend"), data)

    assert response.status_code == 302
    stored = RatingRequest.objects.get(pk=rr.pk)
    assert (stored.state, stored.review_checklist) == (S.RECOMMENDED, CHECKLIST_ALL_TRUE)


def test_approve_with_the_password_through_the_form(client, staff):
    rr = request_in_state(staff, S.RECOMMENDED)
    client.force_login(staff.approver)

    response = client.post(
        act_url(rr, "approve"),
        {"expected_version": rr.version, "password": PASSWORD, "otp": otp(staff.approver), "reason": "Meets all."},
    )

    assert response.status_code == 302
    stored = RatingRequest.objects.get(pk=rr.pk)
    assert (stored.state, stored.decided_by) == (S.ISSUED, staff.approver)


def test_deny_with_the_reason_through_the_form(client, staff):
    rr = request_in_state(staff, S.RECOMMENDED)
    client.force_login(staff.approver)

    response = client.post(act_url(rr, "deny"), {"expected_version": rr.version, "reason": "Not eligible."})

    assert response.status_code == 302
    assert RatingRequest.objects.get(pk=rr.pk).state == S.DENIED


@pytest.mark.parametrize(
    ("action", "who", "data", "field", "message", "denied"),
    [
        ("approve", "approver", {"password": "wrong"}, None, "The password you entered is not correct", True),
        ("approve", "approver", {"password": ""}, None, "Re-enter your password to sign", True),
        ("deny", "approver", {"reason": ""}, "reason", "Give the reasons for the denial", False),
        ("return_for_rework", "approver", {"reason": " "}, "reason", "Say why the request goes back", False),
        ("deny", "reviewer", {"reason": "No."}, None, "Only an HHS approving official can do this.", True),
        ("approve", "approver", {"expected_version": 1, "password": PASSWORD}, None, "changed by someone else", False),
    ],
)
def test_errors_are_form_errors_and_nothing_changes(
    client, staff, django_capture_on_commit_callbacks, action, who, data, field, message, denied
):
    # given
    rr = request_in_state(staff, S.RECOMMENDED)
    client.force_login(getattr(staff, who))
    start = last_sequence()

    # when
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(act_url(rr, action), {"expected_version": rr.version, **data})

    # then
    assert response.status_code == 200
    form = response.context["form"]
    errors = form.errors.get(field or "__all__")
    assert errors and message in errors[0]
    assert message in response.content.decode().replace("&#x27;", "'")
    stored = RatingRequest.objects.get(pk=rr.pk)
    assert (stored.state, stored.version) == (S.RECOMMENDED, rr.version)
    assert [e.outcome for e in events_after(start)] == (["denied"] if denied else [])
    assert callbacks == []


def test_an_unknown_action_is_a_404(client, staff):
    rr = request_in_state(staff, S.RECOMMENDED)
    client.force_login(staff.approver)

    assert client.get(act_url(rr, "submit")).status_code == 404
    assert client.get(act_url(rr, "explode")).status_code == 404


# --- who reaches the admin -------------------------------------------------------------------


def test_the_hhs_administrator_manages_users_but_takes_no_workflow_action(client, staff):
    # given
    rr = request_in_state(staff, S.RECOMMENDED)
    client.force_login(staff.hhsadmin)
    start = last_sequence()

    # when
    users = client.get(reverse("admin:ratings_user_changelist"))
    add_user = client.get(reverse("admin:ratings_user_add"))
    requests_page = client.get(change_url(rr))
    act = client.post(act_url(rr, "approve"), {"expected_version": rr.version, "password": PASSWORD})

    # then
    assert (users.status_code, add_user.status_code) == (200, 200)
    assert staff.applicant.username in users.content.decode()
    assert requests_page.status_code in {302, 403, 404}
    assert "transition-" not in requests_page.content.decode()
    assert act.status_code == 404
    assert RatingRequest.objects.get(pk=rr.pk).state == S.RECOMMENDED
    assert events_after(start) == []


def test_the_hhs_administrator_cannot_touch_the_audit_trail(client, staff):
    client.force_login(staff.hhsadmin)

    response = client.get(reverse("admin:audit_auditevent_changelist"))

    assert response.status_code == 403


def test_the_auditor_reads_requests_and_the_trail_without_buttons(client, staff):
    rr = request_in_state(staff, S.RECOMMENDED)
    client.force_login(staff.auditor)

    page = client.get(change_url(rr))
    trail = client.get(reverse("admin:audit_auditevent_changelist"))

    assert (page.status_code, trail.status_code) == (200, 200)
    assert buttons(page) == []


@pytest.mark.parametrize("is_staff", [False, True])
def test_people_outside_hhs_cannot_reach_the_admin(client, cast, is_staff):
    # given: an applicant, even one whose staff flag was set by mistake
    cast.applicant.is_staff = is_staff
    cast.applicant.save()
    rr = request_in_state(cast, S.SUBMITTED)
    client.force_login(cast.applicant)

    # when
    index = client.get(reverse("admin:index"))
    page = client.get(change_url(rr))

    # then: sent to the admin login
    assert index.status_code == 302 and index["Location"].startswith(reverse("admin:login"))
    assert page.status_code == 302


def test_a_supplier_contact_cannot_reach_the_admin(client, cast):
    client.force_login(member(cast.supplier_org, Role.SUPPLIER_CONTACT, is_staff=True))

    assert client.get(reverse("admin:index")).status_code == 302
    assert AuditEvent.objects.filter(action__startswith="rating_request.").count() == 0


def test_the_audit_trail_is_read_only_in_the_admin_even_for_a_superuser(client, staff):
    # given
    rr = request_in_state(staff, S.SUBMITTED)
    event = AuditEvent.objects.filter(reference=rr.reference).order_by("sequence").first()
    root = member(staff.hhs, Role.HHS_ADMIN, is_superuser=True)
    change = reverse("admin:audit_auditevent_change", args=[event.pk])
    delete = reverse("admin:audit_auditevent_delete", args=[event.pk])

    for user in (staff.auditor, root):
        client.force_login(user)
        # when
        page = client.get(change)
        posted = client.post(change, {"reason": "rewritten"})
        deleted = client.post(delete, {"post": "yes"})
        # then
        assert page.status_code == 200
        assert 'name="reason"' not in page.content.decode()
        assert (posted.status_code, deleted.status_code) == (403, 403)
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.reason, stored.hash) == (event.reason, event.hash)


def test_a_transition_in_the_admin_is_audited_with_the_web_request(client, staff):
    rr = request_in_state(staff, S.RECOMMENDED)
    client.force_login(staff.approver)
    start = last_sequence()

    response = client.post(
        act_url(rr, "deny"),
        {"expected_version": rr.version, "reason": "Not eligible."},
        HTTP_X_REQUEST_ID="0f4e9c3a-58d1-4c1b-9a55-3f0e2a7b9c11",
    )

    assert response["X-Request-ID"] == "0f4e9c3a-58d1-4c1b-9a55-3f0e2a7b9c11"
    [event] = events_after(start)
    assert (event.action, event.source, event.request_id, event.client_address) == (
        "rating_request.deny",
        "web",
        "0f4e9c3a-58d1-4c1b-9a55-3f0e2a7b9c11",
        "127.0.0.1",
    )


def test_approving_a_request_whose_date_has_passed_is_a_form_error_and_nothing_changes(
    client, staff, django_capture_on_commit_callbacks
):
    # given a recommended request whose only required date has passed while it was reviewed
    rr = request_in_state(staff, S.RECOMMENDED)
    past = agency_today() - dt.timedelta(days=2)
    LineItemDelivery.objects.filter(line_item__request=rr).update(required_date=past)
    client.force_login(staff.approver)
    start = last_sequence()

    # when the official approves and signs
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            act_url(rr, "approve"),
            {"expected_version": rr.version, "password": PASSWORD, "otp": otp(staff.approver)},
        )

    # then the form says which date, no order is issued and nothing is recorded
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        f"Item 1: the required delivery date {past.isoformat()} has passed (today is {agency_today().isoformat()}); "
        "a rated order cannot be issued with a past date. "
        "Deny the request; the applicant can then ask again with dates still ahead."
    ]
    stored = RatingRequest.objects.get(pk=rr.pk)
    assert (stored.state, stored.version, stored.rated_orders.count()) == (S.RECOMMENDED, rr.version, 0)
    assert (events_after(start), callbacks) == ([], [])


def test_the_administrator_reads_each_accounts_second_factor_by_name_not_by_its_class(client, staff):
    client.force_login(staff.hhsadmin)

    listing = client.get(reverse("admin:ratings_user_changelist")).content.decode()
    page = client.get(reverse("admin:ratings_user_change", args=[staff.reviewer.pk])).content.decode()

    assert "TOTPDevice" not in listing
    assert '<td class="field-second_factor">Authenticator app</td>' in listing
    assert '<td class="field-second_factor">None</td>' in listing  # the applicant has none
    assert "Authenticator app" in page and "TOTPDevice" not in page
