"""dpa_portal.cache.ResilientRedisCache with nothing listening: every operation answers as for
a missing key, one warning says so, and for RETRY_SECONDS no operation waits on Redis again."""

from __future__ import annotations

import logging
import socket
import time
import uuid

import pytest

from dpa_portal.cache import ResilientRedisCache


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def unreachable(retry_seconds: float = 60) -> ResilientRedisCache:
    return ResilientRedisCache(
        f"redis://127.0.0.1:{free_port()}/1",
        {"KEY_PREFIX": uuid.uuid4().hex, "OPTIONS": {"RETRY_SECONDS": retry_seconds}},
    )


def test_every_operation_is_a_miss_and_the_outage_is_logged_once(caplog):
    caplog.set_level(logging.INFO, logger="dpa_portal.cache")
    cache = unreachable()

    assert cache.get("k", "default") == "default"
    assert cache.add("k", 1) is False
    assert cache.set("k", 1) is None
    assert cache.touch("k") is False
    assert cache.delete("k") is False
    assert cache.get_many(["a", "b"]) == {}
    assert cache.has_key("k") is False
    assert "k" not in cache
    assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
    assert cache.delete_many(["a", "b"]) is None
    assert cache.get_or_set("k", 5) == 5
    with pytest.raises(ValueError, match="not found"):
        cache.incr("k")
    cache.clear()

    assert cache.is_down()
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("WARNING", "cache.unavailable op=get error=ConnectionError skipped=0 retry_in_s=60")
    ]


def test_while_the_breaker_is_open_nothing_waits_on_redis(monkeypatch):
    cache = unreachable()
    cache.get("k")  # opens the breaker
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: pytest.fail("contacted Redis"))
    monkeypatch.setattr(socket.socket, "connect", lambda *a, **k: pytest.fail("contacted Redis"))

    started = time.monotonic()
    for _ in range(1000):
        cache.get("k")
        cache.set("k", 1)

    assert time.monotonic() - started < 0.5
