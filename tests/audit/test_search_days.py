"""The auditor's date range is of the agency's days, as the workspace shows every time."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone

from audit import services


def _sequences(client, **params) -> list[int]:
    response = client.get(reverse("audit:search"), params)
    assert response.status_code == 200
    return [event.sequence for event in response.context["page"].events]


def test_an_evening_event_is_found_on_its_agency_day_not_the_utc_one(client, cast, settings, monkeypatch):
    settings.AGENCY_TIME_ZONE = "America/New_York"
    evening = dt.datetime(2026, 12, 2, 20, 30, tzinfo=ZoneInfo("America/New_York"))  # 01:30 UTC on the 3rd
    monkeypatch.setattr(timezone, "now", lambda: evening.astimezone(dt.UTC))
    event = services.record(action="x.note", actor=cast.applicant, reason="Late work")
    monkeypatch.undo()
    client.force_login(cast.auditor)

    assert event.sequence in _sequences(client, date_from="2026-12-02", date_to="2026-12-02", q="Late work")
    assert _sequences(client, date_from="2026-12-03", date_to="2026-12-03", q="Late work") == []
    assert _sequences(client, date_to="2026-12-01", q="Late work") == []


def test_a_from_date_after_the_to_date_is_told_in_the_forms_words(client, cast):
    client.force_login(cast.auditor)

    response = client.get(reverse("audit:search"), {"date_from": "2026-12-05", "date_to": "2026-12-01"})

    assert response.status_code == 400
    assert "The From date (2026-12-05) is after the To date (2026-12-01): choose a From date on or before it." in (
        response.content.decode()
    )
