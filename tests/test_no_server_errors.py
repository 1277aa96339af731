"""A 500 is a bug: every demo user crawls what they can reach, and no page fails.

Signs in as each role of the demo data (seed_demo's services), follows same-site links
breadth-first with GET only (never sign-out), and asserts no response is a server error.
"""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest

from ratings.demo.accounts import USERS
from ratings.demo.seed import demo_seed

START = ["/", "/portal/", "/admin/", "/audit/", "/notifications/", "/api/v1/requests/", "/verify/"]
LINK = re.compile(r'href="([^"#]+)"')
SKIP = ("/accounts/logout", "/static/", "/admin/logout", "/admin/jsi18n", "/api/docs", "/api/redoc")
PAGES_PER_USER = 70


def _links(base: str, html: str) -> list[str]:
    found = []
    for raw in LINK.findall(html):
        url = urljoin(base, raw.replace("&amp;", "&"))
        parts = urlsplit(url)
        if parts.netloc not in ("", "testserver") or parts.scheme not in ("", "http"):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if not path.startswith(SKIP):
            found.append(path)
    return found


@pytest.fixture
def demo(db, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    demo_seed()


@pytest.mark.parametrize("username", [user.username for user in USERS])
def test_no_page_reachable_by_a_demo_user_is_a_server_error(client, demo, django_capture_on_commit_callbacks, username):
    # given a signed-in demo user
    assert client.login(username=username, password="dpa-demo")
    queue, seen, failures = deque(START), set(), []

    # when they follow every link they can reach
    while queue and len(seen) < PAGES_PER_USER:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code >= 500:
            failures.append((path, response.status_code))
        content_type = response.get("Content-Type", "")
        if response.status_code == 200 and content_type.startswith("text/html"):
            queue.extend(_links(path, response.content.decode("utf-8", "replace")))

    # then nothing failed, and the crawl really went somewhere
    assert failures == []
    assert len(seen) > len(START), seen
