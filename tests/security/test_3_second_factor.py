"""Finding 3: no second factor. HHS staff and auditors open no admin or audit page until the
session passed a second factor; signing asks for a fresh code; set-up, use, failures and reset
are audited; recovery codes work once; an organization can require it for its people."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEvent
from dpa_portal.errors import PermissionRefused
from ratings.constants import RequestState
from ratings.models import Organization, RatingRequest
from ratings.services.accounts import mfa
from ratings.services.requests import workflow
from tests.factories import PASSWORD, otp, request_in_state
from tests.helpers import events_after, last_sequence

pytestmark = pytest.mark.django_db


def test_staff_without_a_device_are_sent_to_set_one_up(unverified_client, cast):
    TOTPDevice.objects.filter(user=cast.intake).delete()
    unverified_client.force_login(cast.intake)

    for path in ("/admin/", "/admin/ratings/ratingrequest/", "/audit/", "/api/v1/requests/"):
        response = unverified_client.get(path)
        if path.startswith("/api/"):
            assert response.status_code == 403 and response.json()["title"] == "Second factor required"
        else:
            assert response["Location"].startswith("/accounts/mfa/setup/"), path


def test_setting_up_the_app_then_signing_in_with_it(unverified_client, cast):
    TOTPDevice.objects.filter(user=cast.auditor).delete()
    unverified_client.force_login(cast.auditor)
    page = unverified_client.get("/accounts/mfa/setup/")
    key = unverified_client.session["mfa_setup_key"]
    assert "<svg" in page.content.decode()
    code = f"{TOTP(bytes.fromhex(key)).token():06d}"

    done = unverified_client.post("/accounts/mfa/setup/", {"code": code, "next": "/audit/"})

    assert len(done.context["codes"]) == 10
    assert unverified_client.get("/audit/").status_code == 200
    assert [e.action for e in AuditEvent.objects.filter(actor_id=cast.auditor.pk, action__startswith="mfa.")] == [
        "mfa.recovery_codes",
        "mfa.enrol",
    ]


def test_a_wrong_code_is_refused_audited_and_throttled(unverified_client, cast):
    unverified_client.force_login(cast.reviewer)
    start = last_sequence()

    wrong = unverified_client.post("/accounts/mfa/verify/", {"code": "000000"})
    right_but_throttled = unverified_client.post("/accounts/mfa/verify/", {"code": otp(cast.reviewer)})

    assert wrong.status_code == right_but_throttled.status_code == 200
    assert "Too many wrong codes" in right_but_throttled.content.decode()
    assert [(e.action, e.outcome) for e in events_after(start)] == [("mfa.verify", "denied"), ("mfa.verify", "denied")]
    assert TOTPDevice.objects.get(user=cast.reviewer).throttling_failure_count == 2
    assert unverified_client.get("/admin/")["Location"].startswith("/accounts/mfa/verify/")


def test_a_recovery_code_works_once(unverified_client, cast):
    codes = mfa.recovery_codes_make(user=cast.reviewer, actor=cast.reviewer)
    unverified_client.force_login(cast.reviewer)

    assert (
        unverified_client.post("/accounts/mfa/verify/", {"code": codes[0], "next": "/admin/"})["Location"] == "/admin/"
    )
    assert not StaticToken.objects.filter(token=codes[0]).exists()
    event = AuditEvent.objects.filter(action="mfa.verify").latest("sequence")
    assert (event.outcome, event.data["device"], event.data["recovery_codes_left"]) == ("success", "recovery_code", 9)


def test_an_approval_needs_a_fresh_code_besides_the_password(cast):
    rr = request_in_state(cast, RequestState.RECOMMENDED)
    with pytest.raises(PermissionRefused, match="6-digit code"):
        workflow.rating_request_approve(rating_request=rr, actor=cast.approver, password=PASSWORD)
    code = otp(cast.approver)
    workflow.rating_request_approve(rating_request=rr, actor=cast.approver, password=PASSWORD, otp=code)
    assert RatingRequest.objects.get(pk=rr.pk).state == RequestState.ISSUED
    other = request_in_state(cast, RequestState.RECOMMENDED)
    with pytest.raises(PermissionRefused, match="already used"):  # the same code twice: a replay
        workflow.rating_request_approve(rating_request=other, actor=cast.approver, password=PASSWORD, otp=code)


def test_a_reset_is_audited_and_never_done_on_oneself(cast):
    with pytest.raises(PermissionRefused):
        mfa.second_factor_reset(user=cast.hhsadmin, actor=cast.hhsadmin, reason="Lost.")

    mfa.second_factor_reset(user=cast.reviewer, actor=cast.hhsadmin, reason="Lost phone; identity checked in person.")

    assert not TOTPDevice.objects.filter(user=cast.reviewer).exists()
    event = AuditEvent.objects.get(action="mfa.reset", outcome="success")
    assert (event.actor_id, event.object_id, event.data["removed"]["totp"]) == (
        cast.hhsadmin.pk,
        str(cast.reviewer.pk),
        1,
    )


def test_an_organization_can_require_a_second_factor_for_its_people(client, cast):
    Organization.objects.filter(pk=cast.manufacturer.pk).update(require_mfa=True)
    client.force_login(cast.applicant)
    assert client.get(reverse("portal:dashboard"))["Location"].startswith("/accounts/mfa/setup/")
    client.force_login(cast.applicant2)  # another organization: optional
    assert client.get(reverse("portal:dashboard")).status_code == 200
