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
import functools
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from flask import current_app, g, has_app_context
from flask_caching import Cache

from data.redis_cache import ResilientRedisCache

cache = Cache()

T = TypeVar("T")
REFERENCE_ENTRIES = 256  # per process: enough for every codification type, users and date limits


def data_version() -> str:
    """The version of the data being served; part of every cache key so a refresh invalidates."""
    from data.source import db  # the replica check may bump the version

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
