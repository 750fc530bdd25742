"""The result cache (an unbound Flask-Caching extension) and the memoizing decorators of query functions.

Three layers, all keyed on the data version so that a refresh invalidates them:

* ``memoized``: the shared result cache (Flask-Caching: SimpleCache in one process, Redis across workers and
  hosts), keyed on the function's arguments (``repr`` of Filters and Scope);
* the same decorator also remembers results for the rest of the current request, so an area that needs the
  same aggregate for two of its charts asks the cache (or the database) once;
* ``reference``: small reference data every request needs (codes and their labels, users, date limits) is
  kept in the process for the current data version, instead of a round trip to the cache each time.
"""

from __future__ import annotations

import copy
import functools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app, g, has_app_context
from flask_caching import Cache

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
    """Memoize a query function on its arguments and the data version (shared cache, then per request)."""

    @functools.wraps(fn)
    def with_version(*args: object, _version: str) -> T:
        return fn(*args)

    cached = cache.memoize()(with_version)

    @functools.wraps(fn)
    def wrapper(*args: object) -> T:
        version = data_version()
        if not has_app_context():  # pragma: no cover - every caller runs in an app context
            return cached(*args, _version=version)
        seen: dict[Any, Any] = g.setdefault("mediviz_memo", {})
        key = (fn.__module__, fn.__qualname__, repr(args), version)
        if key not in seen:
            seen[key] = cached(*args, _version=version)
        return _private(seen[key])

    wrapper.uncached = fn  # type: ignore[attr-defined]
    return wrapper


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
