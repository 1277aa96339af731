"""Special priorities assistance through the API (15 CFR 700.50-700.55): the manufacturer opens
a case from an order it placed, HHS works the queue, both parties answer; who sees a case and
who may take each step are the portal's rules, every step audited, a refusal changes nothing."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from audit.models import AuditEvent
from ratings.constants_assistance import AssistanceStatus
from ratings.models import AssistanceCase, AssistanceEntry
from ratings.services.assistance import cases
from tests.ratings.api.test_requests_api import client_for
from tests.ratings.casework import later, open_case, rejected_with_offer

PROBLEM = "application/problem+json"
CASES = "/api/v1/assistance-cases/"


def opening(order_number: str, **overrides) -> dict:
    body = {
        "order": order_number,
        "problem": "rejected",
        "urgency": "urgent",
        "tried": "Called the plant twice.",
        "impact": "The fill line stops in March.",
        "needed_dates": [later(60).isoformat()],
    }
    body.update(overrides)
    return body


def named(problem: dict) -> str:
    """The input a 400 problem names: the service's `field`, or the one field of the parser's `errors`."""
    return problem.get("field") or "".join(problem.get("errors", {}))


def state() -> tuple:
    return (
        list(AssistanceCase.objects.order_by("pk").values_list("reference", "status", "version")),
        AssistanceEntry.objects.count(),
        AuditEvent.objects.filter(outcome="success").count(),
    )


def step(client: APIClient, case: AssistanceCase, name: str, body: dict):
    etag = client.get(f"{CASES}{case.reference}/")["ETag"]
    return client.post(f"{CASES}{case.reference}/{name}/", body, format="json", HTTP_IF_MATCH=etag)


def test_the_manufacturer_opens_a_case_from_a_rejected_order(cast):
    order = rejected_with_offer(cast)

    response = client_for(cast.applicant).post(CASES, opening(order.order_number), format="json")

    assert response.status_code == 201, response.content
    case = AssistanceCase.objects.get()
    assert response["Location"] == f"http://testserver{CASES}{case.reference}/"
    body = response.json()
    assert {key: body[key] for key in ("reference", "status", "order_number", "problem", "urgency")} == {
        "reference": case.reference,
        "status": "open",
        "order_number": order.order_number,
        "problem": "rejected",
        "urgency": "urgent",
    }
    assert (body["placing_organization"], body["supplier"], body["case_officer"]) == (
        cast.manufacturer.legal_name,
        cast.supplier_org.legal_name,
        None,
    )
    assert body["needed_dates"] == [later(60).isoformat()]
    assert [entry["kind"] for entry in body["entries"]] == ["opened"]
    event = AuditEvent.objects.get(action="assistance_case.open")
    assert (event.outcome, event.actor, event.reference) == ("success", cast.applicant, case.reference)
    assert event.data["credential"].startswith("api_token:")


def test_a_case_missing_what_the_rule_requires_or_not_the_placing_partys_is_refused_and_nothing_changes(cast):
    order = rejected_with_offer(cast)
    before = state()
    applicant = client_for(cast.applicant)

    wrong_problem = applicant.post(CASES, opening(order.order_number, problem="late_delivery"), format="json")
    no_tried = applicant.post(CASES, opening(order.order_number, tried="   "), format="json")
    past = applicant.post(CASES, opening(order.order_number, needed_dates=["2020-01-01"]), format="json")
    unknown = applicant.post(CASES, opening("RO-1999-99999"), format="json")
    by_supplier = client_for(cast.supplier).post(CASES, opening(order.order_number), format="json")

    assert [(r.status_code, named(r.json())) for r in (wrong_problem, no_tried, past, unknown)] == [
        (400, "problem"),
        (400, "tried"),
        (400, "needed_dates"),
        (400, "order"),
    ]
    assert (by_supplier.status_code, by_supplier["Content-Type"]) == (403, PROBLEM)
    denied = AuditEvent.objects.get(action="assistance_case.open", outcome="denied")
    assert denied.actor == cast.supplier
    assert state() == before


def test_the_parties_and_hhs_see_a_case_nobody_else_does(cast):
    case = open_case(cast)
    url = f"{CASES}{case.reference}/"

    seen = {
        name: [c["reference"] for c in client_for(getattr(cast, name)).get(CASES).json()["results"]]
        for name in ("applicant", "supplier", "intake", "auditor", "applicant2", "supplier2", "hhsadmin")
    }

    assert seen == {
        "applicant": [case.reference],
        "supplier": [case.reference],
        "intake": [case.reference],
        "auditor": [case.reference],
        "applicant2": [],
        "supplier2": [],
        "hhsadmin": [],
    }
    assert client_for(cast.applicant2).get(url).status_code == 404
    assert client_for(cast.supplier).get(url).json()["tried"] == "Called the plant twice."


def test_hhs_works_the_queue_and_both_parties_answer(cast):
    case = open_case(cast)
    intake, officer = client_for(cast.intake), client_for(cast.reviewer)

    queue = intake.get(f"{CASES}?status=open").json()["results"]
    taken = step(intake, case, "take", {"case_officer": cast.reviewer.pk})
    asked = step(officer, case, "ask", {"party": "supplier", "question": "When can you ship?"})
    answered = step(client_for(cast.supplier), case, "answer", {"answer": "In April."})
    acted = step(officer, case, "record-action", {"action": "Called both parties; April agreed."})
    closed = step(officer, case, "close", {"outcome": "agreement", "reason": "Delivery rescheduled to April."})

    assert [c["reference"] for c in queue] == [case.reference]
    assert [r.status_code for r in (taken, asked, answered, acted, closed)] == [200] * 5
    assert taken.json()["case_officer"] == cast.reviewer.printed_name
    body = closed.json()
    assert (body["status"], body["outcome"], body["outcome_reason"]) == (
        AssistanceStatus.CLOSED,
        "agreement",
        "Delivery rescheduled to April.",
    )
    assert [(e["kind"], e["printed_name"]) for e in body["entries"]] == [
        ("opened", cast.applicant.printed_name),
        ("taken", cast.intake.printed_name),
        ("question", cast.reviewer.printed_name),
        ("answer", cast.supplier.printed_name),
        ("action", cast.reviewer.printed_name),
        ("closed", cast.reviewer.printed_name),
    ]
    actions = AuditEvent.objects.filter(reference=case.reference).order_by("sequence").values_list("action", flat=True)
    assert list(actions) == [
        "assistance_case.open",
        "assistance_case.take",
        "assistance_case.ask",
        "assistance_case.answer",
        "assistance_case.record_action",
        "assistance_case.close",
    ]
    assert intake.get(f"{CASES}?status=open").json()["results"] == []


def test_a_step_by_someone_the_rule_refuses_or_on_a_stale_etag_changes_nothing(cast):
    case = cases.assistance_case_take(case=open_case(cast), actor=cast.intake, case_officer=cast.reviewer)
    waiting = open_case(cast)
    url = f"{CASES}{case.reference}/record-action/"
    before = state()

    not_the_officer = step(client_for(cast.reviewer2), case, "close", {"outcome": "agreement", "reason": "Done."})
    a_party = step(client_for(cast.applicant), case, "ask", {"party": "supplier", "question": "When?"})
    stale = client_for(cast.reviewer).post(url, {"action": "Called."}, format="json", HTTP_IF_MATCH='"old"')
    unconditional = client_for(cast.reviewer).post(url, {"action": "Called."}, format="json")
    party_as_officer = step(client_for(cast.intake), waiting, "take", {"case_officer": cast.applicant.pk})
    taken_again = step(client_for(cast.intake), case, "take", {"case_officer": cast.reviewer.pk})

    assert [r.status_code for r in (not_the_officer, a_party, stale, unconditional)] == [403, 403, 412, 428]
    assert (party_as_officer.status_code, named(party_as_officer.json())) == (400, "case_officer")
    assert (taken_again.status_code, taken_again["Content-Type"]) == (409, PROBLEM)
    denied = AuditEvent.objects.filter(outcome="denied", reference=case.reference).order_by("sequence")
    assert [(e.action, e.actor) for e in denied] == [
        ("assistance_case.close", cast.reviewer2),
        ("assistance_case.ask", cast.applicant),
    ]
    assert state() == before


def test_the_case_list_costs_the_same_queries_whatever_the_page_size(cast):
    open_case(cast), open_case(cast)
    counts = {}
    for name in ("applicant", "intake"):
        client = client_for(getattr(cast, name))
        client.get("/api/v1/programs/")  # the token's first use of the minute records when it was used
        for size in (1, 2):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(CASES, {"page_size": size})
            assert len(response.json()["results"]) == size
            counts.setdefault(name, set()).add(len(queries))

    assert {name: len(sizes) for name, sizes in counts.items()} == {"applicant": 1, "intake": 1}
