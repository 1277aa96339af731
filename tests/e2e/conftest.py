"""Browser tests: Playwright driving Debian's Chromium (no browser download) against live_server.

Playwright's sync API runs an event loop in this thread; Django would then refuse the test's own
database access as "async unsafe", so we allow it here (tests only; the server thread is separate).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import Browser, Page, expect, sync_playwright

from ratings import second_factor
from ratings.models import User
from tests.factories import PASSWORD, otp

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# Every run saves screenshots to test-artifacts/ (ignored by git); the README's copies in
# docs/screenshots/ are refreshed on purpose: SCREENSHOTS_DIR=docs/screenshots make pytest.
SCREENSHOTS = ROOT / os.environ.get("SCREENSHOTS_DIR", "test-artifacts/screenshots")
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


# Module scope, not session: Playwright's sync API keeps an asyncio loop running in this thread
# while it is open, and later tests (pyHanko validation) call asyncio.run().
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


class Axe:
    """Runs axe-core in the page; collects serious/critical violations per URL."""

    def __init__(self) -> None:
        self.checked: list[str] = []
        self.problems: dict[str, list[str]] = {}
        self.minor: dict[str, int] = {}
        self.rules_passed: dict[str, int] = {}

    def check(self, page: Page) -> None:
        # Evaluated through the DevTools protocol: an injected <script> would be an inline
        # script, which the pages' Content-Security-Policy (rightly) refuses.
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.evaluate(AXE.read_text())
        result: dict[str, Any] = page.evaluate(
            "async () => await axe.run(document, {resultTypes: ['violations'],"
            " runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
        )
        path = page.url.split("//", 1)[1].split("/", 1)[1]
        self.checked.append("/" + path)
        bad = [
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"]
            if v["impact"] in {"serious", "critical"}
        ]
        self.rules_passed["/" + path] = len(result["passes"])
        self.minor["/" + path] = sum(1 for v in result["violations"] if v["impact"] not in {"serious", "critical"})
        if bad:
            self.problems["/" + path] = bad


@pytest.fixture
def axe() -> Axe:
    return Axe()


def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


class CspWatch:
    """Collects Content-Security-Policy violations reported by any page it watches."""

    def __init__(self) -> None:
        self.violations: list[str] = []

    def watch(self, page: Page) -> Page:
        page.on(
            "console",
            lambda message: (
                self.violations.append(f"{page.url}: {message.text}")
                if "Content Security Policy" in message.text
                else None
            ),
        )
        return page


def sign_in(
    browser: Browser,
    base: str,
    username: str,
    *,
    width: int = 1280,
    height: int = 900,
    scale: float = 1,
    csp: CspWatch | None = None,
) -> Page:
    """Password, then (HHS staff and anyone enrolled) a code from the authenticator app.
    `scale` 2 with half the width is the page at 200% browser zoom (1280 px window: 640 CSS px)."""
    context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=scale)
    page = context.new_page()
    if csp is not None:
        csp.watch(page)
    page.set_default_timeout(10_000)
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Sign in')")
    user = User.objects.get(username=username)
    if second_factor.has_any(user):
        expect(page).to_have_url(re.compile(r"/accounts/mfa/verify/"))
        page.fill("#id_code", otp(user))
        page.click("button:has-text('Continue')")
    page.wait_for_url(lambda url: "/accounts/" not in url)
    return page
