"""Benchmark of the streaming audit export (run by `make bench`; not part of the test run).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dpa_bench .venv/bin/python bench/audit_export.py --n 100000

Builds a throw-away PostgreSQL database with N valid chained events and prints, for each
figure, the project's number, the floor measured in the same run, their ratio and the goal:

- peak Python memory (tracemalloc) of streaming all N events, against the peak after the first
  N/10: the export keeps memory flat, so the whole run may take at most 1.5x that plus 1 MB,
  and never more than 20 MB (a list() of 100,000 events takes about 220 MB);
- throughput of the export (COPY ... TO STDOUT with formula neutralisation in SQL, manifest hashing)
  against PostgreSQL's own COPY ... TO STDOUT of the same rows; the goal is half of COPY;
- throughput of `audit_verify` (raw rows, every hash recomputed) against the same COPY; the
  goal is a quarter of COPY.

Exit status 1 when the memory goal is missed; the throughput goal is reported only.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dpa_portal.settings.test")

import django

django.setup()

from django.db import connection  # noqa: E402

from audit import exports, selectors, services  # noqa: E402
from tests.audit.helpers import bulk_events  # noqa: E402

FILTERS = selectors.EventFilters(action="bench.event")
MEMORY_SLACK_BYTES = 1_000_000
MEMORY_CEILING_BYTES = 20_000_000
THROUGHPUT_GOAL = 0.5
VERIFY_GOAL = 0.25


def export_bytes() -> int:
    job = exports.start(actor=None, format="csv", filters=FILTERS)
    return sum(len(chunk) for chunk in exports.stream(job))


def copy_bytes() -> int:
    sql = "COPY (SELECT * FROM audit_auditevent WHERE action = 'bench.event' ORDER BY sequence) TO STDOUT WITH (FORMAT csv)"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        return sum(len(block) for block in copy)


def verify() -> int:
    report = services.verify_chain()
    assert report.ok, report.problem
    return report.checked


def peak_memory(count: int) -> tuple[int, int]:
    """Peak traced bytes after the first count/10 events, and at the end of the export."""
    job = exports.start(actor=None, format="csv", filters=FILTERS)
    tracemalloc.start()
    try:
        rows, peak_early = 0, 0
        for chunk in exports.stream(job):
            rows += chunk.count(b"\n")
            if not peak_early and rows >= count // 10:
                peak_early = tracemalloc.get_traced_memory()[1]
        return peak_early, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def rates(count: int, runs: int) -> dict[str, list[float]]:
    """Events per second of each variant; the variants alternate so drift hits both alike."""
    variants: dict[str, Callable[[], int]] = {"export": export_bytes, "copy": copy_bytes, "verify": verify}
    seconds: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(runs):
        for name, run in variants.items():
            started = time.perf_counter()
            run()
            seconds[name].append(time.perf_counter() - started)
    return {name: [count / s for s in values] for name, values in seconds.items()}


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):,.0f}/s (min {min(values):,.0f}, max {max(values):,.0f})"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000, help="events to export")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each variant")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench/audit_export.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    old_name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"bench_{old_name}"  # never the pytest database
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        bulk_events(args.n)
        early, peak = peak_memory(args.n)
        allowed = min(early * 1.5 + MEMORY_SLACK_BYTES, MEMORY_CEILING_BYTES)
        measured = rates(args.n, args.runs)
        ratio = statistics.median(measured["export"]) / statistics.median(measured["copy"])
        verify_ratio = statistics.median(measured["verify"]) / statistics.median(measured["copy"])
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    memory_met = peak <= allowed
    print(f"audit export of {args.n:,} events (database {test_name}, dropped)")
    print(
        f"  peak memory   project {peak / 1e6:.2f} MB   floor {early / 1e6:.2f} MB (first {args.n // 10:,})   "
        f"ratio {peak / early:.2f}   goal <= {allowed / 1e6:.2f} MB: {'met' if memory_met else 'MISSED'}"
    )
    print(
        f"  throughput    project {spread(measured['export'])}   floor COPY {spread(measured['copy'])}   "
        f"ratio {ratio:.2f}   goal >= {THROUGHPUT_GOAL}: {'met' if ratio >= THROUGHPUT_GOAL else 'not yet'}"
    )
    print(
        f"  verify        project {spread(measured['verify'])}   floor COPY {spread(measured['copy'])}   "
        f"ratio {verify_ratio:.2f}   goal >= {VERIFY_GOAL}: {'met' if verify_ratio >= VERIFY_GOAL else 'not yet'}"
    )
    return 0 if memory_met else 1


if __name__ == "__main__":
    sys.exit(main())
