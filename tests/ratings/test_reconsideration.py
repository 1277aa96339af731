"""Reconsideration of a denial (15 CFR 700.80-700.81 model; HRPAS numbering and period
unconfirmed: settings.RECONSIDERATION_PERIOD_WORKING_DAYS): asked within the period with new
information, decided and signed by an approving official other than the one who decided."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from dpa_portal.errors import InvalidState, PermissionRefused, ValidationFailed
from ratings.clock import reconsideration_due
from ratings.constants import RequestState
from ratings.models import RatingRequest, Reconsideration
from ratings.services.requests import reconsideration as rc
from tests.factories import PASSWORD, member, otp, request_in_state


def denied(cast) -> RatingRequest:
    return request_in_state(cast, RequestState.DENIED)


def second_official(cast):
    return member(cast.hhs, "approving_official", approval_level="DO", first_name="Olga", last_name="Other")


def test_700_80_the_applicant_asks_within_the_period_and_another_official_grants(cast, client):
    rr = denied(cast)
    decider = rr.decided_by
    client.force_login(cast.applicant)
    page = client.get(f"/portal/requests/{rr.pk}/").content.decode()
    assert "Ask for reconsideration" in page
    response = client.post(f"/portal/requests/{rr.pk}/reconsider/", {"grounds": "A new FDA contract needs it."})
    assert response.status_code == 302
    asked = Reconsideration.objects.get()
    assert (asked.asked_by, asked.original_decider, asked.outcome) == (cast.applicant, decider, "")

    # the official who denied it may not reconsider it
    with pytest.raises(PermissionRefused, match="another approving official"):
        rc.rating_request_reconsideration_decide(
            rating_request=rr, actor=decider, outcome="granted", reason="Fine.", password=PASSWORD, otp=otp(decider)
        )
    other = second_official(cast)
    rr = rc.rating_request_reconsideration_decide(
        rating_request=RatingRequest.objects.get(pk=rr.pk),
        actor=other,
        outcome="granted",
        reason="The new contract shows the need.",
        password=PASSWORD,
        otp=otp(other),
    )

    assert rr.state == RequestState.IN_REVIEW
    decided = Reconsideration.objects.get()
    assert (decided.outcome, decided.decided_by, decided.meaning) == (
        "granted",
        other,
        "Reconsidered: the denial is set aside and the request reviewed again",
    )
    events = AuditEvent.objects.filter(
        reference=rr.reference, outcome="success", action__startswith="rating_request.reconsideration"
    )
    assert list(events.order_by("sequence").values_list("action", "to_state")) == [
        ("rating_request.reconsideration_ask", "denied"),
        ("rating_request.reconsideration_decide", "in_review"),
    ]


def test_700_80_an_upheld_denial_stands_and_the_signature_is_checked(cast):
    rr = denied(cast)
    rc.rating_request_reconsideration_ask(rating_request=rr, actor=cast.applicant, grounds="New quote attached.")
    other = second_official(cast)
    with pytest.raises(PermissionRefused):
        rc.rating_request_reconsideration_decide(
            rating_request=rr, actor=other, outcome="upheld", reason="No.", password="wrong"
        )
    assert Reconsideration.objects.get().outcome == ""
    rr = rc.rating_request_reconsideration_decide(
        rating_request=rr, actor=other, outcome="upheld", reason="Still no need.", password=PASSWORD, otp=otp(other)
    )
    assert (rr.state, Reconsideration.objects.get().outcome) == (RequestState.DENIED, "upheld")


def test_700_80_reconsideration_after_the_period_is_refused(cast, settings):
    rr = denied(cast)
    RatingRequest.objects.filter(pk=rr.pk).update(decided_at=rr.decided_at - dt.timedelta(days=90))
    settings.RECONSIDERATION_PERIOD_WORKING_DAYS = 30
    with pytest.raises(ValidationFailed, match="that time has passed"):
        rc.rating_request_reconsideration_ask(
            rating_request=RatingRequest.objects.get(pk=rr.pk), actor=cast.applicant, grounds="Late news."
        )
    assert not Reconsideration.objects.exists()


def test_only_a_denial_is_reconsidered_by_its_applicant(cast):
    with pytest.raises(InvalidState):
        rc.rating_request_reconsideration_ask(
            rating_request=request_in_state(cast, RequestState.SUBMITTED), actor=cast.applicant, grounds="x"
        )
    rr = denied(cast)
    with pytest.raises(PermissionRefused):
        rc.rating_request_reconsideration_ask(rating_request=rr, actor=cast.applicant2, grounds="x")
    with pytest.raises(ValidationFailed) as error:
        rc.rating_request_reconsideration_ask(rating_request=rr, actor=cast.applicant, grounds="  ")
    assert error.value.field == "grounds"


def test_the_applicants_list_and_page_say_a_denial_may_be_reconsidered_until_when_then_who_acts(cast, client, settings):
    rr = denied(cast)
    client.force_login(cast.applicant)

    def said() -> tuple[str, str]:
        (row,) = [r for r in client.get("/portal/requests/").context["rows"] if r["rr"].pk == rr.pk]
        return row["next_action"], client.get(f"/portal/requests/{rr.pk}/").context["next_action"]

    # within the period: the applicant may ask, and is told until when (the agency's date)
    by = timezone.localtime(reconsideration_due(decided_at=rr.decided_at)).date().isoformat()
    assert said() == (f"You may ask HHS to reconsider, by {by}",) * 2
    # asked: HHS acts next
    rc.rating_request_reconsideration_ask(rating_request=rr, actor=cast.applicant, grounds="New quote attached.")
    assert said() == ("HHS: reconsideration",) * 2
    # upheld: the applicant may ask again with new information while the period lasts (as the
    # service allows); once it is over, nothing is left to do
    other = second_official(cast)
    rc.rating_request_reconsideration_decide(
        rating_request=rr, actor=other, outcome="upheld", reason="Still no need.", password=PASSWORD, otp=otp(other)
    )
    assert said() == (f"You may ask HHS to reconsider, by {by}",) * 2
    settings.RECONSIDERATION_PERIOD_WORKING_DAYS = 30
    late = denied(cast)
    RatingRequest.objects.filter(pk=late.pk).update(decided_at=timezone.now() - dt.timedelta(days=90))
    rr = late
    assert said() == ("None",) * 2
