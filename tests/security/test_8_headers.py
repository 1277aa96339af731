"""Finding 8: headers. A Content-Security-Policy without inline script or style on every HTML
response (and no inline script or style in the pages), no-store on confidential responses,
Permissions-Policy, and `check --deploy` clean but for the HSTS preload warning."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from ratings.constants import RequestState
from tests.factories import request_in_state

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=\"", re.I)


def pages(cast, rr):
    return [
        (None, "/"),
        (None, "/accounts/login/"),
        (None, "/accounts/password-reset/"),
        (None, "/verify/"),
        (cast.applicant, reverse("portal:dashboard")),
        (cast.applicant, reverse("portal:request-detail", args=[rr.pk])),
        (cast.applicant, "/accounts/security/"),
        (cast.applicant, "/accounts/tokens/"),
        (cast.reviewer, "/admin/"),
        (cast.reviewer, reverse("admin:ratings_ratingrequest_changelist")),
        (cast.reviewer, reverse("admin:ratings_ratingrequest_change", args=[rr.pk])),
        (cast.hhsadmin, reverse("admin:ratings_user_changelist")),
        (cast.hhsadmin, reverse("admin:ratings_user_change", args=[cast.applicant.pk])),
        (cast.auditor, "/audit/"),
        (cast.auditor, f"/audit/requests/{rr.reference}/"),
    ]


def test_every_html_page_has_a_strict_csp_no_store_and_no_inline_code(client, cast):
    rr = request_in_state(cast, RequestState.IN_REVIEW)
    for user, path in pages(cast, rr):
        if user is None:
            client.logout()
        else:
            client.force_login(user)
        response = client.get(path)
        assert response.status_code == 200, path
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp and "unsafe-inline" not in csp, path
        assert "frame-ancestors 'none'" in csp
        assert response["Cache-Control"] == "no-store", path
        assert "camera=()" in response["Permissions-Policy"]
        body = response.content.decode()
        assert not INLINE_SCRIPT.search(body), (path, INLINE_SCRIPT.search(body))
        assert not INLINE_STYLE.search(body), (path, INLINE_STYLE.search(body)[0])


def test_api_responses_are_not_stored(client, cast):
    client.force_login(cast.applicant)
    response = client.get("/api/v1/requests/")
    assert (response.status_code, response["Cache-Control"]) == (200, "no-store")


def test_check_deploy_with_production_settings_reports_only_the_hsts_preload_warning(tmp_path):
    # The browser tests' harness sets DJANGO_ALLOW_ASYNC_UNSAFE in this process; no deployment does.
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "dpa_portal.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'check.sqlite3'}",
        "ALLOWED_HOSTS": "dpa.hhs.example.gov",
        "SITE_URL": "https://dpa.hhs.example.gov",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    issues = re.findall(r"\((\S+?)\)", result.stdout + result.stderr)
    assert issues == ["security.W021"], result.stdout + result.stderr


def test_production_keeps_database_connections_open_and_checks_them(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "DB_CONN_MAX_AGE")},
        "DJANGO_SETTINGS_MODULE": "dpa_portal.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'check.sqlite3'}",
        "ALLOWED_HOSTS": "dpa.hhs.example.gov",
        "SITE_URL": "https://dpa.hhs.example.gov",
    }
    code = "from django.conf import settings as s; d = s.DATABASES['default']; print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.stdout.splitlines()[-1].split() == ["600", "True"], result.stdout + result.stderr
