"""`verify_chain`: recompute every event's hash and check every link (NIST AU-9(3)).

On PostgreSQL the sequence range 1..head is split into ranges, checked from raw rows by
`audit.chain_ranges` (in worker processes when the chain is large), then joined: range k's
first row must follow range k-1's last row. The report is the one a single walk in sequence
order gives: the first problem, with what held before it. Elsewhere (SQLite) rows are walked
through the ORM.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Max, Min

from audit import chain, chain_ranges
from audit.chain import GENESIS_HASH, compute_hash
from audit.chain_ranges import ALTERED, LINK, MISSING, RangeResult
from audit.models import AuditEvent

VERIFY_BATCH = 10_000
RANGES_PER_WORKER = 2
# Keys of Django's connection parameters that are Python objects, not libpq settings.
_NOT_LIBPQ = {"context", "cursor_factory", "prepare_threshold"}


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    head_sequence: int
    head_hash: str
    first_bad_sequence: int | None = None
    problem: str = ""


def problem_text(kind: str, sequence: int, found: int | None = None) -> str:
    if kind == MISSING:
        return f"sequence {sequence} is missing (next row found is {found}): a row was removed or renumbered"
    if kind == LINK:
        return f"sequence {sequence} does not link to the previous row: a row was inserted, removed or reordered"
    return f"sequence {sequence} was altered: its content no longer matches its hash"


def verify_rows(rows: Iterable[dict[str, Any]], *, progress: Callable[[int], None] | None = None) -> ChainReport:
    """Walk plain rows (the hashed fields and `hash`) in sequence order; report the first one
    that breaks the chain."""
    expected_sequence = 1
    prev_hash = GENESIS_HASH
    checked = 0
    for row in rows:
        sequence = row["sequence"]
        if sequence != expected_sequence:
            problem = problem_text(MISSING, expected_sequence, sequence)
            return ChainReport(False, checked, expected_sequence - 1, prev_hash, expected_sequence, problem)
        kind = ""
        if row["prev_hash"] != prev_hash:
            kind = LINK
        elif compute_hash(row) != row["hash"]:
            kind = ALTERED
        if kind:
            return ChainReport(False, checked, expected_sequence - 1, prev_hash, sequence, problem_text(kind, sequence))
        prev_hash = row["hash"]
        expected_sequence += 1
        checked += 1
        if progress is not None and checked % 10000 == 0:
            progress(checked)
    return ChainReport(True, checked, expected_sequence - 1, prev_hash)


def _orm_rows() -> Iterator[dict[str, Any]]:
    """Every event as a plain row, in keyset batches: no model instances, flat memory."""
    columns = [*chain.HASHED_FIELDS, "hash"]
    after = -(2**63)
    while True:
        batch = list(
            AuditEvent.objects.filter(sequence__gt=after).order_by("sequence").values_list(*columns)[:VERIFY_BATCH]
        )
        if not batch:
            return
        for values in batch:
            yield dict(zip(columns, values, strict=True))
        after = batch[-1][0]


def split(head: int, count: int) -> list[tuple[int, int]]:
    """1..head in `count` contiguous ranges of near-equal length (fewer when head is small)."""
    count = max(1, min(count, head))
    size, extra = divmod(head, count)
    bounds, low = [], 1
    for n in range(count):
        high = low + size - 1 + (1 if n < extra else 0)
        bounds.append((low, high))
        low = high + 1
    return bounds


def join(results: Sequence[RangeResult], *, progress: Callable[[int], None] | None = None) -> ChainReport:
    """The report of one walk in order, from the ranges' results: each range's first row must be
    where the range starts and link to the previous range's last hash, in that order of checks."""
    checked, prev_hash = 0, GENESIS_HASH
    for n, result in enumerate(results):

        def found(result: RangeResult = result, n: int = n) -> int | None:
            """The next row after a missing one: the range's own, or the first of a later range."""
            if result.found_sequence is not None:
                return result.found_sequence
            return next((later.first_sequence for later in results[n + 1 :] if later.first_sequence), None)

        if result.first_sequence is None:  # the whole range was removed
            text = problem_text(MISSING, result.low, found())
            return ChainReport(False, checked, result.low - 1, prev_hash, result.low, text)
        if result.kind == MISSING and result.bad_sequence == result.low:
            text = problem_text(MISSING, result.low, found())
            return ChainReport(False, checked, result.low - 1, prev_hash, result.low, text)
        if result.first_prev_hash != prev_hash:
            return ChainReport(False, checked, result.low - 1, prev_hash, result.low, problem_text(LINK, result.low))
        if result.bad_sequence is not None:
            bad = result.bad_sequence
            return ChainReport(
                False,
                checked + result.checked,
                bad - 1,
                result.last_hash or prev_hash,
                bad,
                problem_text(result.kind, bad, found()),
            )
        checked += result.checked
        prev_hash = result.last_hash
        if progress is not None:
            progress(checked)
    return ChainReport(True, checked, results[-1].high if results else 0, prev_hash)


def _worker_params() -> dict[str, Any]:
    params = connection.get_connection_params()
    return {key: value for key, value in params.items() if key not in _NOT_LIBPQ and value is not None}


def _in_workers(bounds: list[tuple[int, int]], workers: int) -> Iterator[RangeResult]:
    """Each range in a worker process with its own connection (hashing holds the GIL, so threads
    would take turns); results in range order."""
    table = AuditEvent._meta.db_table
    jobs = [(_worker_params(), table, low, high) for low, high in bounds]
    # fork: the workers run chain_ranges alone and never touch the parent's Django connection.
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        yield from pool.starmap(chain_ranges.verify_range_in_worker, jobs)


def verify_chain(
    *, progress: Callable[[int], None] | None = None, workers: int | None = None, ranges: int | None = None
) -> ChainReport:
    """Check the whole chain. `workers` and `ranges` default to the settings; inside a
    transaction (whose rows other connections cannot see) the ranges run here, in order."""
    if connection.vendor != "postgresql":
        return verify_rows(_orm_rows(), progress=progress)
    ends = AuditEvent.objects.aggregate(low=Min("sequence"), high=Max("sequence"))
    if ends["high"] is None:
        return ChainReport(True, 0, 0, GENESIS_HASH)
    if ends["low"] < 1:  # a row below the first sequence number: no range would read it
        return ChainReport(False, 0, 0, GENESIS_HASH, 1, problem_text(MISSING, 1, ends["low"]))
    head = ends["high"]
    workers = settings.AUDIT_VERIFY_WORKERS if workers is None else workers
    parallel = workers > 1 and head >= settings.AUDIT_VERIFY_PARALLEL_MIN and not connection.in_atomic_block
    bounds = split(head, ranges or (workers * RANGES_PER_WORKER if parallel else 1))
    if parallel:
        results = list(_in_workers(bounds, workers))
    else:
        connection.ensure_connection()
        table = AuditEvent._meta.db_table
        results = [chain_ranges.verify_range(connection.connection, table, low, high) for low, high in bounds]
    return join(results, progress=progress)
