"""A Redis of the test's own as the shared cache, which the test stops and starts again.

It keeps its data across a restart (SAVE before stopping, loaded at start), as a Redis cut off
by the network would: that is when a copy written before the outage is stale after it."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from django.core.cache import caches
from django.test import override_settings

from dpa_portal.celery import app as celery_app
from tests.ratings.celery_broker import MISSING, PORT, drop_producer_pools

SESSION_PREFIX = "django.contrib.sessions.cached_db"


class CacheServer:
    def __init__(self, folder: Path, port: int = PORT) -> None:
        self.folder, self.port = folder, port
        self.process: subprocess.Popen[bytes] | None = None
        self.prefix = f"test-{uuid.uuid4().hex[:12]}"

    @property
    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, db=1, socket_connect_timeout=0.5)

    def _ping(self) -> bool:
        try:
            return bool(self.client.ping())
        except redis.ConnectionError:
            return False

    def start(self) -> None:
        executable = shutil.which("redis-server")
        if executable is None:
            pytest.fail(MISSING, pytrace=False)
        if self._ping():
            pytest.fail(f"Port {self.port} already has a Redis server; set TEST_REDIS_PORT to a free port.")
        args = ["--port", str(self.port), "--bind", "127.0.0.1", "--appendonly", "no", "--save", ""]
        args += ["--dir", str(self.folder), "--dbfilename", "cache.rdb"]
        self.process = subprocess.Popen([executable, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 5
        while not self._ping():
            assert self.process.poll() is None, f"redis-server on port {self.port} exited at start"
            assert time.monotonic() < deadline, f"redis-server on port {self.port} did not answer within 5 s"
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.client.save()  # what it holds now comes back with it
            self.process.terminate()
            self.process.wait(timeout=5)
            self.process = None

    def session_keys(self) -> set[str]:
        """The session keys whose copy is in the cache."""
        found = self.client.scan_iter(match=f"{self.prefix}:1:{SESSION_PREFIX}*")
        return {key.decode().rsplit(SESSION_PREFIX, 1)[1] for key in found}

    def settings(self) -> dict[str, Any]:
        return {
            "CACHES": {
                "default": {
                    "BACKEND": "dpa_portal.cache.ResilientRedisCache",
                    "LOCATION": f"redis://127.0.0.1:{self.port}/1",
                    "KEY_PREFIX": self.prefix,
                    # Try Redis again at every operation: the test decides when it is back.
                    "OPTIONS": {"RETRY_SECONDS": 0, "FLUSH_ON_RECOVERY": [f"{SESSION_PREFIX}*"]},
                }
            },
            "SESSION_ENGINE": "django.contrib.sessions.backends.cached_db",
        }


@contextlib.contextmanager
def redis_cache(folder: Path) -> Iterator[CacheServer]:
    """Production's cache and session settings, on a Redis of the test's own."""
    server = CacheServer(folder)
    server.start()
    try:
        with override_settings(**server.settings()):
            yield server
            caches.close_all()
    finally:
        server.stop()


@contextlib.contextmanager
def broker_on(server: CacheServer) -> Iterator[None]:
    """Celery publishes to the same Redis (database 0), as production's defaults do, so one outage
    takes both the cache and the broker away. No worker: what is queued is not run."""
    saved = {key: celery_app.conf[key] for key in ("broker_url", "task_always_eager")}
    saved_env = os.environ.pop("CELERY_BROKER_URL", None)
    celery_app.conf.update(broker_url=f"redis://127.0.0.1:{server.port}/0", task_always_eager=False)
    drop_producer_pools()
    try:
        yield
    finally:
        if saved_env is not None:
            os.environ["CELERY_BROKER_URL"] = saved_env
        celery_app.conf.update(saved)
        drop_producer_pools()
