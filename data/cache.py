"""The result cache (an unbound Flask-Caching extension) and the memoizing decorators of query functions.

Three layers, all keyed on the data version so that a refresh invalidates them:

* ``memoized``: the shared result cache (Flask-Caching: SimpleCache in one process, Redis across workers and
  hosts), keyed on the function's arguments (``repr`` of Filters and Scope). Identical questions in flight
  are computed once: the others wait for the first one's answer (a lock per question in the process, and a
  Redis lock across workers when Redis is the cache);
* the same decorator also remembers results for the rest of the current request, so an area that needs the
  same aggregate for two of its charts asks the cache (or the database) once;
* ``reference``: small reference data every request needs (codes and their labels, users, date limits) is
  kept in the process for the current data version, instead of a round trip to the cache each time.

Redis is reached with short timeouts and a circuit breaker (``ResilientRedisCache``): a Redis that is down or
hung costs one short timeout, then is skipped for a few seconds; answers are computed uncached meanwhile, and
the log says so once a minute, not with a traceback per call.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import functools
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import redis
from flask import Flask, current_app, g, has_app_context
from flask_caching import Cache
from flask_caching.backends.rediscache import RedisCache
from redis.backoff import NoBackoff
from redis.retry import Retry

from data.health import Dependency

cache = Cache()

T = TypeVar("T")
REFERENCE_ENTRIES = 256  # per process: enough for every codification type, users and date limits


def data_version() -> str:
    """The version of the data being served; part of every cache key so a refresh invalidates."""
    from data import db  # the replica check may bump the version

    db.read_engine()
    return str(current_app.extensions["mediviz"]["data_version"])


def _private(value: T) -> T:
    """A copy the caller may change without changing the remembered result (DataFrames are mutable)."""
    method = getattr(value, "copy", None)
    if callable(method):
        copied: T = method()
        return copied
    return copy.copy(value)


def memoized(fn: Callable[..., T]) -> Callable[..., T]:
    """Memoize a query function on its arguments and the data version (shared cache, then per request);
    identical calls in flight compute once."""
    name = f"{fn.__module__}.{fn.__qualname__}"

    @functools.wraps(fn)
    def wrapper(*args: object) -> T:
        version = data_version()
        digest = hashlib.sha256(f"{version}\0{args!r}".encode()).hexdigest()[:32]
        key = f"memo:{name}:{digest}"
        seen: dict[str, Any] = g.setdefault("mediviz_memo", {}) if has_app_context() else {}
        if key not in seen:
            seen[key] = _cached(key, lambda: fn(*args))
        return _private(seen[key])

    wrapper.uncached = fn  # type: ignore[attr-defined]
    return wrapper


def _cached(key: str, compute: Callable[[], T]) -> T:
    """The cached value under ``key``, else computed once however many ask at the same moment."""
    value: T | None = cache.get(key)
    if value is not None:
        return value
    with _single_flight(key):
        value = cache.get(key)  # the first one in may have stored it meanwhile
        if value is None:
            value = compute()
            cache.set(key, value)
    return value


_FLIGHTS: dict[str, list[Any]] = {}  # key -> [lock, number of threads using it]
_FLIGHTS_LOCK = threading.Lock()


@contextlib.contextmanager
def _single_flight(key: str) -> Iterator[None]:
    """Hold the question's lock: in this process, then across workers (Redis) when Redis is the cache."""
    with _FLIGHTS_LOCK:
        entry = _FLIGHTS.setdefault(key, [threading.Lock(), 0])
        entry[1] += 1
    try:
        with entry[0]:
            store = cache.cache
            shared = store.lock(key) if isinstance(store, ResilientRedisCache) else contextlib.nullcontext()
            with shared:
                yield
    finally:
        with _FLIGHTS_LOCK:
            entry[1] -= 1
            if entry[1] == 0:
                del _FLIGHTS[key]


def reference(fn: Callable[..., T]) -> Callable[..., T]:
    """Keep a small reference result in this process for the current data version (LRU, thread-safe)."""
    store: OrderedDict[Any, Any] = OrderedDict()
    lock = threading.Lock()

    @functools.wraps(fn)
    def wrapper(*args: object) -> T:
        state = current_app.extensions["mediviz"]
        key = (state["token"], data_version(), repr(args))
        now = time.monotonic()
        with lock:
            if key in store and store[key][0] > now:
                store.move_to_end(key)
                return _private(store[key][1])
        value = fn(*args)
        # Expire anyway after the cache timeout: serving from the CRM, the data version never changes.
        expires = now + float(current_app.config["CACHE_DEFAULT_TIMEOUT"])
        with lock:
            store[key] = (expires, value)
            while len(store) > REFERENCE_ENTRIES:
                store.popitem(last=False)
        return _private(value)

    wrapper.uncached = fn  # type: ignore[attr-defined]
    wrapper.clear = store.clear  # type: ignore[attr-defined]
    return wrapper


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
        return _RedisFlight(self, self._write_client.lock(name, timeout=self.lease_seconds, sleep=0.05))

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
