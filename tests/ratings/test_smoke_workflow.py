from audit import services as audit
from ratings.constants import RequestState
from tests.factories import request_in_state


def test_a_request_goes_from_draft_to_approved_and_the_chain_holds(cast):
    # given/when: the full happy path through the services
    rr = request_in_state(cast, RequestState.APPROVED)

    # then
    assert rr.state == RequestState.APPROVED
    assert rr.decided_by == cast.approver
    report = audit.verify_chain()
    assert report.ok is True
    assert report.checked == 5  # create (with its line items), submit, accept, recommend, approve
