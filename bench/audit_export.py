"""Benchmark of the audit export (not part of the test run).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dpa_audit .venv/bin/python bench/audit_export.py --n 10000

Creates a throw-away test database, appends N then 10N valid chained events, and for each size
measures, for the streaming export (keyset batches, audit/exports.py) and for a naive baseline
(list() of every model instance, then one CSV string), throughput without tracing and peak
Python memory with tracemalloc. Prints the ratios 10N/N and naive/streaming.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
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

from audit import exports, selectors  # noqa: E402
from audit.models import AuditEvent  # noqa: E402
from tests.audit.helpers import bulk_events  # noqa: E402

FILTERS = selectors.EventFilters(action="bench.event")


def streaming() -> int:
    job = exports.start(actor=None, format="csv", filters=FILTERS)
    return sum(len(chunk) for chunk in exports.stream(job))


def naive() -> int:
    rows = list(AuditEvent.objects.filter(action="bench.event").order_by("sequence"))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for event in rows:
        writer.writerow(exports.csv_cells(exports.event_record(event)))
    return len(buffer.getvalue().encode())


def measure(run: Callable[[], int], count: int) -> tuple[float, float, int]:
    started = time.perf_counter()
    size = run()
    seconds = time.perf_counter() - started
    tracemalloc.start()
    run()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return count / seconds, peak / 1e6, size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10_000)
    args = parser.parse_args()
    old_name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"bench_{old_name}"  # never the pytest database
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        results = {}
        total = 0
        for count in (args.n, args.n * 10):
            bulk_events(count - total)
            total = count
            results[count] = {"stream": measure(streaming, count), "naive": measure(naive, count)}
            for name, (rate, peak, size) in results[count].items():
                print(
                    f"N={count:>8}  {name:<7} {rate:>10,.0f} events/s  peak {peak:8.2f} MB  output {size / 1e6:7.1f} MB"
                )
        small, large = results[args.n], results[args.n * 10]
        for name in ("stream", "naive"):
            print(f"{name:<7} peak memory ratio 10N/N: {large[name][1] / small[name][1]:.2f}")
        print(f"naive/stream peak memory at 10N: {large['naive'][1] / large['stream'][1]:.1f}x")
        print(f"stream/naive throughput at 10N: {large['stream'][0] / large['naive'][0]:.2f}x")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        print(f"(database {test_name} dropped)")


if __name__ == "__main__":
    main()
