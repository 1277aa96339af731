"""Benchmark of the pages people wait on, at scale (run by `make bench`; not part of the test run).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dpa_bench .venv/bin/python bench/pages.py --requests 100000

Builds a throw-away PostgreSQL database with N rating requests and 2N rated orders (the program
benchmark's data set) and 100,000 audit events filed under 2,000 request references, then prints:

- each page's median server time (Django's test client, in-process: middleware, access checks,
  selectors, template) against the floor measured in the same run, interleaved: a view that
  makes no query, through the same middleware and session. Goals: the API list and the
  auditor's search at most 5x the floor; every portal list and admin changelist at most 15x.
- p95 with 32 concurrent clients against gunicorn (one worker per core, threads) on the same
  database, for the API list and the auditor's search; goal 100 ms.

Exit status 1 when a goal is missed.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests as http

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dpa_portal.settings.test")

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings, setup_test_environment  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user  # noqa: E402
from program import build  # noqa: E402  (django.setup() happens there)

from ratings import audit_actions  # noqa: E402
from ratings.constants import OrganizationKind, Role, TokenScope  # noqa: E402
from ratings.models import Organization, RatingRequest, User  # noqa: E402
from ratings.services.accounts.roles import access_sync  # noqa: E402
from ratings.services.accounts.tokens import api_token_issue  # noqa: E402
from tests.audit.helpers import bulk_events  # noqa: E402
from tests.factories import member  # noqa: E402

EVENT_REFERENCES = 2000
EVENTS_PER_REFERENCE = 50
CLIENTS = 32
P95_GOAL_MS = 100.0


def signed_in(user: User) -> Client:
    """A session that passed the second factor where the user has one, as every staff session has."""
    client = Client()
    client.force_login(user)
    devices = list(devices_for_user(user, confirmed=True))
    if devices:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = devices[0].persistent_id
        session.save()
    return client


def add_events() -> str:
    """Events filed under request references, as the workflow files them; returns one reference."""
    references = list(RatingRequest.objects.order_by("pk").values_list("reference", flat=True)[:EVENT_REFERENCES])
    for reference in references:
        bulk_events(
            EVENTS_PER_REFERENCE,
            action=audit_actions.REQUEST_UPDATE.name,
            object_type="ratings.ratingrequest",
            reference=reference,
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return references[len(references) // 2]


def median_ms(client: Client, url: str, runs: int, **headers: str) -> tuple[float, float]:
    """Median of the page and of the floor view, alternating so drift hits both alike."""
    page, floor = [], []
    client.get(url, **headers)  # warm the caches and the plan
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url, **headers)
        page.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
        started = time.perf_counter()
        response = client.get("/bench-floor/")
        floor.append(time.perf_counter() - started)
        assert response.status_code == 200
    return statistics.median(page) * 1000, statistics.median(floor) * 1000


def p95_under_load(base: str, path: str, seconds: float, headers: dict[str, str], cookies: dict[str, str]) -> float:
    deadline = time.monotonic() + seconds
    times: list[float] = []

    def one_client() -> list[float]:
        session = http.Session()
        session.headers.update(headers)
        session.cookies.update(cookies)
        mine = []
        while time.monotonic() < deadline:
            started = time.perf_counter()
            response = session.get(base + path, timeout=30)
            mine.append(time.perf_counter() - started)
            assert response.status_code == 200, (path, response.status_code)
        return mine

    with concurrent.futures.ThreadPoolExecutor(CLIENTS) as pool:
        for result in pool.map(lambda _: one_client(), range(CLIENTS)):
            times.extend(result)
    return statistics.quantiles(times, n=20)[18] * 1000


def serve(database: str, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{settings.DATABASES['default']['USER']}@127.0.0.1:5432/{database}",
        "DJANGO_SETTINGS_MODULE": "dpa_portal.settings.test",
        "DB_CONN_MAX_AGE": "600",
    }
    cores = os.cpu_count() or 1
    command = [sys.executable, "-m", "gunicorn", "dpa_portal.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(cores)]
    process = subprocess.Popen(  # noqa: S603  (our own interpreter and arguments)
        [*command, "--threads", "8", "--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            http.get(f"http://127.0.0.1:{port}/", timeout=1)
            return process
        except http.ConnectionError:
            time.sleep(0.2)
    process.kill()
    sys.exit("gunicorn did not start")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench/pages.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"bench_pages_{old_name}"
    database = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    rows: list[tuple[str, float, float, float]] = []
    loaded: list[tuple[str, float]] = []
    try:
        started = time.perf_counter()
        build(args.requests * 2)
        reference = add_events()
        built = time.perf_counter() - started
        print(f"built in {built:.0f} s", flush=True)
        applicant = User.objects.get(memberships__role=Role.APPLICANT)
        supplier = User.objects.get(memberships__role=Role.SUPPLIER_CONTACT)
        reviewer = User.objects.get(username="bench")
        auditor = member(Organization.objects.get(kind=OrganizationKind.AGENCY), Role.AUDITOR, username="auditor")
        for user in (applicant, supplier, reviewer, auditor):
            access_sync(user)  # groups and staff flag follow the roles, as the services set them
        _, secret = api_token_issue(actor=applicant, name="bench", scope=TokenScope.READ)
        token = {"HTTP_AUTHORIZATION": f"Token {secret}"}
        pages: list[tuple[str, Client, str, dict[str, str], float]] = [
            ("API request list", Client(), "/api/v1/requests/", token, 5.0),
            ("auditor search (latest)", signed_in(auditor), "/audit/", {}, 5.0),
            ("auditor search (reference)", signed_in(auditor), f"/audit/?reference={reference}", {}, 5.0),
            ("portal request list", signed_in(applicant), "/portal/requests/", {}, 15.0),
            ("portal supplier orders", signed_in(supplier), "/portal/orders/", {}, 15.0),
            ("admin request changelist", signed_in(reviewer), "/admin/ratings/ratingrequest/", {}, 15.0),
            ("admin order changelist", signed_in(reviewer), "/admin/ratings/ratedorder/", {}, 15.0),
        ]
        with override_settings(ROOT_URLCONF="common.floor_urls"):
            for name, client, url, headers, goal in pages:
                page, floor = median_ms(client, url, args.runs, **headers)
                rows.append((name, page, floor, goal))
                print(f"  measured {name}: {page:.1f} ms (floor {floor:.1f} ms)", flush=True)
        server = serve(database, args.port)
        try:
            base = f"http://127.0.0.1:{args.port}"
            auditor_client = signed_in(auditor)
            cookies = {settings.SESSION_COOKIE_NAME: auditor_client.cookies[settings.SESSION_COOKIE_NAME].value}
            loaded.append(
                (
                    "API request list",
                    p95_under_load(base, "/api/v1/requests/", args.seconds, {"Authorization": f"Token {secret}"}, {}),
                )
            )
            loaded.append(
                (
                    "auditor search (reference)",
                    p95_under_load(base, f"/audit/?reference={reference}", args.seconds, {}, cookies),
                )
            )
        finally:
            server.terminate()
            server.wait()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    print(
        f"pages with {args.requests:,} requests, {args.requests * 2:,} orders, "
        f"{EVENT_REFERENCES * EVENTS_PER_REFERENCE:,} events (database {database}, built in {built:.0f} s, dropped)"
    )
    met = True
    for name, page, floor, goal in rows:
        ratio = page / floor
        met = met and ratio <= goal
        print(
            f"  {name:<28} median {page:7.1f} ms   floor (no-query view) {floor:5.1f} ms   ratio {ratio:5.1f}"
            f"   goal <= {goal:g}: {'met' if ratio <= goal else 'MISSED'}"
        )
    for name, p95 in loaded:
        met = met and p95 <= P95_GOAL_MS
        print(
            f"  {name:<28} p95 with {CLIENTS} clients {p95:7.1f} ms   goal <= {P95_GOAL_MS:g} ms: "
            f"{'met' if p95 <= P95_GOAL_MS else 'MISSED'}"
        )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
