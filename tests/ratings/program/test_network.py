"""The supply network: tiers from flow-down, edges with quantities, due dates and marks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from ratings.constants import OrderStatus, RequestState
from ratings.models import ItemFamily, ItemFamilyKey
from ratings.selectors.program import network
from ratings.selectors.program.filters import ProgramFilters
from tests.factories import OrganizationFactory
from tests.ratings.program.builders import Line, at, order, request

pytestmark = pytest.mark.django_db
ALL = ProgramFilters.default()


@pytest.fixture
def chain(cast):
    rr = request(
        applicant=cast.manufacturer,
        contact=cast.applicant,
        program=cast.program,
        state=RequestState.ISSUED,
        submitted_at=at(2026, 1, 1),
        decided_at=at(2026, 1, 2),
    )
    membrana = OrganizationFactory(supplier=True, legal_name="Membrana", manufacturing_country="DE")
    resina = OrganizationFactory(supplier=True, legal_name="Resina", manufacturing_country="CN")
    skid = order(
        source=rr, supplier=cast.supplier_org, lines=[Line("Skid", "4", part_number="SKD-1", due=dt.date(2099, 3, 1))]
    )
    second_skid = order(
        source=rr, supplier=cast.supplier_org, lines=[Line("Skid", "2", part_number="SKD-1", due=dt.date(2099, 2, 1))]
    )
    membrane = order(
        source=rr,
        placing=cast.supplier_org,
        parent=skid,
        supplier=membrana,
        lines=[Line("Membrane", "40", "m2", due=dt.date(2099, 1, 15))],
        status=OrderStatus.ISSUED,
        response_due_at=timezone.now() - dt.timedelta(days=1),
    )
    order(
        source=rr,
        placing=membrana,
        parent=membrane,
        supplier=resina,
        lines=[Line("Resin", "500", "kg", due=dt.date(2099, 1, 1))],
        status=OrderStatus.REJECTED,
    )
    pump = order(source=rr, supplier=cast.supplier_org2, lines=[Line("Pump", "1", part_number="P-8")])
    order(source=rr, supplier=cast.supplier_org2, lines=[Line("Pump", "9")], status=OrderStatus.CANCELLED)
    order(source=rr, supplier=cast.supplier_org2, lines=[Line("Pump", "5")], status=OrderStatus.FULFILLED)
    return {"skid": skid, "second": second_skid, "membrana": membrana, "resina": resina, "pump": pump}


def test_tiers_and_edges_from_flow_down(cast, chain):
    net = network.supply_network(ALL)
    assert [(n.name, n.tier) for n in net.nodes] == [
        ("Acme Vaccines", 0),
        ("Filtra Corp", 1),
        ("PumpCo", 1),
        ("Membrana", 2),
        ("Resina", 3),
    ]
    rows = [
        (net.name(e.source_id), net.name(e.target_id), len(e.orders), e.quantity_text, e.due, e.overdue, e.rejected)
        for e in net.edges
    ]
    assert rows == [
        ("Acme Vaccines", "Filtra Corp", 2, "6 each", dt.date(2099, 2, 1), 0, 0),
        (
            "Acme Vaccines",
            "PumpCo",
            1,
            "1 each",
            dt.date(2099, 1, 1),
            0,
            0,
        ),  # cancelled and fulfilled orders are left out
        ("Filtra Corp", "Membrana", 1, "40 m2", dt.date(2099, 1, 15), 1, 0),  # answer past due
        ("Membrana", "Resina", 1, "500 kg", dt.date(2099, 1, 1), 0, 1),
    ]


def test_a_family_shows_its_orders_and_everything_flowed_down(cast, chain):
    family = ItemFamily.objects.create(name="Filtration skids")
    ItemFamilyKey.objects.create(family=family, key="pn:SKD1")
    net = network.supply_network(ALL, family="Filtration skids")
    assert [n.name for n in net.nodes] == ["Acme Vaccines", "Filtra Corp", "Membrana", "Resina"]
    assert net.edges[0].quantities == {"each": Decimal(6)}
    # An unmapped item is found by its part number as written.
    assert [n.name for n in network.supply_network(ALL, family="P-8").nodes] == ["Acme Vaccines", "PumpCo"]


def test_supplier_orders_in_precedence_with_conflicts(cast, chain):
    held = network.supplier_orders(cast.supplier_org)
    # Both accepted, DO: the earlier required date first.
    assert [o.pk for o in held.orders] == [chain["second"].pk, chain["skid"].pk]
    assert held.conflicts == set()  # same item, different dates
    same_day = order(
        source=chain["skid"].source_request,
        supplier=cast.supplier_org,
        lines=[Line("Skid", "1", part_number="skd 1", due=dt.date(2099, 3, 1))],
    )
    assert network.supplier_orders(cast.supplier_org).conflicts == {chain["skid"].pk, same_day.pk}
