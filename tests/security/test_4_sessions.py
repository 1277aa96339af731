"""Finding 4: sessions lived 8 hours with no idle limit. Staff: 30 minutes idle, 12 hours in all;
portal users: 60 minutes idle; pages warn before expiry; a form sent after expiry is kept."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from ratings.accounts.middleware import SEEN, STARTED, idle_limit
from ratings.constants import RequestState
from ratings.models import User
from tests.factories import PASSWORD, request_in_state

pytestmark = pytest.mark.django_db


def age(client, *, idle: int = 0, since_start: int = 0) -> None:
    session = client.session
    now = int(time.time())
    session[SEEN] = now - idle
    session[STARTED] = now - max(since_start, idle)
    session.save()


@pytest.mark.parametrize(
    ("who", "idle", "since_start", "expired"),
    [
        ("reviewer", 29 * 60, 0, False),
        ("reviewer", 31 * 60, 0, True),
        ("reviewer", 60, 12 * 3600 + 60, True),
        ("applicant", 59 * 60, 0, False),
        ("applicant", 61 * 60, 0, True),
    ],
)
def test_idle_and_absolute_limits(client, cast, who, idle, since_start, expired):
    client.force_login(getattr(cast, who))
    page = "/admin/" if who == "reviewer" else reverse("portal:dashboard")
    assert client.get(page).status_code == 200
    age(client, idle=idle, since_start=since_start)

    response = client.get(page)

    if expired:
        assert response.status_code == 302 and "expired=1" in response["Location"]
        assert "_auth_user_id" not in client.session
    else:
        assert response.status_code == 200


def test_portal_users_held_at_aal2_get_the_aal2_idle_limit(cast):
    """SP 800-63B AAL2: whoever must use a second factor is signed out after 30 idle minutes."""
    assert idle_limit(cast.applicant) == 60 * 60
    cast.manufacturer.require_mfa = True
    cast.manufacturer.save(update_fields=["require_mfa"])
    applicant = User.objects.get(pk=cast.applicant.pk)  # no memberships cached from before

    assert idle_limit(applicant) == 30 * 60


def test_pages_carry_the_idle_limit_for_the_warning(client, cast):
    client.force_login(cast.applicant)
    page = client.get(reverse("portal:dashboard")).content.decode()
    assert 'data-session-idle="3600"' in page and 'id="session-warning"' in page
    assert "signed out after 60 minutes without activity" in page


def test_a_form_sent_after_expiry_is_kept_and_offered_again_after_signing_in(client, cast):
    rr = request_in_state(cast, RequestState.SUBMITTED)
    client.force_login(cast.applicant)
    url = reverse("portal:request-withdraw", args=[rr.pk])
    age(client, idle=2 * 3600)

    expired = client.post(url, {"reason": "Supplier delivered after all.", "version": str(rr.version), "password": "x"})

    assert expired.status_code == 302 and expired["Location"].startswith("/accounts/login/")
    assert "next=/accounts/session/resume/" in expired["Location"]
    client.post("/accounts/login/", {"username": cast.applicant.username, "password": PASSWORD})
    resume = client.get("/accounts/session/resume/").content.decode()
    assert f'action="{url}"' in resume
    assert 'value="Supplier delivered after all."' in resume
    assert 'name="password"' not in resume
    assert rr.state == RequestState.SUBMITTED


def test_a_kept_form_is_only_offered_to_the_person_who_typed_it(client, cast):
    client.force_login(cast.applicant)
    age(client, idle=2 * 3600)
    client.post(reverse("portal:request-create"), {"government_program": "Mine"})
    client.post("/accounts/login/", {"username": cast.applicant2.username, "password": PASSWORD})
    assert client.get("/accounts/session/resume/")["Location"] == "/"


def test_a_csrf_failure_is_a_page_that_says_what_to_do(cast):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "Your form was not sent" in response.content.decode()
