"""Two contacts of the same supplier answer at the same moment: one answer wins, the other is
refused as a wrong-state error (the order row is locked while an answer is written)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from dpa_portal.errors import ApplicationError, InvalidState
from ratings.constants import OrderStatus, RejectionReason, RequestState, Role
from ratings.models import RatedOrder, SupplierResponse
from ratings.services.suppliers import responses as sr
from tests.factories import make_cast, member, request_in_state

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_accept_and_reject_record_exactly_one_answer():
    cast = make_cast()
    colleague = member(cast.supplier_org, Role.SUPPLIER_CONTACT)
    order = request_in_state(cast, RequestState.ISSUED).rated_orders.get()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def answer(kind: str) -> None:
        try:
            barrier.wait()
            if kind == "accept":
                sr.rated_order_accept(order=order, actor=cast.supplier)
            else:
                sr.rated_order_reject(
                    order=order,
                    actor=colleague,
                    reason_code=RejectionReason.NOT_SUPPLIED,
                    explanation="We no longer make this model.",
                )
            outcomes.append(kind)
        except InvalidState:
            outcomes.append("refused")
        except ApplicationError as error:  # pragma: no cover - shown if it ever happens
            outcomes.append(f"unexpected {error}")
        finally:
            connection.close()

    threads = [threading.Thread(target=answer, args=(kind,)) for kind in ("accept", "reject")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) in (["accept", "refused"], ["refused", "reject"])
    status = RatedOrder.objects.get(pk=order.pk).status
    assert SupplierResponse.objects.count() == 1
    assert (
        status == {"accept": OrderStatus.ACCEPTED, "reject": OrderStatus.REJECTED}[SupplierResponse.objects.get().kind]
    )
