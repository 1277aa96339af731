"""Supplier-reported capacity: what is asked, what is missing, and where open rated quantity
exceeds what a supplier said it can deliver."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.constants import Outcome
from dpa_portal.errors import PermissionRefused, ValidationFailed
from ratings.constants import RequestState
from ratings.models import CapacityReport, ItemFamily, ItemFamilyKey
from ratings.selectors.program import capacity
from ratings.selectors.program.concentration import Alert
from ratings.selectors.program.filters import ProgramFilters
from ratings.services.program.capacity import capacity_report_submit
from tests.factories import ProgramFactory
from tests.helpers import events_after, last_sequence
from tests.ratings.program.builders import Line, at, order, request
from tests.ratings.program.test_families_and_access import grant

pytestmark = pytest.mark.django_db
ALL = ProgramFilters.default()


@pytest.fixture
def asked(cast):
    cast.program.capacity_report_days = 30
    cast.program.save()
    gloves = ItemFamily.objects.create(name="Gloves")
    ItemFamilyKey.objects.create(family=gloves, key="pn:GLV100")
    rr = request(
        applicant=cast.manufacturer,
        contact=cast.applicant,
        program=cast.program,
        state=RequestState.ISSUED,
        submitted_at=at(2026, 1, 1),
        decided_at=at(2026, 1, 2),
    )
    order(source=rr, supplier=cast.supplier_org, lines=[Line("Gloves", "500", "box", part_number="GLV-100")])
    order(source=rr, supplier=cast.supplier_org2, lines=[Line("Gloves", "100", "box", part_number="GLV-100")])
    order(source=rr, supplier=cast.supplier_org2, lines=[Line("Unmapped", "7", part_number="X-1")])
    other = ProgramFactory(symbol="PX", name="Not asking")
    quiet = request(applicant=cast.manufacturer, contact=cast.applicant, program=other, state=RequestState.ISSUED)
    order(source=quiet, supplier=cast.supplier_org, lines=[Line("Gloves", "50", "box", part_number="GLV-100")])
    return gloves


def _report(cast, family, **overrides):
    values = dict(
        supplier=cast.supplier_org,
        actor=cast.supplier,
        program=cast.program,
        family=family,
        capacity="300",
        unit="box",
        lead_time_days="14",
    )
    return capacity_report_submit(**{**values, **overrides})


def test_reports_asked_of_suppliers_with_open_orders_of_mapped_families(cast, asked):
    expected = capacity.expected_reports(ALL)
    assert [(e.supplier, e.program, e.family, e.open_quantity, e.latest, e.missing) for e in expected] == [
        ("Filtra Corp", "HR", "Gloves", Decimal(500), None, True),
        ("PumpCo", "HR", "Gloves", Decimal(100), None, True),
    ]


def test_a_report_is_audited_and_counted_and_capacity_alerts_follow(cast, asked):
    start = last_sequence()
    report = _report(cast, asked)
    [event] = events_after(start)
    assert (event.action, event.outcome, event.organization_id, event.data) == (
        "capacity.report",
        Outcome.SUCCESS,
        cast.supplier_org.pk,
        {"program": "HR", "family": "Gloves", "capacity": "300", "unit": "box", "lead_time_days": 14},
    )
    expected = capacity.expected_reports(ALL)
    assert (expected[0].latest, expected[0].missing) == (report, False)
    assert capacity.capacity_alerts(expected) == [
        Alert(
            "Gloves (Filtra Corp, HR)",
            "beyond reported capacity",
            "Open rated quantity 500 box is more than the 300 box it reported it can deliver in 30 days "
            "(lead time 14 days).",
        ),
        Alert("Gloves (PumpCo, HR)", "capacity report missing", "No capacity report has been made."),
    ]


def test_a_report_older_than_the_interval_is_due_again(cast, asked):
    report = _report(cast, asked)
    CapacityReport.objects.filter(pk=report.pk).update(reported_at=timezone.now() - dt.timedelta(days=31))
    first = capacity.expected_reports(ALL)[0]
    assert first.missing and first.due_since is not None
    assert first.due_since <= timezone.now() - dt.timedelta(days=1)


def test_only_the_suppliers_contact_reports(cast, asked):
    start = last_sequence()
    with pytest.raises(PermissionRefused, match="Only a contact of the supplier"):
        _report(cast, asked, actor=cast.supplier2)
    assert CapacityReport.objects.count() == 0
    assert [(e.action, e.outcome) for e in events_after(start)] == [("capacity.report", Outcome.DENIED)]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [({"lead_time_days": "soon"}, "lead_time_days"), ({"capacity": "-5"}, "capacity"), ({"unit": ""}, "unit")],
)
def test_bad_input_is_a_field_error(cast, asked, overrides, field):
    with pytest.raises(ValidationFailed) as raised:
        _report(cast, asked, **overrides)
    assert raised.value.field == field and CapacityReport.objects.count() == 0


def test_a_program_that_does_not_ask_refuses_reports(cast, asked):
    with pytest.raises(ValidationFailed, match="does not ask for capacity reports"):
        _report(cast, asked, program=ProgramFactory(symbol="PX"))


def test_portal_page_lists_what_is_asked_and_takes_a_report(client, cast, asked):
    client.force_login(cast.supplier)
    page = client.get(reverse("portal:capacity")).content.decode()
    assert "Gloves" in page and "Report due" in page and "PumpCo" not in page  # only its own organization
    response = client.post(
        reverse("portal:capacity"),
        {
            "supplier": cast.supplier_org.pk,
            "program": cast.program.pk,
            "family": asked.pk,
            "capacity": "800",
            "unit": "box",
            "lead_time_days": "10",
        },
    )
    assert response.status_code == 302
    assert CapacityReport.objects.get().capacity == Decimal(800)
    refused = client.post(
        reverse("portal:capacity"),
        {
            "supplier": cast.supplier_org2.pk,
            "program": cast.program.pk,
            "family": asked.pk,
            "capacity": "1",
            "unit": "box",
            "lead_time_days": "1",
        },
    )
    assert refused.status_code == 200 and CapacityReport.objects.count() == 1  # not its organization


def test_the_concentration_page_shows_capacity_and_missing_reports(client, cast, asked):
    _report(cast, asked)
    client.force_login(grant(cast.reviewer))
    html = client.get(reverse("admin:program_concentration")).content.decode()
    assert 'data-table="capacity-reports"' in html
    assert "beyond reported capacity" in html and "capacity report missing" in html


def test_the_supplier_page_shows_its_capacity_reports(client, cast, asked):
    _report(cast, asked)
    client.force_login(grant(cast.reviewer))
    html = client.get(reverse("admin:program_supplier", args=[cast.supplier_org.pk])).content.decode()
    assert 'data-table="capacity-reports"' in html and "300 box" in html and "up to date" in html
