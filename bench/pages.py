"""Benchmark of the pages people wait on, at scale (run by `make bench`; not part of the test run).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dpa_bench .venv/bin/python bench/pages.py --requests 100000
    … bench/pages.py --quick       (10,000 requests, fewer runs: for trying a change)

Builds a throw-away PostgreSQL database with N rating requests and 2N rated orders (the program
benchmark's shape, written by SQL: bench/common/pages_data.py) and 100,000 audit events filed under
request references (50 each), then prints:

- each page's median server time (Django's test client, in-process: middleware, access checks,
  selectors, template) against the floor measured in the same run, interleaved: a view that
  makes no query, through the same middleware and session. Goals: the API list and the
  auditor's search at most 5x the floor; every portal list and admin changelist at most 15x.
- p95 with 32 concurrent clients (keep-alive connections, each asking again as soon as answered,
  for --seconds; Debian's `wrk` in its own process, so the clients take little of the CPU)
  against gunicorn as production runs it (the repository's gunicorn.conf.py, persistent database
  connections, sessions and throttles in Redis: BENCH_CACHE_URL, default database 12 of the
  local Redis, emptied first) on the same database, for the API list and the auditor's search;
  goal 100 ms. The floor view's p95 under the same load is printed beside it.

Exit status 1 when a goal is missed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis
import requests as http

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dpa_portal.settings.test")

import common  # noqa: E402, F401  (django.setup())
from common import load  # noqa: E402
from common.load import Load  # noqa: E402
from common.pages_data import build  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings, setup_test_environment  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user  # noqa: E402

from ratings import audit_actions  # noqa: E402
from ratings.constants import OrganizationKind, Role, TokenScope  # noqa: E402
from ratings.models import Organization, RatingRequest, User  # noqa: E402
from ratings.services.accounts.roles import access_sync  # noqa: E402
from ratings.services.accounts.tokens import api_token_issue  # noqa: E402
from tests.audit.helpers import bulk_events  # noqa: E402
from tests.factories import member  # noqa: E402

EVENTS_PER_REFERENCE = 50
CLIENTS = 32
P95_GOAL_MS = 100.0
TIMEOUT = 10.0
# Not the production cache's database (1), the broker's (0) or the tests' (14).
BENCH_CACHE_URL = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/12")


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


def add_events(count: int) -> str:
    """Events filed under request references, as the workflow files them; returns one reference."""
    wanted = max(1, count // EVENTS_PER_REFERENCE)
    references = list(RatingRequest.objects.order_by("pk").values_list("reference", flat=True)[:wanted])
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


def p95_under_load(base: str, path: str, seconds: float, headers: dict[str, str], cookies: dict[str, str]) -> Load:
    """CLIENTS keep-alive connections, each asking again as soon as answered, for `seconds`
    (wrk, in its own process). A call that takes longer than TIMEOUT counts as failed."""
    if cookies:
        headers = {**headers, "Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items())}
    return load.closed_loop(base + path, connections=CLIENTS, seconds=seconds, timeout=TIMEOUT, headers=headers)


@contextmanager
def served(database: str, port: int) -> Iterator[str]:
    """gunicorn on the bench database, configured by the repository's gunicorn.conf.py (what
    production runs), with production's persistent database connections and its sessions and
    throttles in Redis (a database of the bench's own, emptied first), and the floor view;
    stopped whatever happens."""
    cache = redis.Redis.from_url(BENCH_CACHE_URL)
    try:
        cache.flushdb()
    except redis.RedisError as error:
        sys.exit(f"the 32-client phase needs Redis at {BENCH_CACHE_URL} (BENCH_CACHE_URL): {error}")
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{settings.DATABASES['default']['USER']}@127.0.0.1:5432/{database}",
        "DJANGO_SETTINGS_MODULE": "dpa_portal.settings.test",
        "DB_CONN_MAX_AGE": "600",
        # As production: sessions read from the cache (written through), throttles counted there.
        "CACHE_URL": BENCH_CACHE_URL,
        # The phase measures the page, not the per-token budget (600 a minute would answer 429).
        # Per second, so DRF's throttle keeps a second of call times (a few hundred, as 600 a
        # minute would), not a minute's: the whole list is read and written on every call.
        "API_THROTTLE_USER": "100000/second",
    }
    command = [sys.executable, "-m", "gunicorn", "common.floor_wsgi", "--pythonpath", f"{ROOT / 'bench'},{ROOT}"]
    process = subprocess.Popen(  # noqa: S603  (our own interpreter and arguments)
        [*command, "-c", str(ROOT / "gunicorn.conf.py"), "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        started = time.monotonic()
        while True:
            try:
                if http.get(f"{base}/bench-floor/", timeout=10).status_code == 200:
                    break
            except http.RequestException:
                pass
            if process.poll() is not None or time.monotonic() - started > 120:
                sys.exit("gunicorn did not start")
            time.sleep(0.5)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=100_000, help="rating requests (orders: twice as many)")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--seconds", type=float, default=15.0, help="length of each 32-client phase")
    parser.add_argument("--events", type=int, default=100_000, help="audit events, 50 per request reference")
    parser.add_argument("--quick", action="store_true", help="10,000 requests, 20,000 events, 5 runs, 5 s phases")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    if args.quick:
        args.requests, args.events, args.runs, args.seconds = 10_000, 20_000, 5, 5.0
    if connection.vendor != "postgresql":
        sys.exit("bench/pages.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    load.wrk()  # before minutes of building: exits with how to install it
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"bench_pages_{old_name}"
    database = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    rows: list[tuple[str, float, float, float]] = []
    loaded: list[tuple[str, Load, float]] = []
    try:
        started = time.perf_counter()
        build(args.requests)
        reference = add_events(args.events)
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
        auditor_client = signed_in(auditor)
        cookies = {settings.SESSION_COOKIE_NAME: auditor_client.cookies[settings.SESSION_COOKIE_NAME].value}
        with served(database, args.port) as base:
            for path, headers, jar in (
                ("/bench-floor/", {}, cookies),
                ("/api/v1/requests/", {"Authorization": f"Token {secret}"}, {}),
                (f"/audit/?reference={reference}", {}, cookies),
            ):
                p95_under_load(base, path, min(3.0, args.seconds), headers, jar)  # every worker and thread warm
            floor_load = p95_under_load(base, "/bench-floor/", args.seconds, {}, cookies)
            print(f"  loaded floor: p95 {floor_load.p95:.0f} ms", flush=True)
            for name, path, headers, jar in (
                ("API request list", "/api/v1/requests/", {"Authorization": f"Token {secret}"}, {}),
                ("auditor search (reference)", f"/audit/?reference={reference}", {}, cookies),
            ):
                measured = p95_under_load(base, path, args.seconds, headers, jar)
                loaded.append((name, measured, floor_load.p95))
                print(f"  loaded {name}: p95 {measured.p95:.0f} ms", flush=True)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    print(
        f"pages with {args.requests:,} requests, {args.requests * 2:,} orders, "
        f"{args.events:,} events (database {database}, built in {built:.0f} s, dropped)"
    )
    met = True
    for name, page, floor, goal in rows:
        ratio = page / floor
        met = met and ratio <= goal
        print(
            f"  {name:<28} median {page:7.1f} ms   floor (no-query view) {floor:5.1f} ms   ratio {ratio:5.1f}"
            f"   goal <= {goal:g}: {'met' if ratio <= goal else 'MISSED'}"
        )
    for name, figure, floor_p95 in loaded:
        ok = figure.p95 <= P95_GOAL_MS and not figure.failed
        met = met and ok
        print(
            f"  {name:<28} p95 with {CLIENTS} clients {figure.p95:7.1f} ms (median {figure.median:.1f} ms, "
            f"{figure.calls / args.seconds:.0f}/s, {figure.failed} failed; floor view's p95 {floor_p95:.1f} ms)"
            f"   goal <= {P95_GOAL_MS:g} ms: {'met' if ok else 'MISSED'}"
        )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
