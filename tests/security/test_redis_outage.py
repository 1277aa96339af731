"""A Redis outage (sessions' cache, rate limits, throttles) is not a 500: signed-in people keep
working from the database, nobody is signed out or loses their second factor, every action is
audited as usual, and once Redis is back sessions are served from it again, never a stale copy."""

from __future__ import annotations

import logging

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from audit import exports
from audit.models import ExportJob
from ratings.constants import NotificationStatus, RequestState, TokenScope
from ratings.models import Notification, RatingRequest
from ratings.services.accounts import roles, tokens
from tests.factories import PASSWORD, make_cast, otp, request_in_state
from tests.helpers import events_after, last_sequence
from tests.portal.conftest import details_post
from tests.ratings.api.test_requests_api import client_for, payload
from tests.security.redis_outage import broker_on, redis_cache

pytestmark = pytest.mark.django_db


def sign_in(client: Client, user, *, second_factor: bool = False) -> None:
    """Through the real pages, as a person does."""
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert (response.status_code, response["Location"]) == (302, "/")
    if second_factor:
        verified = client.post("/accounts/mfa/verify/", {"code": otp(user), "next": "/admin/"})
        assert (verified.status_code, verified["Location"]) == (302, "/admin/")


def session_rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM django_session")
        return int(cursor.fetchone()[0])


def test_while_redis_is_down_signed_in_people_keep_working_and_everything_is_audited(tmp_path, cast, caplog):
    roles.access_sync(cast.intake)
    rr = request_in_state(cast, RequestState.SUBMITTED)
    _token, secret = tokens.api_token_issue(actor=cast.applicant, name="ERP", scope=TokenScope.READ_WRITE)
    with redis_cache(tmp_path) as server:
        applicant, staff = Client(), Client()
        sign_in(applicant, cast.applicant)
        sign_in(staff, cast.intake, second_factor=True)
        assert server.session_keys() == {applicant.cookies["sessionid"].value, staff.cookies["sessionid"].value}
        server.stop()
        start = last_sequence()
        caplog.set_level(logging.INFO, logger="dpa_portal.cache")

        dashboard = applicant.get(reverse("portal:dashboard"))
        admin_page = staff.get(reverse("admin:ratings_ratingrequest_change", args=[rr.pk]))
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
        listing = api.get("/api/v1/requests/")
        created = applicant.post(reverse("portal:request-create"), details_post(cast, health_resource="Outage vaccine"))
        draft = RatingRequest.objects.get(health_resource="Outage vaccine")
        api_draft = api.post("/api/v1/requests/", payload(cast, health_resource="Outage API"), format="json")
        newcomer = Client()
        sign_in(newcomer, cast.reviewer, second_factor=True)
        newcomer_page = newcomer.get("/admin/")
        signed_out_key = applicant.cookies["sessionid"].value
        signed_out = applicant.post("/accounts/logout/")

        assert dashboard.status_code == 200 and cast.applicant.printed_name in dashboard.content.decode()
        assert admin_page.status_code == 200 and rr.reference in admin_page.content.decode()
        assert listing.status_code == 200 and [r["reference"] for r in listing.json()["results"]] == [rr.reference]
        assert (created.status_code, created["Location"]) == (302, reverse("portal:request-items", args=[draft.pk]))
        assert api_draft.status_code == 201, api_draft.content
        assert newcomer_page.status_code == 200
        assert (signed_out.status_code, signed_out["Location"]) == (302, "/")
        assert [(e.action, e.actor_id) for e in events_after(start)] == [
            ("rating_request.create", cast.applicant.pk),
            ("rating_request.create", cast.applicant.pk),
            ("auth.login", cast.reviewer.pk),
            ("mfa.verify", cast.reviewer.pk),
            ("auth.logout", cast.applicant.pk),
        ]
        unavailable = [r for r in caplog.records if r.getMessage().startswith("cache.unavailable")]
        assert [r.levelname for r in unavailable] == ["WARNING"]  # once, not once per request

        # Redis is back: the session copies written before the outage are gone (any may be
        # stale), each session is read from the database once and then from the cache again.
        server.start()
        assert server.session_keys() == {signed_out_key, staff.cookies["sessionid"].value}
        replayed = Client()
        replayed.cookies["sessionid"] = signed_out_key  # the stale copy would still say "signed in"
        assert replayed.get(reverse("portal:dashboard"))["Location"] == "/accounts/login/?next=/portal/"
        assert staff.get("/admin/").status_code == 200
        assert server.session_keys() == {staff.cookies["sessionid"].value}
        assert newcomer.get("/admin/").status_code == 200  # the second factor passed during the outage
        assert server.session_keys() == {staff.cookies["sessionid"].value, newcomer.cookies["sessionid"].value}
        with CaptureQueriesContext(connection) as queries:
            again = staff.get("/admin/")
        assert again.status_code == 200
        assert [q["sql"] for q in queries.captured_queries if "django_session" in q["sql"]] == []
        recovered = [r.getMessage() for r in caplog.records if r.getMessage().startswith("cache.recovered")]
        assert len(recovered) == 1 and "stale_deleted=2" in recovered[0]


def test_while_redis_is_down_each_rate_limit_does_what_docs_architecture_says(tmp_path, cast, caplog, settings):
    settings.LOGIN_RATE_LIMIT = settings.PASSWORD_RESET_RATE_LIMIT = settings.VERIFY_RATE_LIMIT = "1/m"
    settings.API_THROTTLE_BAD_TOKEN = "1/minute"
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "1/minute", "user": "1/minute"},
    }
    _token, secret = tokens.api_token_issue(actor=cast.applicant, name="ERP", scope=TokenScope.READ)
    with redis_cache(tmp_path) as server:
        server.stop()
        caplog.set_level(logging.INFO, logger="dpa_portal.cache")
        start = last_sequence()

        # fail open: sign-in (django-axes still locks out in the database), the public
        # verification page, the API's counters
        wrong = [
            Client().post("/accounts/login/", {"username": cast.applicant.username, "password": "no"}) for _ in "12"
        ]
        signed_in = Client().post("/accounts/login/", {"username": cast.applicant.username, "password": PASSWORD})
        verify = [Client().get("/verify/").status_code for _ in "12"]
        anonymous = [APIClient().get("/api/v1/requests/").status_code for _ in "12"]
        guessing = APIClient()
        guessing.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef")
        guesses = [guessing.get("/api/v1/requests/").status_code for _ in "12"]
        reader = APIClient()
        reader.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
        reads = [reader.get("/api/v1/requests/").status_code for _ in "12"]
        # fail closed: password reset e-mails (uncounted, anyone could flood someone's inbox)
        reset = Client().post("/accounts/password-reset/", {"email": cast.applicant.email})

        assert [r.status_code for r in wrong] == [200, 200]
        assert "Please enter a correct username and password" in wrong[1].content.decode()
        assert (signed_in.status_code, signed_in["Location"]) == (302, "/")
        assert verify == [200, 200]
        assert anonymous == [401, 401]
        assert guesses == [401, 401]
        assert reads == [200, 200]
        assert (reset.status_code, reset["Retry-After"]) == (503, "60")
        assert "Password reset e-mails cannot be sent just now; nothing was sent." in reset.content.decode()
        assert mail.outbox == []
        assert [(e.action, e.outcome) for e in events_after(start)] == [
            ("auth.login_failed", "failure"),
            ("auth.login_failed", "failure"),
            ("auth.login", "success"),
        ]
        uncounted = sorted(
            (r.levelname, r.getMessage()) for r in caplog.records if r.getMessage().startswith("ratelimit.")
        )
        assert uncounted == [  # once per limit, not once per call
            ("ERROR", "ratelimit.uncounted limit=api-anon fails=open"),
            ("ERROR", "ratelimit.uncounted limit=api-bad-token fails=open"),
            ("ERROR", "ratelimit.uncounted limit=api-user fails=open"),
            ("ERROR", "ratelimit.uncounted limit=login fails=open"),
            ("ERROR", "ratelimit.uncounted limit=password-reset fails=closed"),
            ("ERROR", "ratelimit.uncounted limit=verify fails=open"),
        ]

        # Redis is back: every limit counts again
        server.start()
        assert [Client().get("/verify/").status_code for _ in "12"] == [200, 429]
        assert [reader.get("/api/v1/requests/").status_code for _ in "12"] == [200, 429]
        counted_reset = [Client().post("/accounts/password-reset/", {"email": "nobody@example.com"}) for _ in "12"]
        assert [r.status_code for r in counted_reset] == [302, 429]


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_too_an_action_that_queues_work_commits_and_answers_as_usual(tmp_path, caplog):
    # Transactional: the work is queued after a real commit, inside the request, as in production.
    cast = make_cast()
    rr = request_in_state(cast, RequestState.SUBMITTED)
    Notification.objects.all().delete()
    applicant, auditor = client_for(cast.applicant), client_for(cast.auditor)
    with redis_cache(tmp_path) as server, broker_on(server):
        etag = applicant.get(f"/api/v1/requests/{rr.reference}/")["ETag"]
        server.stop()
        caplog.set_level(logging.WARNING, logger="ratings")
        caplog.set_level(logging.WARNING, logger="audit")
        start = last_sequence()

        withdrawn = applicant.post(
            f"/api/v1/requests/{rr.reference}/withdraw/", {"reason": "Not needed"}, format="json", HTTP_IF_MATCH=etag
        )
        exported = auditor.post("/api/v1/audit/exports/", {"format": "csv"}, format="json")

        assert withdrawn.status_code == 200, withdrawn.content
        assert withdrawn.json()["state"] == RequestState.WITHDRAWN
        rr.refresh_from_db()
        assert rr.state == RequestState.WITHDRAWN
        # its notices wait in the outbox for the sweep (tests/ratings/test_notifications_celery.py)
        notices = Notification.objects.order_by("pk")
        assert [(n.status, n.attempts) for n in notices] == [(NotificationStatus.PENDING, 0)] * len(notices)
        assert len(notices) == 2
        assert f"notification.enqueue_failed id={notices[0].pk} error=OperationalError" in caplog.text
        # the export is committed and audited, and says it could not be queued
        assert exported.status_code == 201, exported.content
        job = ExportJob.objects.get()
        assert (exported.json()["status"], job.status, job.error) == ("failed", "failed", exports.NOT_QUEUED)
        assert f"audit_export.enqueue_failed job={job.pk} error=OperationalError" in caplog.text
        assert [(e.action, e.actor_id) for e in events_after(start)] == [
            ("rating_request.withdraw", cast.applicant.pk),
            ("audit.export", cast.auditor.pk),
        ]
