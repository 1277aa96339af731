"""Benchmark of the streaming audit export and of audit_verify (run by `make bench`; not part of
the test run).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dpa_bench .venv/bin/python bench/audit_export.py
    ... bench/audit_export.py --n 100000      (a tenth of the goal's size: for trying a change)

Builds a throw-away PostgreSQL database with N valid chained events, made by one SQL statement
that hashes the chain itself (no Python per event; the time it took is printed; every fourth event
carries a change whose keys PostgreSQL and Python order differently, so the export rewrites
those rows and verification re-serializes them), and prints, for each figure, the project's
number, the floor measured in the same run, their ratio and the goal:

- peak Python memory (tracemalloc) of streaming all N events, against the peak after the first
  N/10: the export keeps memory flat, so the whole run may take at most 1.5x that plus 1 MB,
  and never more than 20 MB (a list() of 100,000 events takes about 220 MB);
- throughput of the export (COPY ... TO STDOUT with formula neutralisation in SQL, manifest hashing)
  against PostgreSQL's own COPY ... TO STDOUT of the same rows; the goal is half of COPY;
- throughput of `audit_verify` (raw rows, every hash recomputed, ranges in worker processes)
  against the same COPY; the goal is a quarter of COPY;
- the process's peak resident memory before and after the timed runs (flat: the export never
  holds more than a chunk), and the largest verification worker's.

The variants run interleaved, each figure is the median of --runs, so a machine shared with
other work slows all of them alike.

Exit status 1 when the memory goal is missed; the throughput goal is reported only.
"""

from __future__ import annotations

import argparse
import os
import resource
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
from audit.chain import GENESIS_HASH  # noqa: E402

FILTERS = selectors.EventFilters(action="bench.event")
MEMORY_SLACK_BYTES = 1_000_000
MEMORY_CEILING_BYTES = 20_000_000
THROUGHPUT_GOAL = 0.5
VERIFY_GOAL = 0.25


def changes_sql(row: str) -> str:
    """Every fourth event records a change whose keys PostgreSQL orders otherwise than Python."""
    return f"""CASE WHEN {row}.i %% 4 = 0 THEN '{{"approved_by":["","bench"],"state":["draft","submitted"]}}' ELSE '{{}}' END"""


def canonical_sql(row: str) -> str:
    """A bench event's canonical serialization (audit/chain.py: sorted keys, no spaces), from the
    columns of `row`: i (position in this batch), s (sequence), t (time), p (previous hash)."""
    return (
        f"""'{{"action":"bench.event","actor_id":null,"actor_label":"bench","actor_roles":[],"changes":' """
        f"""|| {changes_sql(row)} || ',"client_address":"","data":{{"i":' || {row}.i """
        f"""|| '}},"from_state":"","object_id":"' || {row}.i || '","object_label":"thing ' || {row}.i """
        f"""|| '","object_type":"bench.Thing","occurred_at":"' """
        f"""|| to_char({row}.t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') """
        f"""|| '","organization_id":null,"outcome":"success","prev_hash":"' || {row}.p """
        f"""|| '","reason":"reason number ' || {row}.i || '","reference":"","request_id":"","sequence":' """
        f"""|| {row}.s || ',"source":"system","to_state":""}}'"""
    )


# The chain is sequential by nature: a recursive query walks it, each step hashing one event.
GENERATE = f"""
WITH RECURSIVE chain (i, s, t, p, h) AS (
    SELECT 0::bigint, %(head)s::bigint, NULL::timestamptz, NULL::text, %(head_hash)s::text
  UNION ALL
    SELECT n.i, n.s, n.t, n.p, encode(sha256(convert_to({canonical_sql("n")}, 'UTF8')), 'hex')
    FROM chain, LATERAL (
        SELECT chain.i + 1 AS i, chain.s + 1 AS s, %(start)s::timestamptz + (chain.i + 1) * interval '1 second' AS t,
               chain.h AS p
    ) AS n
    WHERE chain.i < %(count)s
)
INSERT INTO audit_auditevent (sequence, occurred_at, actor_id, actor_label, actor_roles, action, outcome,
    object_type, object_id, object_label, reference, organization_id, from_state, to_state, reason, changes,
    data, source, request_id, client_address, prev_hash, hash)
SELECT c.s, c.t, NULL, 'bench', '[]', 'bench.event', 'success', 'bench.Thing', c.i::text, 'thing ' || c.i, '',
    NULL, '', '', 'reason number ' || c.i, ({changes_sql("c")})::jsonb, jsonb_build_object('i', c.i), 'system',
    '', '', c.p, c.h
FROM chain AS c WHERE c.i > 0
"""  # noqa: S608


def generate(count: int) -> None:
    """Append `count` valid chained events after the head, hashed by PostgreSQL in one statement."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT sequence, hash FROM audit_auditevent ORDER BY sequence DESC LIMIT 1")
        head, head_hash = cursor.fetchone() or (0, GENESIS_HASH)
        cursor.execute(
            GENERATE, {"head": head, "head_hash": head_hash, "count": count, "start": "2026-01-01T00:00:00Z"}
        )


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


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
    parser.add_argument("--n", type=int, default=1_000_000, help="events to export (the goal's size)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each variant")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench/audit_export.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    old_name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"bench_{old_name}"  # never the pytest database
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        started = time.perf_counter()
        generate(args.n)
        generated = time.perf_counter() - started
        early, peak = peak_memory(args.n)
        allowed = min(early * 1.5 + MEMORY_SLACK_BYTES, MEMORY_CEILING_BYTES)
        rss_before = peak_rss_mb()
        measured = rates(args.n, args.runs)
        rss_after, rss_worker = peak_rss_mb(), peak_rss_mb(resource.RUSAGE_CHILDREN)
        ratio = statistics.median(measured["export"]) / statistics.median(measured["copy"])
        verify_ratio = statistics.median(measured["verify"]) / statistics.median(measured["copy"])
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    memory_met = peak <= allowed
    throughput_met, verify_met = ratio >= THROUGHPUT_GOAL, verify_ratio >= VERIFY_GOAL
    print(f"audit export of {args.n:,} events (database {test_name}, dropped; generated in {generated:.1f} s)")
    print(
        f"  peak memory   project {peak / 1e6:.2f} MB   floor {early / 1e6:.2f} MB (first {args.n // 10:,})   "
        f"ratio {peak / early:.2f}   goal <= {allowed / 1e6:.2f} MB: {'met' if memory_met else 'MISSED'}"
    )
    print(
        f"  throughput    project {spread(measured['export'])}   floor COPY {spread(measured['copy'])}   "
        f"ratio {ratio:.2f}   goal >= {THROUGHPUT_GOAL}: {'met' if throughput_met else 'MISSED'}"
    )
    print(
        f"  verify        project {spread(measured['verify'])}   floor COPY {spread(measured['copy'])}   "
        f"ratio {verify_ratio:.2f}   goal >= {VERIFY_GOAL}: {'met' if verify_met else 'MISSED'}"
    )
    print(
        f"  peak RSS      before the timed runs {rss_before:.0f} MB   after {rss_after:.0f} MB   "
        f"largest verify worker {rss_worker:.0f} MB"
    )
    return 0 if memory_met and throughput_met and verify_met else 1


if __name__ == "__main__":
    sys.exit(main())
