"""HHS staff set up an authenticator app at first sign-in (a real TOTP code), add a passkey with
Chromium's virtual WebAuthn authenticator, and sign in again with the passkey. Every page passes
axe and the Content-Security-Policy reports no violation."""

from __future__ import annotations

import base64
import re

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import Browser, expect

from audit.models import AuditEvent
from tests.e2e.conftest import Axe, CspWatch, shoot
from tests.factories import PASSWORD, make_cast

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def code_for(secret: str) -> str:
    key = base64.b32decode(secret.replace(" ", ""))
    return f"{TOTP(key).token():06d}"


def test_set_up_an_app_add_a_passkey_and_sign_in_with_it(browser: Browser, live_server, axe: Axe):
    cast = make_cast()
    TOTPDevice.objects.filter(user=cast.reviewer).delete()
    base = live_server.url
    csp = CspWatch()
    page = csp.watch(browser.new_context(viewport={"width": 1280, "height": 900}).new_page())
    page.set_default_timeout(10_000)

    # The password alone opens nothing: the reviewer must set up an authenticator app first.
    page.goto(f"{base}/accounts/login/?next=/admin/")
    page.fill("#id_username", cast.reviewer.username)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Sign in')")
    expect(page).to_have_url(re.compile(r"/accounts/mfa/setup/"))
    axe.check(page)
    shoot(page, "12-second-factor-setup")
    page.fill("#id_code", code_for(page.locator("[data-testid=totp-secret]").inner_text()))
    page.click("button:has-text('Confirm')")
    expect(page.locator("[data-testid=recovery-codes] li")).to_have_count(10)
    axe.check(page)
    page.click("text=I have kept them")
    expect(page).to_have_url(f"{base}/admin/")

    # A passkey, made by Chromium's virtual authenticator (WebAuthn over the DevTools protocol).
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    page.goto(f"{base}/accounts/security/")
    axe.check(page)
    page.click("#passkey-register-button")
    expect(page.locator("body")).to_contain_text("Passkeys: ")
    expect(page.locator("body")).not_to_contain_text("Passkeys: none")
    assert WebAuthnCredential.objects.filter(user=cast.reviewer, confirmed=True).count() == 1

    # Sign out, sign in again: the password, then the passkey instead of a code.
    page.click("button:has-text('Sign out')")
    page.goto(f"{base}/accounts/login/?next=/admin/")
    page.fill("#id_username", cast.reviewer.username)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Sign in')")
    expect(page).to_have_url(re.compile(r"/accounts/mfa/verify/"))
    axe.check(page)
    page.click("#passkey-verification-button")
    expect(page).to_have_url(f"{base}/admin/")
    page.context.close()

    events = list(
        AuditEvent.objects.filter(actor_id=cast.reviewer.pk, action__startswith="mfa.")
        .order_by("sequence")
        .values_list("action", "outcome", "data")
    )
    assert [(a, o) for a, o, _ in events] == [
        ("mfa.enrol", "success"),
        ("mfa.recovery_codes", "success"),
        ("mfa.enrol", "success"),
        ("mfa.verify", "success"),
    ]
    assert [d["device"] for a, _, d in events if a != "mfa.recovery_codes"] == ["totp", "passkey", "passkey"]
    assert axe.problems == {}
    assert csp.violations == []
