"""The result cache (an unbound Flask-Caching extension) and the memoizing decorator of query functions."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

from flask import current_app
from flask_caching import Cache

cache = Cache()

T = TypeVar("T")


def data_version() -> str:
    """The version of the data being served; part of every cache key so a refresh invalidates."""
    from data import db  # the replica check may bump the version

    db.read_engine()
    return str(current_app.extensions["mediviz"]["data_version"])


def memoized(fn: Callable[..., T]) -> Callable[..., T]:
    """Memoize a query function on its arguments (``repr`` of Filters and Scope) and the data version."""

    @functools.wraps(fn)
    def with_version(*args: object, _version: str) -> T:
        return fn(*args)

    cached = cache.memoize()(with_version)

    @functools.wraps(fn)
    def wrapper(*args: object) -> T:
        return cached(*args, _version=data_version())

    wrapper.uncached = fn  # type: ignore[attr-defined]
    return wrapper
