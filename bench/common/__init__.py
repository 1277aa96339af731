"""What every benchmark shares: Django on a throw-away PostgreSQL database, interleaved timing,
and one line per figure: the project's number, the floor measured in the same run, the ratio
and the goal."""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dpa_portal.settings.test")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402


@contextmanager
def throwaway_database() -> Iterator[str]:
    """A fresh, migrated database named after DATABASE_URL's (bench_<name>), dropped at the end."""
    if connection.vendor != "postgresql":
        sys.exit("the benchmarks need PostgreSQL: set DATABASE_URL=postgres://...")
    old_name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"bench_{old_name}"  # never the pytest database
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        yield name
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def interleaved(variants: dict[str, Callable[[], float]], runs: int) -> dict[str, list[float]]:
    """Each variant returns its own figure; the variants alternate so drift hits all alike."""
    results: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(runs):
        for name, run in variants.items():
            results[name].append(run())
    return results


def timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def spread(values: list[float], unit: str = "", digits: int = 0) -> str:
    fmt = f"{{:,.{digits}f}}"
    return f"{fmt.format(statistics.median(values))}{unit} ({fmt.format(min(values))}-{fmt.format(max(values))})"


# Every goal this process found missed: its exit status (`exit_status`), which `make bench` reports.
MISSED: list[str] = []


def verdict(name: str, met: bool) -> str:
    """'met' or 'MISSED' for a figure with a goal, remembering the miss."""
    if not met:
        MISSED.append(name)
    return "met" if met else "MISSED"


def exit_status() -> int:
    return 1 if MISSED else 0


def figure(
    name: str, project: list[float], floor: list[float], *, unit: str, goal: str, met: bool, digits: int = 0
) -> None:
    """One line: medians with (min-max), ratio project/floor of the medians, the goal if it has one."""
    ratio = statistics.median(project) / statistics.median(floor)
    judged = "goal -" if goal == "-" else f"goal {goal}: {verdict(name, met)}"
    print(
        f"  {name:<34} project {spread(project, unit, digits):<28} floor {spread(floor, unit, digits):<28} "
        f"ratio {ratio:5.2f}   {judged}",
        flush=True,
    )
