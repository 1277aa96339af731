"""Portal lists come 50 rows a page, newest first, each page read after the last row shown
(no OFFSET, no COUNT): every row appears exactly once however the pages are walked."""

from __future__ import annotations

import datetime as dt
import re

from django.urls import reverse
from django.utils import timezone

from dpa_portal.pagination import keyset_page
from ratings.models import Notification, RatingRequest
from tests.factories import draft_request
from tests.portal.conftest import login


def _notices(user, count: int) -> None:
    now = timezone.now()
    Notification.objects.bulk_create(
        Notification(
            key=f"page-test-{n}",
            recipient=user,
            kind="request_status",
            subject=f"Notice number {n:03d}",
            body_text="",
            body_html="",
            next_attempt_at=now,
            status="in_app",
        )
        for n in range(count)
    )
    # two share one timestamp: the pk breaks the tie
    for n in range(count):
        Notification.objects.filter(key=f"page-test-{n}").update(created_at=now - dt.timedelta(minutes=n // 2))


def _subjects(html: str) -> list[str]:
    return re.findall(r"Notice number (\d{3})", html)


def test_the_inbox_walks_in_pages_of_fifty_each_notice_once(client, cast):
    _notices(cast.applicant, 120)
    login(client, cast.applicant)
    seen: list[str] = []
    url = reverse("notification-list")
    pages = 0
    while url:
        html = client.get(url).content.decode()
        pages += 1
        seen += _subjects(html)
        older = re.search(r'href="(\?[^"]*after=[0-9-]+)">Older', html)
        url = reverse("notification-list") + older.group(1).replace("&amp;", "&") if older else ""
    assert pages == 3
    assert sorted(seen) == [f"{n:03d}" for n in range(120)]
    assert len(seen) == len(set(seen))


def test_a_cursor_that_does_not_parse_starts_from_the_top(client, cast):
    _notices(cast.applicant, 3)
    login(client, cast.applicant)
    html = client.get(reverse("notification-list") + "?after=nonsense").content.decode()
    assert len(_subjects(html)) == 3
    assert "Older" not in html


def test_the_request_list_pages_by_creation_time(cast):
    made = [draft_request(cast) for _ in range(5)]
    mine = RatingRequest.objects.filter(pk__in=[rr.pk for rr in made])
    first = keyset_page(mine, None, field="created_at", size=2)
    second = keyset_page(mine, first.next_cursor, field="created_at", size=2)
    third = keyset_page(mine, second.next_cursor, field="created_at", size=2)
    walked = [rr.pk for page in (first, second, third) for rr in page.rows]
    assert walked == [rr.pk for rr in sorted(made, key=lambda rr: (rr.created_at, rr.pk), reverse=True)]
    assert (first.first, second.first, third.next_cursor) == (True, False, "")
