"""Transitions per second through the one write path, against raw psycopg (run by `make bench`).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dpa_bench .venv/bin/python bench/transitions.py

Each writer is a process with its own connection and its own rating request, connected and loaded
before the clock starts, and runs one transition after another for `--seconds`:
`transition.perform` (lock own row, version, state, permission, apply, save, one audit event). Variants, interleaved in every round:

- project:    the audit event appended to the hash chain (audit_append, option a);
- no audit:   the same transition with the audit append switched off (the audit overhead);
- sequence:   option b's write side: the same event inserted with a plain sequence into a table
              with the trail's indexes, no chain lock, no hash (a background sealer would chain
              it later);
- floor:      raw psycopg, one transaction: SELECT ... FOR NO KEY UPDATE + UPDATE + INSERT.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import statistics
import sys
import time
from typing import Any

import psycopg
from common import exit_status, figure, interleaved, spread, throwaway_database, verdict
from django.db import connection, connections

from audit import actions
from audit import services as audit_services
from ratings import permissions
from ratings.models import RatingRequest, User
from ratings.services import transition
from tests.factories import draft_request, make_cast

BENCH_ACTION = actions.register("bench.transition", "Benchmark transition")
# Like every real rule, the permission reads the actor's memberships (the audit event's roles
# snapshot reuses them).
ACTION = transition.Action(
    audit=BENCH_ACTION, permission=lambda row, actor: None if permissions.active_memberships(actor) else "no role"
)
WRITERS = (1, 4, 16, 32)
VARIANTS = ("project", "no audit", "sequence", "floor")
real_record = audit_services.record


def _sequence_append(fields: dict[str, Any], *, commit: bool = False) -> None:
    """Option b's part in the business transaction: `record`'s event, inserted with a plain
    sequence number and no chain lock or hash (the sealer would chain it after the commit) into a
    table with the trail's columns and indexes, its COMMIT in the same round trip like (a)'s."""
    columns = list(fields)
    values = [json.dumps(v) if name in ("actor_roles", "changes", "data") else v for name, v in fields.items()]
    sql = (
        f"INSERT INTO bench_unsealed (sequence, {', '.join(columns)})"  # noqa: S608 (names from the model)
        f" VALUES (nextval('bench_unsealed_seq'), {', '.join(['%s'] * len(columns))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"{sql}; COMMIT" if commit else sql, values)


def _no_record(**fields: Any) -> None:
    return None


def _project_loop(variant: str, request_id: int, actor_id: int, start: Any, seconds: float) -> int:
    audit_services.record = _no_record if variant == "no audit" else real_record  # type: ignore[assignment]
    if variant == "sequence":
        audit_services._append_in_one_statement = _sequence_append  # type: ignore[assignment]
    # Connected and loaded before the start: the figure counts transitions, not start-up.
    actor = User.objects.get(pk=actor_id)
    target = RatingRequest.objects.get(pk=request_id)
    count = 0

    def apply(row: RatingRequest) -> transition.Applied:
        row.recommendation_rationale = f"bench {count}"
        return transition.Applied()

    start.wait()
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        transition.perform(transition.REQUEST, ACTION, target=target, actor=actor, apply=apply)
        count += 1
    return count


def _floor_loop(conninfo: str, request_id: int, start: Any, seconds: float) -> int:
    count = 0
    with psycopg.connect(conninfo) as conn:
        start.wait()
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            with conn.transaction(), conn.cursor() as cursor:
                cursor.execute(
                    "SELECT id, version FROM ratings_ratingrequest WHERE id = %s FOR NO KEY UPDATE", [request_id]
                )
                cursor.execute(
                    "UPDATE ratings_ratingrequest SET version = version + 1, recommendation_rationale = %s WHERE id = %s",
                    [f"floor {count}", request_id],
                )
                cursor.execute("INSERT INTO bench_floor (payload) VALUES (%s)", [f'{{"n": {count}}}'])
            count += 1
    return count


def _writer(variant: str, request_id: int, actor_id: int, conninfo: str, start: Any, seconds: float, out: Any) -> None:
    if variant == "floor":
        out.put(_floor_loop(conninfo, request_id, start, seconds))
    else:
        out.put(_project_loop(variant, request_id, actor_id, start, seconds))
    connection.close()


def rate(variant: str, writers: int, requests: list[int], actor_id: int, conninfo: str, seconds: float) -> float:
    """Transitions per second of `writers` processes, each on its own request."""
    context = multiprocessing.get_context("fork")
    connections.close_all()  # each child opens its own connection
    start, out = context.Barrier(writers + 1), context.Queue()
    processes = [
        context.Process(target=_writer, args=(variant, requests[i], actor_id, conninfo, start, seconds, out))
        for i in range(writers)
    ]
    for process in processes:
        process.start()
    start.wait()
    total = sum(out.get(timeout=seconds + 60) for _ in processes)
    for process in processes:
        process.join()
    return total / seconds


def conninfo_of() -> str:
    s = connection.settings_dict
    return psycopg.conninfo.make_conninfo(
        dbname=s["NAME"], user=s["USER"], password=s["PASSWORD"] or None, host=s["HOST"] or None, port=s["PORT"] or None
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=2.0, help="length of one measurement")
    parser.add_argument("--runs", type=int, default=3, help="interleaved rounds")
    args = parser.parse_args()
    with throwaway_database() as name:
        cast = make_cast()
        requests = [draft_request(cast).pk for _ in range(max(WRITERS))]
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE bench_floor (id bigserial PRIMARY KEY, payload text)")
            cursor.execute("CREATE SEQUENCE bench_unsealed_seq")
            # The trail's columns, constraints and indexes (an auditor searches unsealed events
            # too); no hash until sealed.
            cursor.execute("CREATE TABLE bench_unsealed (LIKE audit_auditevent INCLUDING ALL)")
            cursor.execute("ALTER TABLE bench_unsealed ALTER prev_hash DROP NOT NULL, ALTER hash DROP NOT NULL")
        conninfo = conninfo_of()
        results: dict[int, dict[str, list[float]]] = {}
        for writers in WRITERS:
            variants = {
                v: (lambda v=v, w=writers: rate(v, w, requests, cast.applicant.pk, conninfo, args.seconds))
                for v in VARIANTS
            }
            results[writers] = interleaved(variants, args.runs)
    print(
        f"transitions/s through transition.perform (database {name}, dropped; {args.runs} runs of {args.seconds:.0f} s)"
    )
    for writers in WRITERS:
        r = results[writers]
        goal, met = "-", True
        if writers == 1:
            ratio = statistics.median(r["project"]) / statistics.median(r["floor"])
            goal, met = ">= 0.35x floor", ratio >= 0.35
        figure(f"{writers:>2} writer(s) vs raw psycopg", r["project"], r["floor"], unit="/s", goal=goal, met=met)
    for writers in WRITERS:
        r = results[writers]
        overhead = statistics.median(r["no audit"]) / statistics.median(r["project"])
        figure(
            f"{writers:>2} writer(s): audit overhead",
            [1 / x for x in r["project"]],
            [1 / x for x in r["no audit"]],
            unit=" s",
            digits=4,
            goal="<= 1.15x without audit" if writers == 1 else "-",
            met=overhead <= 1.15 or writers != 1,
        )
    for writers in WRITERS:
        r = results[writers]
        print(f"  {writers:>2} writer(s): option b write side (sequence, no chain lock) {spread(r['sequence'], '/s')}")
    one, sixteen = statistics.median(results[1]["project"]), statistics.median(results[16]["project"])
    scaling = verdict("scaling", sixteen / one >= 1.8)
    print(f"  scaling: 16 writers / 1 writer = {sixteen / one:.2f}   goal >= 1.8: {scaling}")
    return exit_status()


if __name__ == "__main__":
    sys.exit(main())
