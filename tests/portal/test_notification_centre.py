"""The notification centre: the unread count in every portal page's header, short summaries that
lead to the recipient's page, mark read / mark all read, filters, and e-mail preferences."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from ratings.constants import NotificationKind, NotificationStatus, RequestState
from ratings.models import Notification, NotificationPreference
from tests.factories import request_in_state
from tests.portal.conftest import login


def _notice(user, n: int, *, kind: str = NotificationKind.REQUEST_STATUS, read: bool = False) -> Notification:
    return Notification.objects.create(
        key=f"centre-test-{user.pk}-{n}",
        recipient=user,
        kind=kind,
        subject=f"Summary number {n}",
        body_text=f"Long body {n}. Do not reply to this message.",
        body_html="",
        link=f"https://dpa.example.gov/portal/requests/{n}/",
        next_attempt_at=timezone.now(),
        status=NotificationStatus.IN_APP,
        read_at=timezone.now() if read else None,
    )


def test_every_portal_page_shows_the_unread_count_in_the_header(client, cast, settings):
    settings.SITE_URL = "https://dpa.example.gov"
    for n in range(3):
        _notice(cast.applicant, n, read=n == 0)
    _notice(cast.applicant2, 9)  # someone else's
    login(client, cast.applicant)

    for url in (reverse("portal:dashboard"), reverse("portal:request-list"), reverse("notification-list")):
        html = client.get(url).content.decode()
        assert 'data-testid="unread-count">2</span><span class="usa-sr-only"> unread</span>' in html, url


def test_the_list_keeps_the_main_menu_and_shows_summaries_that_link_to_the_page(client, cast, settings):
    settings.SITE_URL = "https://dpa.example.gov"
    _notice(cast.applicant, 1)
    login(client, cast.applicant)

    html = client.get(reverse("notification-list")).content.decode()

    assert "My organization’s requests" in html  # the main menu
    assert '<a href="/portal/requests/1/" data-testid="notice-link">Summary number 1</a>' in html
    assert "Long body" not in html and "Do not reply" not in html


def test_filters_show_unread_notices_and_one_kind(client, cast):
    _notice(cast.applicant, 1, read=True)
    _notice(cast.applicant, 2)
    _notice(cast.applicant, 3, kind=NotificationKind.ORDER_RESPONSE)
    login(client, cast.applicant)

    def shown(query: str) -> list[str]:
        page = client.get(reverse("notification-list") + query)
        return [n.subject for n in page.context["page"].rows]

    assert shown("") == ["Summary number 3", "Summary number 2", "Summary number 1"]
    assert shown("?show=unread") == ["Summary number 3", "Summary number 2"]
    assert shown("?kind=order_response") == ["Summary number 3"]
    assert shown("?show=unread&kind=request_status") == ["Summary number 2"]
    # a kind that does not exist filters nothing and breaks nothing
    assert client.get(reverse("notification-list") + "?kind=nonsense").status_code == 200


def test_mark_all_read_marks_only_the_users_own_notices_once_and_returns_to_the_filtered_list(client, cast):
    mine = [_notice(cast.applicant, n) for n in range(3)]
    theirs = _notice(cast.applicant2, 9)
    login(client, cast.applicant)
    back = reverse("notification-list") + "?show=unread"

    response = client.post(reverse("notification-read-all"), {"next": back})

    assert (response.status_code, response["Location"]) == (302, back)
    assert Notification.objects.filter(pk__in=[n.pk for n in mine], read_at__isnull=True).count() == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None
    events = AuditEvent.objects.filter(action="notification.read_all")
    assert [(e.outcome, e.data["marked_read"]) for e in events] == [("success", 3)]
    # nothing left unread: no second event, and the button is gone
    client.post(reverse("notification-read-all"))
    assert AuditEvent.objects.filter(action="notification.read_all").count() == 1
    assert 'data-testid="mark-all-read"' not in client.get(reverse("notification-list")).content.decode()
    # an address elsewhere is never followed
    assert client.post(reverse("notification-read-all"), {"next": "https://evil.example/"})["Location"] == (
        reverse("notification-list")
    )


def test_mark_read_returns_to_the_list_as_filtered(client, cast):
    notice = _notice(cast.applicant, 1)
    login(client, cast.applicant)
    back = reverse("notification-list") + "?kind=request_status"

    response = client.post(reverse("notification-read", args=[notice.pk]), {"next": back})

    assert response["Location"] == back
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_a_portal_user_chooses_a_daily_digest_but_required_notices_are_not_a_choice(client, cast):
    login(client, cast.applicant)
    page = client.get(reverse("notification-preferences"))
    assert list(page.context["form"].fields) == [
        "request_status",
        "supplier_answers",
        "reminders",
        "overdue",
        "assistance",
    ]
    assert "Always e-mailed at once" in page.content.decode()

    choices = {name: "immediate" for name in page.context["form"].fields} | {"supplier_answers": "digest"}
    response = client.post(reverse("notification-preferences"), choices)

    assert response.status_code == 302
    assert list(NotificationPreference.objects.filter(user=cast.applicant).values_list("category", "delivery")) == [
        ("supplier_answers", "digest")
    ]
    # an answer outside the choices is refused and stores nothing
    bad = client.post(reverse("notification-preferences"), choices | {"supplier_answers": "weekly"})
    assert bad.status_code == 400
    assert NotificationPreference.objects.get(user=cast.applicant).delivery == "digest"


def test_a_request_notice_in_the_centre_opens_the_applicants_request_page(client, cast):
    rr = request_in_state(cast, RequestState.IN_REVIEW)
    login(client, cast.applicant)

    html = client.get(reverse("notification-list")).content.decode()

    assert (
        f'<a href="/portal/requests/{rr.pk}/" data-testid="notice-link">{rr.reference}: request in review</a>' in html
    )
    assert client.get(f"/portal/requests/{rr.pk}/").status_code == 200
