"""A real Redis broker and an in-process Celery worker for the tests that need them.

The broker is a redis-server of the test's own on TEST_REDIS_PORT (default 6391), never the
shared one: each worktree running the suite at the same time sets its own port, since a shared
one lets two runs talk to each other's broker. Without redis-server these tests fail and say
how to install it; a skipped broker test would hide that delivery was never exercised.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.core import mail

from dpa_portal.celery import app as celery_app
from ratings.constants import RequestState
from ratings.models import Notification, RatingRequest
from tests.factories import Cast, request_in_state

PORT = int(os.environ.get("TEST_REDIS_PORT", "6391"))
MISSING = (
    "redis-server is not installed, and this test runs a real Celery broker. "
    "Install it with: apt-get install -y redis-server"
)


def _ping(port: int) -> bool:
    try:
        return bool(redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=0.2).ping())
    except redis.ConnectionError:
        return False


class Broker:
    """Our own redis-server, started and stopped by the test."""

    def __init__(self, port: int = PORT) -> None:
        self.port = port
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        executable = shutil.which("redis-server")
        if executable is None:
            pytest.fail(MISSING, pytrace=False)
        if _ping(self.port):
            pytest.fail(
                f"Port {self.port} already has a Redis server; set TEST_REDIS_PORT to a free port.", pytrace=False
            )
        self.process = subprocess.Popen(
            [executable, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 5
        while not _ping(self.port):
            assert self.process.poll() is None, f"redis-server on port {self.port} exited at start"
            assert time.monotonic() < deadline, f"redis-server on port {self.port} did not answer within 5 s"
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=5)
            self.process = None


def drop_producer_pools() -> None:
    # The app caches its connection and producer pools with the broker address they were made
    # with; forget them so publishing follows the broker_url set here (Celery does the same
    # after a fork, in Celery._after_fork).
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextlib.contextmanager
def private_broker(port: int = PORT) -> Iterator[Broker]:
    """A redis-server of the test's own as the Celery broker, stopped (or stoppable) at will.

    Celery lets a CELERY_BROKER_URL environment variable win over broker_url, so it is hidden
    while the private broker is in use."""
    server = Broker(port=port)
    server.start()
    saved = {key: celery_app.conf[key] for key in ("broker_url", "task_always_eager")}
    saved_env = os.environ.pop("CELERY_BROKER_URL", None)
    celery_app.conf.update(broker_url=f"redis://127.0.0.1:{port}/0", task_always_eager=False)
    drop_producer_pools()
    try:
        yield server
    finally:
        server.stop()
        if saved_env is not None:
            os.environ["CELERY_BROKER_URL"] = saved_env
        celery_app.conf.update(saved)
        drop_producer_pools()


def worker():
    return start_worker(celery_app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=10)


def wait_until(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting for the worker"
        time.sleep(0.05)


def recommended(cast: Cast) -> RatingRequest:
    # Built with eager tasks: only the approval's notices go through the broker.
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        rr = request_in_state(cast, RequestState.RECOMMENDED)
    finally:
        celery_app.conf.task_always_eager = previous
    Notification.objects.all().delete()
    mail.outbox.clear()
    return rr
