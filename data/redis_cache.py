"""The Redis result cache of Flask-Caching made resilient: every call bounded (0.5 s), a Redis that fails or hangs
skipped for a while (a breaker: answers are computed, not failed), and a lease lock so that workers compute an
identical question once (renewed while its holder computes)."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import redis
from flask import Flask
from flask_caching.backends.rediscache import RedisCache
from redis.backoff import NoBackoff
from redis.retry import Retry

from data.source.health import Dependency


class ResilientRedisCache(RedisCache):
    """Flask-Caching's Redis cache with short timeouts, no retries and a circuit breaker (``breaker``).

    Every call that fails opens the breaker for ``BREAKER_SECONDS``: calls then answer "not cached" at once,
    and one call at a time tries Redis again after that. ``CACHE_TYPE=RedisCache`` selects this class.
    """

    breaker: Dependency
    lock_seconds = 70.0  # how long a question waits for another worker's computation of it, at most
    lease_seconds = 5.0  # a question's lock outlives its holder by this much at most (a killed worker's)

    @classmethod
    def factory(cls, app: Flask, config: dict[str, Any], args: list[Any], kwargs: dict[str, Any]) -> RedisCache:
        timeout = float(config.get("CACHE_SOCKET_TIMEOUT") or 0.5)
        client = redis.Redis.from_url(
            config.get("CACHE_REDIS_URL") or "redis://127.0.0.1:6379/0",
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 0),  # redis-py retries 3 times by default: 4 timeouts a call
        )
        kwargs.pop("ignore_delete_many_errors", None)
        instance = cls(client, key_prefix=config.get("CACHE_KEY_PREFIX"), **kwargs)
        instance.lock_seconds = float(config.get("QUERY_TIMEOUT_SECONDS") or 60) + 10
        cooldown = float(config.get("BREAKER_SECONDS") or 5)
        instance.breaker = Dependency("cache", instance.ping, cooldown=cooldown, trial=timeout)
        return instance

    def ping(self) -> None:
        """Raise unless Redis answers (the health probe)."""
        self._write_client.ping()

    def lock(self, key: str) -> contextlib.AbstractContextManager[Any]:
        """A Redis lock on one question, waited for as long as a computation may take; nothing if Redis fails."""
        if self.breaker.blocked():
            return contextlib.nullcontext()
        name = f"{self._get_prefix()}flight:{key}"
        # thread_local=False: the token belongs to this lock, not to the thread that took it; the renewing thread
        # must see it (with redis-py's default, reacquire() failed there and the lease lapsed mid-computation)
        lock = self._write_client.lock(name, timeout=self.lease_seconds, sleep=0.05, thread_local=False)
        return _RedisFlight(self, lock)

    def _guard(self, call: Callable[[], Any], fallback: Any) -> Any:
        if self.breaker.blocked():
            return fallback
        try:
            result = call()
        except redis.exceptions.RedisError as exc:
            self.breaker.failed(exc, hung=True)
            return fallback
        self.breaker.succeeded()
        return result

    def get(self, key: str) -> Any:
        return self._guard(lambda: super(ResilientRedisCache, self).get(key), None)

    def get_many(self, *keys: str) -> list[Any]:
        return self._guard(lambda: super(ResilientRedisCache, self).get_many(*keys), [None] * len(keys))

    def has(self, key: str) -> bool:
        return bool(self._guard(lambda: super(ResilientRedisCache, self).has(key), False))

    def set(self, key: str, value: Any, timeout: int | dt.timedelta | None = None) -> Any:
        return self._guard(lambda: super(ResilientRedisCache, self).set(key, value, timeout), False)

    def add(self, key: str, value: Any, timeout: int | dt.timedelta | None = None) -> Any:
        return self._guard(lambda: super(ResilientRedisCache, self).add(key, value, timeout), False)

    def set_many(self, mapping: dict[str, Any], timeout: int | dt.timedelta | None = None) -> Any:
        return self._guard(lambda: super(ResilientRedisCache, self).set_many(mapping, timeout), [])

    def delete(self, key: str) -> Any:
        return self._guard(lambda: super(ResilientRedisCache, self).delete(key), False)

    def delete_many(self, *keys: str) -> Any:
        return self._guard(lambda: super(ResilientRedisCache, self).delete_many(*keys), [])

    def clear(self) -> Any:
        return self._guard(lambda: super(ResilientRedisCache, self).clear(), False)

    def inc(self, key: str, delta: int = 1) -> Any:
        return self._guard(lambda: super(ResilientRedisCache, self).inc(key, delta), None)

    def dec(self, key: str, delta: int = 1) -> Any:
        return self._guard(lambda: super(ResilientRedisCache, self).dec(key, delta), None)


class _RedisFlight:
    """Hold a Redis lock while computing; if Redis fails meanwhile, go on without it (the breaker opens)."""

    def __init__(self, store: ResilientRedisCache, lock: Any) -> None:
        self.store = store
        self.lock = lock
        self.held = False
        self.renewing = threading.Event()

    def __enter__(self) -> None:
        try:
            self.held = bool(self.lock.acquire(blocking=True, blocking_timeout=self.store.lock_seconds))
        except redis.exceptions.RedisError as exc:
            self.store.breaker.failed(exc, hung=True)
        if self.held:  # renewed while this process computes: a killed process's lock lapses within the lease
            threading.Thread(target=self._renew, name="mediviz-flight", daemon=True).start()

    def _renew(self) -> None:
        while not self.renewing.wait(self.store.lease_seconds / 3):
            try:
                self.lock.reacquire()  # a full lease again
            except redis.exceptions.RedisError:  # LockError too: lost, or Redis down; nothing left to hold
                return

    def __exit__(self, *_exc: object) -> None:
        if self.held:
            self.renewing.set()
            with contextlib.suppress(redis.exceptions.RedisError):  # it expires by itself anyway
                self.lock.release()
