"""An authorization rests on exactly one basis: an approved request, or HHS's own contract when
HHS itself is the customer (45 CFR 101.32(a)(3), 101.30); an order rests on a request or an
authorization. The database refuses anything else."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from ratings.models import RatedOrder, RatingAuthorization
from tests.factories import place_orders
from tests.ratings.orders.test_placing import _authorized


@pytest.mark.parametrize("contract", ["", "75A50124C00001"])
def test_an_authorization_needs_exactly_one_basis(cast, contract):
    authorization = _authorized(cast)
    # Neither (no request, no contract) or both (request and contract) is refused.
    changed = {"rating_request": None} if contract == "" else {"hhs_contract": contract}
    with pytest.raises(IntegrityError, match="authorization_one_basis"), transaction.atomic():
        RatingAuthorization.objects.filter(pk=authorization.pk).update(**changed)
    assert RatingAuthorization.objects.filter(pk=authorization.pk, hhs_contract="").exists()


def test_an_order_needs_a_request_or_an_authorization(cast):
    authorization = _authorized(cast)
    assert authorization.is_hhs_customer is False
    assert authorization.basis_reference == authorization.rating_request.reference
    (order,) = place_orders(cast, authorization.rating_request)
    assert order.basis_reference == authorization.rating_request.reference
    with pytest.raises(IntegrityError, match="order_has_basis"), transaction.atomic():
        RatedOrder.objects.filter(pk=order.pk).update(source_request=None, authorization=None)
    # Either one alone is a basis.
    RatedOrder.objects.filter(pk=order.pk).update(source_request=None)
    order = RatedOrder.objects.get(pk=order.pk)
    assert order.basis_reference == authorization.rating_request.reference
