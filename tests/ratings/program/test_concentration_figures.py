"""Concentration figures against values computed by hand on hand-built open rated orders."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ratings.constants import OrderStatus, RequestState
from ratings.models import ItemFamily, ItemFamilyKey, Organization
from ratings.selectors.program import concentration as conc
from ratings.selectors.program.concentration import Alert, Holding
from ratings.selectors.program.filters import ProgramFilters
from tests.factories import OrganizationFactory
from tests.ratings.program.builders import Line, at, order, request

pytestmark = pytest.mark.django_db

ALL = ProgramFilters.default()


def _supplier(name: str, country: str) -> Organization:
    return OrganizationFactory(supplier=True, legal_name=name, short_name=name, manufacturing_country=country)


@pytest.fixture
def market(cast, settings):
    settings.PROGRAM_SUPPLIER_LOAD_SHARE_PERCENT = 30
    family = ItemFamily.objects.create(name="Nitrile gloves")
    ItemFamilyKey.objects.create(family=family, key="pn:GLV100")
    ItemFamilyKey.objects.create(family=family, key="desc:nitrile exam glove")
    a, b, c = _supplier("Alpha", "US"), _supplier("Beta", "MY"), _supplier("Gamma", "MY")
    rr = request(
        applicant=cast.manufacturer,
        contact=cast.applicant,
        program=cast.program,
        state=RequestState.ISSUED,
        submitted_at=at(2026, 1, 1),
        decided_at=at(2026, 1, 2),
    )
    # The same family written three ways: 50 / 30 / 20 boxes.
    order(source=rr, supplier=a, lines=[Line("Gloves", "50", "box", part_number="glv 100")])
    order(source=rr, supplier=b, lines=[Line("Exam gloves", "30", "box", part_number="GLV-100")], status="issued")
    order(source=rr, supplier=c, lines=[Line("Nitrile  Exam Glove", "20", "box")])
    # The same family in another unit: a row of its own, single source.
    order(source=rr, supplier=b, lines=[Line("Gloves", "10", "case", part_number="GLV100")])
    # An unmapped item of one supplier.
    order(source=rr, supplier=a, lines=[Line("Filtration skid", "4", part_number="SKD-1")])
    # Not open: never counted.
    order(
        source=rr, supplier=c, lines=[Line("Gloves", "100", "box", part_number="GLV100")], status=OrderStatus.CANCELLED
    )
    order(
        source=rr, supplier=c, lines=[Line("Gloves", "100", "box", part_number="GLV100")], status=OrderStatus.FULFILLED
    )
    order(
        source=rr, supplier=c, lines=[Line("Gloves", "100", "box", part_number="GLV100")], status=OrderStatus.REJECTED
    )
    return {"a": a, "b": b, "c": c, "rr": rr}


def test_shares_by_supplier_and_country_and_hhi(market):
    families = {(f.name, f.unit): f for f in conc.families(ALL)}
    gloves = families[("Nitrile gloves", "box")]
    assert gloves.mapped and gloves.total == Decimal(100)
    assert [(h.label, h.quantity, h.share) for h in gloves.suppliers] == [
        ("Alpha", Decimal(50), 50.0),
        ("Beta", Decimal(30), 30.0),
        ("Gamma", Decimal(20), 20.0),
    ]
    # 50^2 + 30^2 + 20^2 = 2,500 + 900 + 400 = 3,800: above 1,800, highly concentrated.
    assert gloves.supplier_hhi == pytest.approx(3800)
    assert gloves.level == conc.HIGHLY
    # By country of manufacturing site: US 50, MY 30 + 20 = 50 -> 2,500 + 2,500 = 5,000.
    assert [(h.key, h.share) for h in gloves.countries] == [("MY", 50.0), ("US", 50.0)]
    assert gloves.country_hhi == pytest.approx(5000)
    assert not gloves.single_source


def test_single_source_items_and_the_order_of_families(market):
    found = conc.families(ALL)
    assert [(f.name, f.unit, round(f.supplier_hhi), f.single_source) for f in found] == [
        ("Nitrile gloves", "case", 10000, True),
        ("SKD-1", "each", 10000, True),
        ("Nitrile gloves", "box", 3800, False),
    ]
    assert found[1].suppliers == [Holding(str(market["a"].pk), "Alpha", Decimal(4), 100.0)]
    assert not found[1].mapped


def test_thresholds_come_from_settings(market, settings):
    settings.PROGRAM_HHI_HIGHLY_CONCENTRATED = 4000
    gloves = next(f for f in conc.families(ALL) if f.unit == "box")
    assert gloves.level == conc.MODERATELY  # 3,800: from 1,000, not above 4,000
    settings.PROGRAM_HHI_MODERATELY_CONCENTRATED = 3900
    assert gloves.level == conc.UNCONCENTRATED


def test_supplier_load_shares_and_flags(market):
    # Open orders: Alpha 2 (gloves, skid), Beta 2 (gloves box, gloves case), Gamma 1 -> 40 / 40 / 20 %;
    # the limit is 30 %.
    loads = conc.supplier_loads(ALL)
    assert [(load.supplier, load.open_orders, load.share, load.flagged) for load in loads] == [
        ("Alpha", 2, 40.0, True),
        ("Beta", 2, 40.0, True),
        ("Gamma", 1, 20.0, False),
    ]


def test_alert_list_with_reasons(market):
    result = conc.concentration(ALL)
    assert result.alerts == [
        Alert("Nitrile gloves (case)", "single source", "Beta holds all open rated quantity (10 case), made in MY."),
        Alert("SKD-1 (each)", "single source", "Alpha holds all open rated quantity (4 each), made in US."),
        Alert(
            "Nitrile gloves (box)",
            "supplier concentration",
            "HHI 3,800 by supplier is above 1,800 (highly concentrated, 2023 Merger Guidelines); Alpha holds 50.0%.",
        ),
        Alert(
            "Nitrile gloves (box)",
            "country concentration",
            "HHI 5,000 by country of manufacturing site is above 1,800; MY makes 50.0%.",
        ),
        Alert(
            "Alpha",
            "supplier load",
            "Holds 2 of the open rated orders (40.0%), more than the 30% set for one supplier.",
        ),
        Alert(
            "Beta", "supplier load", "Holds 2 of the open rated orders (40.0%), more than the 30% set for one supplier."
        ),
    ]


def test_program_filter(market, cast):
    other = ProgramFilters(start=ALL.start, end=ALL.end, program_id=cast.program.pk + 1000)
    assert conc.concentration(other).families == []


def test_query_count_does_not_grow_with_orders(market):
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            conc.concentration(ALL)
        return len(captured)

    before = count()
    for n in range(25):
        order(
            source=market["rr"], supplier=market["c"], lines=[Line("Gloves", str(n + 1), "box", part_number="GLV100")]
        )
    assert count() == before == 3
