"""Who sees which portal page: sign-in, HHS staff sent to the admin, suppliers, the dashboard and list."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from ratings.constants import CONFIDENTIALITY_LEGEND, RequestState
from ratings.models import RatingRequest
from ratings.services.requests import drafts
from tests.factories import PASSWORD, details, draft_request, line_item, request_in_state
from tests.portal.conftest import login

pytestmark = pytest.mark.django_db

PORTAL_PAGES = ["portal:dashboard", "portal:request-list", "portal:request-create"]


@pytest.mark.parametrize("name", PORTAL_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={reverse(name)}"


@pytest.mark.parametrize("name", PORTAL_PAGES)
def test_hhs_staff_are_sent_to_the_admin(client, cast, name):
    login(client, cast.reviewer)
    assert client.get(reverse(name))["Location"] == reverse("admin:index")


def test_home_sends_portal_users_to_the_portal_and_staff_to_the_admin(client, cast):
    assert client.get("/").status_code == 200
    login(client, cast.applicant)
    assert client.get("/")["Location"] == reverse("portal:dashboard")
    login(client, cast.intake)
    assert client.get("/")["Location"] == reverse("admin:index")


def test_portal_users_never_see_the_admin(client, cast):
    login(client, cast.applicant)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    rr = draft_request(cast)
    response = client.get(reverse("admin:ratings_ratingrequest_change", args=[rr.pk]))
    assert response.status_code == 302


@pytest.mark.parametrize("name", ["portal:request-list", "portal:request-create"])
def test_suppliers_get_404_on_manufacturer_pages(client, cast, name):
    login(client, cast.supplier)
    assert client.get(reverse(name)).status_code == 404


def test_supplier_home_shows_the_orders_waiting_for_an_answer(client, cast):
    login(client, cast.supplier)
    response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 200
    assert "Orders waiting for your answer" in response.content.decode()
    assert "No order waits for your answer." in response.content.decode()


def test_sign_in_page_and_sign_in(client, cast):
    page = client.get(reverse("login")).content.decode()
    assert "An official website of the United States government" in page
    assert 'href="#main-content"' in page
    response = client.post(reverse("login"), {"username": cast.applicant.username, "password": PASSWORD})
    assert response["Location"] == "/"


def test_header_names_the_organization_and_role(client, cast):
    login(client, cast.applicant)
    page = client.get(reverse("portal:dashboard")).content.decode()
    assert "Alice Applicant</span> — Acme Vaccines (Applicant (manufacturer staff))" in page
    assert "Sign out" in page


def test_password_reset_by_email(client, cast):
    response = client.post(reverse("password_reset"), {"email": cast.applicant.email})
    assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "DPA Priority Rating Portal: reset your password"
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/reset/" in line)
    path = link.split("testserver", 1)[1]
    form_url = client.get(path)["Location"]
    new = "a much better passphrase 42"
    response = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert response["Location"] == reverse("password_reset_complete")
    assert client.login(username=cast.applicant.username, password=new)


def test_dashboard_lists_questions_first_then_drafts(client, cast):
    question = request_in_state(cast, RequestState.INFO_REQUESTED)
    draft = draft_request(cast)
    request_in_state(cast, RequestState.SUBMITTED)
    login(client, cast.applicant)
    response = client.get(reverse("portal:dashboard"))
    context = response.context
    assert [row["rr"] for row in context["questions"]] == [question]
    assert [row["rr"] for row in context["drafts"]] == [draft]
    assert [row["rr"].state for row in context["recent"]] == [RequestState.SUBMITTED]
    page = response.content.decode()
    assert page.index(question.reference) < page.index(draft.reference)
    assert CONFIDENTIALITY_LEGEND in page


def test_list_shows_only_my_organization_and_filters(client, cast):
    submitted = request_in_state(cast, RequestState.SUBMITTED)
    draft = draft_request(cast)
    other = request_in_state(cast, RequestState.SUBMITTED)
    other_company = draft_request(cast)
    RatingRequest.objects.filter(pk=other_company.pk).update(applicant_organization=cast.manufacturer2)
    login(client, cast.applicant)
    rows = client.get(reverse("portal:request-list")).context["rows"]
    assert {row["rr"] for row in rows} == {submitted, draft, other}
    row = next(r for r in rows if r["rr"] == draft)
    assert (row["suppliers"], row["age_days"], row["next_action"]) == (["Filtra Corp"], 0, "You: finish and submit")
    rows = client.get(reverse("portal:request-list"), {"status": "draft"}).context["rows"]
    assert [row["rr"] for row in rows] == [draft]
    rows = client.get(reverse("portal:request-list"), {"q": submitted.reference}).context["rows"]
    assert [row["rr"] for row in rows] == [submitted]


def test_list_search_by_item(client, cast):
    draft_request(cast)  # a filtration skid: must not match
    pump = drafts.rating_request_create(
        actor=cast.applicant,
        organization=cast.manufacturer,
        details=details(cast),
        line_items=[line_item(cast.supplier_org2, description="Peristaltic fill pump")],
    )
    login(client, cast.applicant)
    rows = client.get(reverse("portal:request-list"), {"q": "fill pump"}).context["rows"]
    assert [row["rr"] for row in rows] == [pump]


def test_request_page_shows_timeline_with_hhs_roles_not_names(client, cast):
    rr = request_in_state(cast, RequestState.INFO_REQUESTED)
    login(client, cast.applicant)
    response = client.get(reverse("portal:request-detail", args=[rr.pk]))
    entries = [(e.what, e.who, e.why) for e in response.context["timeline"]]
    assert entries == [
        ("Draft created", "Alice Applicant", ""),
        ("Certified and submitted", "Alice Applicant", ""),
        ("Accepted for review", "HHS intake analyst", ""),
        ("HHS asked a question", "HHS reviewer", "Send the quote."),
    ]
    page = response.content.decode()
    assert cast.reviewer.username not in page
    assert CONFIDENTIALITY_LEGEND in page
    assert "Answer HHS" in page


def test_request_page_hides_internal_recommendation(client, cast):
    rr = request_in_state(cast, RequestState.APPROVED)
    login(client, cast.applicant)
    response = client.get(reverse("portal:request-detail", args=[rr.pk]))
    whats = [e.what for e in response.context["timeline"]]
    assert whats == ["Draft created", "Certified and submitted", "Accepted for review", "Approved"]
    assert "Sound." not in response.content.decode()
    assert "Withdraw this request" not in response.content.decode()


def test_a_denied_request_shows_the_reasons(client, cast):
    rr = request_in_state(cast, RequestState.DENIED)
    login(client, cast.applicant)
    timeline = client.get(reverse("portal:request-detail", args=[rr.pk])).context["timeline"]
    assert (timeline[-1].what, timeline[-1].who, timeline[-1].why) == (
        "Denied",
        "HHS approving official",
        "Not eligible.",
    )
