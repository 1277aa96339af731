"""NIST AC-7: consecutive failed sign-ins lock the account for a while, and it is audited."""

from __future__ import annotations

import pytest
from django.test import override_settings

from audit.models import AuditEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


def _sign_in(client, username: str, password: str):
    return client.post(LOGIN, {"username": username, "password": password})


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_three_failures_lock_the_account_even_for_the_right_password(client, cast):
    # given two failed attempts: still the sign-in form with its error
    for _ in range(2):
        assert _sign_in(client, cast.applicant.username, "wrong password").status_code == 200

    # when the third fails, and then the right password is tried
    third = _sign_in(client, cast.applicant.username, "wrong password")
    right = _sign_in(client, cast.applicant.username, PASSWORD)

    # then the account is locked: the lockout page, and nobody is signed in
    assert third.status_code == 429
    assert "Too many failed sign-in attempts" in third.content.decode()
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session
    # every password check is audited and the third records the lockout; an attempt refused by the
    # lockout is only counted (the lockout is recorded again at the 10th, 100th... refused attempt)
    failed, locked = ("auth.login_failed", "failure"), ("auth.locked_out", "denied")
    assert list(AuditEvent.objects.order_by("sequence").values_list("action", "outcome")) == [
        failed,
        failed,
        locked,
        failed,
    ]


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_a_successful_sign_in_resets_the_count(client, cast):
    # given two failures, then a success and a sign-out
    for _ in range(2):
        _sign_in(client, cast.applicant.username, "wrong password")
    assert _sign_in(client, cast.applicant.username, PASSWORD).status_code == 302
    client.post("/accounts/logout/")

    # when two more failures follow
    for _ in range(2):
        response = _sign_in(client, cast.applicant.username, "wrong password")

    # then the account is not locked: the count started again
    assert response.status_code == 200
    assert _sign_in(client, cast.applicant.username, PASSWORD).status_code == 302
    assert not AuditEvent.objects.filter(action="auth.locked_out").exists()


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_the_admin_sign_in_is_the_one_sign_in_page_and_locks_too(client, cast):
    assert client.get("/admin/login/?next=/admin/")["Location"] == "/accounts/login/?next=/admin/"
    for _ in range(3):
        response = client.post("/accounts/login/?next=/admin/", {"username": cast.intake.username, "password": "nope"})

    assert response.status_code == 429
    locked = client.post("/accounts/login/?next=/admin/", {"username": cast.intake.username, "password": PASSWORD})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
