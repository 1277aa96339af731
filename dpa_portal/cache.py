"""Django's Redis cache, for which an unreachable Redis is a miss instead of an error.

Sessions (`cached_db`: the database is their source of truth), rate limits and API throttles
share this cache. When Redis cannot be reached, a read answers as if the key were absent and a
write is dropped, so a signed-in page is served from the database instead of answering 500.
The first failure opens a breaker: for RETRY_SECONDS no request waits on Redis again, and the
log says `cache.unavailable` once, then at most once a minute while it lasts.

A value is stale once Redis is back if its overwrite or delete was dropped (a session signed
out, or given its second factor, during the outage). So the first operation after an outage
first deletes the keys this process could not write and every key matching FLUSH_ON_RECOVERY
(the session copies: their next read comes from the database), then logs `cache.recovered`.
Each process that saw the outage does so before it reads anything; see docs/architecture.md
"When Redis is down" for what each rate limit does meanwhile.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, Literal, TypeVar, cast

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("dpa_portal.cache")
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
LOG_EVERY_SECONDS = 60.0
LOST_KEYS_MAX = 10_000  # past this, only FLUSH_ON_RECOVERY guards against stale values
T = TypeVar("T")


class _Breaker:
    """One per Redis location and key prefix, shared by every thread of the process."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.down_since: float | None = None
        self.retry_at = 0.0
        self.logged_at = 0.0
        self.skipped = 0
        self.lost: set[str] = set()
        self.logged: dict[str, float] = {}  # per outage: when each kind of line was last written


_BREAKERS: dict[str, _Breaker] = {}
_BREAKERS_LOCK = threading.Lock()


def _breaker(name: str) -> _Breaker:
    with _BREAKERS_LOCK:
        return _BREAKERS.setdefault(name, _Breaker())


class ResilientRedisCache(RedisCache):
    """OPTIONS beyond redis-py's: RETRY_SECONDS (default 5) and FLUSH_ON_RECOVERY (key patterns,
    before the prefix). Without explicit socket timeouts a blackholed Redis would hold each
    request for the operating system's TCP timeout, so they default to one second."""

    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS", {}))
        self.retry_seconds = float(options.pop("RETRY_SECONDS", 5))
        self.flush_on_recovery: tuple[str, ...] = tuple(options.pop("FLUSH_ON_RECOVERY", ()))
        options.setdefault("socket_connect_timeout", 1.0)
        options.setdefault("socket_timeout", 1.0)
        super().__init__(server, {**params, "OPTIONS": options})
        self._breaker = _breaker(f"{server}|{self.key_prefix}")

    @property
    def _client(self) -> RedisCacheClient:
        # Django's RedisCache builds it lazily (a cached property django-stubs does not declare).
        return cast(RedisCacheClient, getattr(self, "_cache"))  # noqa: B009

    def log_limited(self, name: str, level: int, message: str, *args: Any) -> None:
        """Log `message` once per outage and `name`, then at most once a minute (an outage would
        otherwise write one line per request)."""
        now, logged = time.monotonic(), self._breaker.logged
        if now - logged.get(name, -LOG_EVERY_SECONDS) >= LOG_EVERY_SECONDS:
            logged[name] = now
            logger.log(level, message, *args)

    # --- the breaker ---------------------------------------------------------------------------
    def is_down(self) -> bool:
        return self._breaker.down_since is not None

    def _guarded(self, op: str, call: Callable[[], T], miss: T, lost: Iterable[str] = ()) -> T:
        breaker = self._breaker
        if breaker.down_since is not None and time.monotonic() < breaker.retry_at:
            self._lose(lost)
            breaker.skipped += 1
            return miss
        try:
            if breaker.down_since is not None:
                self._recover()
            return call()
        except UNREACHABLE as error:
            self._failed(op, error)
            self._lose(lost)
            return miss

    def _lose(self, keys: Iterable[str]) -> None:
        lost = self._breaker.lost
        with self._breaker.lock:
            for key in keys:
                if len(lost) < LOST_KEYS_MAX:
                    lost.add(key)

    def _failed(self, op: str, error: Exception) -> None:
        breaker, now = self._breaker, time.monotonic()
        with breaker.lock:
            first = breaker.down_since is None
            if first:
                breaker.down_since, breaker.logged = now, {}
            breaker.retry_at = now + self.retry_seconds
            if first or now - breaker.logged_at >= LOG_EVERY_SECONDS:
                breaker.logged_at = now
                logger.warning(
                    "cache.unavailable op=%s error=%s skipped=%d retry_in_s=%g",
                    op,
                    type(error).__name__,
                    breaker.skipped,
                    self.retry_seconds,
                )

    def _recover(self) -> None:
        """Delete what may be stale, then close the breaker. An error leaves it open."""
        breaker = self._breaker
        client = self._client.get_client(write=True)
        client.ping()  # back? (with nothing to delete, nothing else would ask)
        flushed = 0
        for pattern in self.flush_on_recovery:
            batch: list[Any] = []
            for key in client.scan_iter(match=self.make_key(pattern), count=1000):
                batch.append(key)
                if len(batch) == 500:
                    flushed += int(client.unlink(*batch))
                    batch = []
            if batch:
                flushed += int(client.unlink(*batch))
        with breaker.lock:
            lost = list(breaker.lost)
        if lost:
            flushed += int(client.unlink(*lost))
        with breaker.lock:
            breaker.lost.difference_update(lost)  # only once deleted: Redis may fail again meanwhile
            down_since, breaker.down_since = breaker.down_since, None
            skipped, breaker.skipped = breaker.skipped, 0
        logger.info(
            "cache.recovered down_s=%.1f skipped=%d stale_deleted=%d",
            time.monotonic() - (down_since or time.monotonic()),
            skipped,
            flushed,
        )

    def _expiry(self, timeout: float | None) -> Any:
        # Whole seconds or None (persist), as RedisCache passes them (django-stubs says float).
        seconds = self.get_backend_timeout(timeout)
        return None if seconds is None else int(seconds)

    # --- Django's cache API: each operation, with what it answers when Redis is unreachable --
    def add(self, key: Any, value: Any, timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        made = self.make_and_validate_key(key, version=version)
        return self._guarded("add", lambda: self._client.add(made, value, self._expiry(timeout)), False)

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        made = self.make_and_validate_key(key, version=version)
        return self._guarded("get", lambda: self._client.get(made, default), default)

    def set(self, key: Any, value: Any, timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        made = self.make_and_validate_key(key, version=version)
        self._guarded("set", lambda: self._client.set(made, value, self._expiry(timeout)), None, [made])

    def touch(self, key: Any, timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        made = self.make_and_validate_key(key, version=version)
        return self._guarded("touch", lambda: self._client.touch(made, self._expiry(timeout)), False)

    def delete(self, key: Any, version: int | None = None) -> bool:
        made = self.make_and_validate_key(key, version=version)
        return self._guarded("delete", lambda: self._client.delete(made), False, [made])

    def get_many(self, keys: Iterable[Any], version: int | None = None) -> dict[Any, Any]:
        keys = list(keys)
        return self._guarded("get_many", lambda: RedisCache.get_many(self, keys, version), {})

    def has_key(self, key: Any, version: int | None = None) -> bool:
        made = self.make_and_validate_key(key, version=version)
        return self._guarded("has_key", lambda: self._client.has_key(made), False)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> Any:
        """As for a key that is not there: ValueError (rate limiters read it as "not counted")."""
        made = self.make_and_validate_key(key, version=version)
        missing = object()
        result = self._guarded("incr", lambda: self._client.incr(made, delta), missing)
        if result is missing:
            raise ValueError(f"Key '{key}' not found (the cache is unreachable).")
        return result

    def set_many(
        self, data: dict[Any, Any], timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[Any]:
        made = [self.make_and_validate_key(key, version=version) for key in data]

        def store() -> bool:
            RedisCache.set_many(self, data, timeout, version)
            return True

        return [] if self._guarded("set_many", store, False, made) else list(data)

    def delete_many(self, keys: Iterable[Any], version: int | None = None) -> None:
        keys = list(keys)
        made = [self.make_and_validate_key(key, version=version) for key in keys]
        self._guarded("delete_many", lambda: RedisCache.delete_many(self, keys, version), None, made)

    def clear(self) -> None:
        self._guarded("clear", self._client.clear, False)


def cache_down(alias: str = "default") -> ResilientRedisCache | None:
    """The cache `alias` when it is Redis and was unreachable at its last attempt."""
    backend = caches[alias]
    return backend if isinstance(backend, ResilientRedisCache) and backend.is_down() else None


def counted(limit: str, *, fails: Literal["open", "closed"]) -> bool:
    """Whether the shared cache could count this call against `limit`. When Redis was unreachable
    the answer is False and the log says which limit went uncounted and what it did (ERROR, once
    a minute per limit): "open" lets the call through, "closed" refuses it with a 503 that says
    to try again shortly. Each limit's choice and why: docs/architecture.md "When Redis is down"."""
    down = cache_down()
    if down is None:
        return True
    down.log_limited(f"ratelimit.{limit}", logging.ERROR, "ratelimit.uncounted limit=%s fails=%s", limit, fails)
    return False
