from audit import services as audit
from ratings.constants import RequestState
from tests.factories import request_in_state


def test_a_request_goes_from_draft_to_issued_and_the_chain_holds(cast):
    # given/when: the full happy path through the services (approval signs the authorization, the
    # authorized signer places the rated order)
    rr = request_in_state(cast, RequestState.ISSUED)

    # then
    assert rr.state == RequestState.ISSUED
    assert rr.decided_by == cast.approver
    report = audit.verify_chain()
    assert report.ok is True
    # create (with its line items), submit, accept, recommend, rating_authorization.issue, approve, rated_order.place
    assert report.checked == 7
