"""A closed-loop HTTP load in its own process: Debian's `wrk` (C, one epoll thread), so the
clients cost the two cores little and the figure is the server's, not the load generator's.

Each of `connections` keep-alive connections asks again as soon as it is answered, for
`seconds`; wrk's own latency histogram gives the percentiles (`load.lua` prints them)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import NamedTuple

SCRIPT = Path(__file__).with_name("load.lua")
INSTALL = "the 32-client phase needs wrk: run `make bench` as root, or `sudo apt-get install -y wrk`"


class Load(NamedTuple):
    p95: float  # ms
    median: float  # ms
    calls: int
    failed: int  # connect, read, write errors, timeouts and answers other than 2xx/3xx


def wrk() -> str:
    """wrk's path, or exit with how to install it."""
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit(INSTALL)
    return found


def closed_loop(url: str, *, connections: int, seconds: float, timeout: float, headers: dict[str, str]) -> Load:
    command = [wrk(), "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", f"--timeout={round(timeout)}s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    result = subprocess.run(  # noqa: S603  (wrk from PATH, our own arguments)
        [*command, "-s", str(SCRIPT), url], capture_output=True, text=True, check=True
    )
    line = next(line for line in result.stdout.splitlines() if line.startswith("LOAD "))
    calls, p95_us, median_us, failed = (int(float(field)) for field in line.split()[1:])
    return Load(p95_us / 1000, median_us / 1000, calls, failed)
