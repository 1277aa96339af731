"""Random sequences of transitions by random people: the state stays on the graph and the audit
chain stays intact after every step."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from audit import services as audit
from dpa_portal.errors import ApplicationError
from ratings.constants import WITHDRAWABLE_STATES, RatingLevel, RequestState
from ratings.models import RatingRequest
from ratings.services.requests import workflow
from tests.factories import CHECKLIST_ALL_TRUE, PASSWORD, draft_request

S = RequestState

# The request workflow: action -> (source states, target state).
GRAPH: dict[str, tuple[set[str], str]] = {
    "submit": ({S.DRAFT}, S.SUBMITTED),
    "accept_for_review": ({S.SUBMITTED}, S.IN_REVIEW),
    "request_information": ({S.IN_REVIEW}, S.INFO_REQUESTED),
    "respond": ({S.INFO_REQUESTED}, S.IN_REVIEW),
    "recommend": ({S.IN_REVIEW}, S.RECOMMENDED),
    "return_for_rework": ({S.RECOMMENDED}, S.IN_REVIEW),
    "approve": ({S.RECOMMENDED}, S.ISSUED),
    "deny": ({S.RECOMMENDED}, S.DENIED),
    "withdraw": (set(WITHDRAWABLE_STATES), S.WITHDRAWN),
}
ACTORS = ["applicant", "applicant2", "supplier", "intake", "reviewer", "reviewer2", "approver", "secretary"]
ACTORS += ["hhsadmin", "auditor"]


def _inputs(action: str, cast: Any, actor: Any, variant: int) -> dict[str, Any]:
    reviewer = cast.reviewer if variant % 2 else cast.reviewer2
    blank = variant % 5 == 0  # now and then a missing reason/question/rationale
    text = "" if blank else "Because."
    return {
        "submit": {"attestation": workflow.Attestation(actor.printed_name, not blank)},
        "accept_for_review": {"reviewer": reviewer},
        "request_information": {"question": text},
        "respond": {"response": text},
        "recommend": {"outcome": "approve", "rationale": text, "checklist": CHECKLIST_ALL_TRUE},
        "return_for_rework": {"reason": text},
        "approve": {"password": "" if blank else PASSWORD, "reason": text},
        "deny": {"reason": text},
        "withdraw": {"reason": text},
    }[action]


RIGHT_ACTOR = {
    "submit": "applicant",
    "accept_for_review": "intake",
    "request_information": "reviewer",
    "respond": "applicant",
    "recommend": "reviewer",
    "return_for_rework": "approver",
    "approve": "approver",
    "deny": "secretary",
    "withdraw": "applicant",
}


@settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(level=st.sampled_from([RatingLevel.DO, RatingLevel.DX]), data=st.data())
def test_random_transitions_keep_the_state_legal_and_the_chain_intact(cast, level, data):
    # given: a fresh draft (the cast is shared by the examples; each example has its own request)
    rr = draft_request(cast, level=level)
    state, version = S.DRAFT, rr.version

    for _ in range(data.draw(st.integers(min_value=3, max_value=14), label="length")):
        # Mostly actions the graph allows now, by the role that takes them, so runs go deep;
        # the rest anything by anyone.
        # (withdraw, legal almost everywhere, would end most runs early, so it comes off-graph)
        legal = [name for name, (sources, _) in GRAPH.items() if state in sources and name != "withdraw"]
        legal = legal or list(GRAPH)
        anything = data.draw(st.integers(min_value=0, max_value=3), label="off-graph") == 3
        action = data.draw(st.sampled_from(list(GRAPH) if anything else legal), label="action")
        anyone = data.draw(st.integers(min_value=0, max_value=3), label="any actor") == 3
        who = data.draw(st.sampled_from(ACTORS) if anyone else st.just(RIGHT_ACTOR[action]), label="actor")
        variant = data.draw(st.integers(min_value=0, max_value=9), label="variant")
        actor = getattr(cast, who)
        # when
        try:
            workflow.TRANSITION_SERVICES[action](
                rating_request=rr, actor=actor, expected_version=version, **_inputs(action, cast, actor, variant)
            )
        except ApplicationError:
            succeeded = False
        else:
            succeeded = True

        # then: the state moved along the graph or not at all, and the chain verifies
        stored = RatingRequest.objects.get(pk=rr.pk)
        sources, target = GRAPH[action]
        if succeeded:
            assert state in sources
            assert stored.state == target
            assert stored.version == version + 1
        else:
            assert (stored.state, stored.version) == (state, version)
        state, version = stored.state, stored.version
        assert state in S.values
        if state == S.ISSUED:
            assert stored.decided_by_id not in {stored.recommended_by_id, stored.assigned_reviewer_id}
            assert level == RatingLevel.DO or stored.decided_by == cast.secretary
        assert audit.verify_chain().ok is True
    event(f"final state: {state}")
