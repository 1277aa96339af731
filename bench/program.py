"""Benchmark of the program view (run by `make bench`; not part of the test run).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dpa_bench .venv/bin/python bench/program.py --orders 100000

Builds a throw-away PostgreSQL database with N rated orders (half as many requests, a year of
submissions over three programs, answers, items in mapped families) and prints, for the
dashboard and for the concentration page, the time of the whole page (the admin view through
Django's test client: access check, selectors, tables, SVG, template) against the floor measured
in the same run: the page's own aggregate SQL, captured from its selectors and run directly on
the same connection. The goal is at most 2x the floor. Exit status 1 when a goal is missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dpa_portal.settings.test")

import django

django.setup()

from django.contrib.auth.models import Permission  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user  # noqa: E402

from ratings.admin.program.tables import concentration_data, dashboard_data  # noqa: E402
from ratings.constants import OrderStatus, RequestState, Role, SupplierNoticeKind, SupplierResponseKind  # noqa: E402
from ratings.models import (  # noqa: E402
    ItemFamily,
    ItemFamilyKey,
    RatedOrder,
    RatedOrderItem,
    RatedOrderVersion,
    RatingRequest,
    SupplierResponse,
    User,
)
from ratings.selectors.program.filters import ProgramFilters  # noqa: E402
from tests.factories import OrganizationFactory, ProgramFactory, member  # noqa: E402

GOAL = 2.0
BATCH = 5000
COUNTRIES = ["US", "US", "DE", "MY", "CN", "MX", "IE", "IN"]


def build(orders: int) -> None:
    rng = random.Random(17)
    now = timezone.now()
    hhs = OrganizationFactory(agency=True, legal_name="HHS", short_name="HHS")
    staff = member(hhs, Role.REVIEWER, username="bench")
    staff.user_permissions.add(Permission.objects.get(codename="see_program_view"))
    makers = [OrganizationFactory(legal_name=f"Maker {i}") for i in range(5)]
    contact = member(makers[0], Role.APPLICANT)
    suppliers = [
        OrganizationFactory(supplier=True, legal_name=f"Supplier {i}", manufacturing_country=COUNTRIES[i % 8])
        for i in range(20)
    ]
    responder = member(suppliers[0], Role.SUPPLIER_CONTACT)
    programs = [ProgramFactory(symbol=s, name=s) for s in ("HR", "PV", "DT")]
    for f in range(10):
        family = ItemFamily.objects.create(name=f"Family {f}")
        ItemFamilyKey.objects.bulk_create(ItemFamilyKey(family=family, key=f"pn:PART{f}{k}") for k in range(4))
    requests = []
    for n in range(orders // 2):
        submitted = now - dt.timedelta(days=rng.uniform(1, 365))
        decided = submitted + dt.timedelta(days=rng.uniform(1, 30))
        state = rng.choice(
            [RequestState.ISSUED] * 6 + [RequestState.DENIED, RequestState.WITHDRAWN, RequestState.SUBMITTED]
        )
        requests.append(
            RatingRequest(
                reference=f"PRR-B-{n:08d}",
                applicant_organization=rng.choice(makers),
                applicant_contact=contact,
                government_program="Bench",
                category=rng.choice(["vaccine", "therapeutic", "diagnostic_test", "other_countermeasure"]),
                health_resource="Bench",
                program=rng.choice(programs),
                state=state,
                submitted_at=submitted,
                decided_at=decided if state in (RequestState.ISSUED, RequestState.DENIED) and decided < now else None,
            )
        )
    RatingRequest.objects.bulk_create(requests, batch_size=BATCH)
    issued = [r for r in requests if r.state == RequestState.ISSUED]
    for start in range(0, orders, BATCH):
        chunk = []
        for n in range(start, min(start + BATCH, orders)):
            rr = issued[n % len(issued)]
            chunk.append(
                RatedOrder(
                    order_number=f"HHS-B-{n:09d}",
                    source_request=rr,
                    placing_organization_id=rr.applicant_organization_id,
                    supplier=rng.choice(suppliers[: 4 + n % 16]),
                    level="DO",
                    program_id=rr.program_id,
                    rating="DO-HR",
                    status=rng.choice(
                        [OrderStatus.ACCEPTED] * 4 + [OrderStatus.ISSUED, OrderStatus.FULFILLED, OrderStatus.REJECTED]
                    ),
                    issued_at=rr.decided_at or now,
                )
            )
        RatedOrder.objects.bulk_create(chunk)
        versions = [
            RatedOrderVersion(
                order=o,
                number=1,
                items_snapshot=[],
                issued_at=o.issued_at,
                fingerprint="0" * 64,
                supplier_notice_kind=SupplierNoticeKind.ISSUED,
                received_at=o.issued_at,
                response_due_at=o.issued_at + dt.timedelta(days=21),
                earliest_required_date=(o.issued_at + dt.timedelta(days=rng.randint(20, 200))).date(),
            )
            for o in chunk
        ]
        RatedOrderVersion.objects.bulk_create(versions)
        RatedOrderItem.objects.bulk_create(
            RatedOrderItem(
                version=v,
                position=1,
                po_number="PO",
                description="Bench item",
                part_number=f"PART-{rng.randint(0, 9)}{rng.randint(0, 4)}",
                quantity=Decimal(rng.randint(1, 500)),
                unit="each",
                required_dates=[],
            )
            for v in versions
        )
        SupplierResponse.objects.bulk_create(
            SupplierResponse(
                order=o,
                version=v,
                kind=SupplierResponseKind.REJECT if o.status == OrderStatus.REJECTED else SupplierResponseKind.ACCEPT,
                responder=responder,
                printed_name="Bench",
                responded_at=o.issued_at + dt.timedelta(days=rng.uniform(0.5, 20)),
                meaning="Answer",
                reason_code="not_supplied" if o.status == OrderStatus.REJECTED else "",
                content_sha256="0" * 64,
            )
            for o, v in zip(chunk, versions, strict=True)
            if o.status != OrderStatus.ISSUED
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def captured_sql(run: Callable[[], object]) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        run()
    return [q["sql"] for q in captured.captured_queries]


def run_sql(statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
            cursor.fetchall()


def measure(client: Client, url: str, statements: list[str], runs: int) -> tuple[list[float], list[float]]:
    page, floor = [], []
    for _ in range(runs):  # alternating, so drift hits both alike
        started = time.perf_counter()
        response = client.get(url)
        page.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
        started = time.perf_counter()
        run_sql(statements)
        floor.append(time.perf_counter() - started)
    return page, floor


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench/program.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    setup_test_environment()  # the test client's host and in-memory e-mail
    old_name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"bench_program_{old_name}"
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    results = {}
    try:
        started = time.perf_counter()
        build(args.orders)
        built = time.perf_counter() - started
        client = Client()
        user = User.objects.get(username="bench")
        client.force_login(user)
        session = client.session  # a session that passed the second factor, as every HHS session has
        session[DEVICE_ID_SESSION_KEY] = next(iter(devices_for_user(user, confirmed=True))).persistent_id
        session.save()
        filters = ProgramFilters.default()
        pages = {
            "dashboard": ("/admin/program/", lambda: dashboard_data(filters)),
            "concentration": (
                "/admin/program/concentration/",
                lambda: concentration_data(filters),
            ),
        }
        for name, (url, selectors) in pages.items():
            statements = captured_sql(selectors)
            client.get(url)  # warm the caches and the plan
            page, floor = measure(client, url, statements, args.runs)
            results[name] = (statistics.median(page), statistics.median(floor), len(statements))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    print(f"program view with {args.orders:,} rated orders (database {test_name}, built in {built:.0f} s, dropped)")
    met = True
    for name, (page, floor, count) in results.items():
        ratio = page / floor
        met = met and ratio <= GOAL
        print(
            f"  {name:<14} page {page * 1000:,.0f} ms   floor: its {count} aggregate queries run directly "
            f"{floor * 1000:,.0f} ms   ratio {ratio:.2f}   goal <= {GOAL}: {'met' if ratio <= GOAL else 'MISSED'}"
        )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
