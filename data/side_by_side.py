"""An answer's independent query functions computed side by side: their statements run at once on the replica.

DuckDB releases the GIL while it plans and executes a statement, and most of a small statement's time on the
replica is that planning, on one core: the rep page's nine statements at 1M visits take 58 ms one after the
other and 42–47 ms two at a time (the replica's slots, ``REPLICA_CONCURRENCY``, bound how many run at once).

``compute`` takes memoized query functions (``data.cache.memoized``, or functions that call them) with their
arguments. It runs the first in the request's own thread and the others in a small pool, every one of them
writing into the request's memo, then returns when all have ended: the code that follows asks for the same
calls, as it would have anyway, and finds their results. The numbers are the same functions' whichever way they
run. An error is the call's own (the first one met), raised in the request's thread once every call started has
ended, so that the usual handlers turn it into the usual answer (503, 504, …) and no call outlives its request;
a call still queued then is not run (an overloaded replica is not asked for more).

Reading from anything but DuckDB (the CRM itself on MariaDB or SQLite: ``MEDIVIZ_SERVE_FROM=crm``, most tests), or
with a single replica slot, the calls run one after the other in the request's thread, as before.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from flask import current_app, g

#: Threads per process beside the request's own: with it, as many statements at once as the default slots.
WORKERS = 2
#: The request's memo (``data.cache.memoized``), shared with the threads of a ``compute``.
MEMO = "mediviz_memo"

Call = tuple[Callable[..., Any], tuple[Any, ...]]

_pool: tuple[int, ThreadPoolExecutor] | None = None
_pool_lock = threading.Lock()


def compute(*calls: Call) -> None:
    """Run ``calls`` (``(function, arguments)``) side by side on DuckDB, their results left in the request's memo,
    and raise the first error met once all have ended; elsewhere, one after the other (the first error stops them)."""
    from data.source import db

    state = current_app.extensions["mediviz"]
    if len(calls) < 2 or db.read_engine().dialect.name != "duckdb" or state["admission"].slots < 2:
        for fn, args in calls:  # one statement at a time anyway with a single slot
            fn(*args)
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    memo: dict[str, Any] = g.setdefault(MEMO, {})

    def run(fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        with app.app_context():
            setattr(g, MEMO, memo)  # one dict for the request: CPython's dict writes are atomic
            fn(*args)

    started: list[tuple[Future[None], Call]] = [(_executor().submit(run, *call), call) for call in calls[1:]]
    errors: list[BaseException] = []
    _collect(errors, lambda: calls[0][0](*calls[0][1]))
    for future, (fn, args) in started:
        if future.cancel():  # still queued behind other requests' calls: this thread runs it, unless one failed
            if not errors:
                _collect(errors, functools.partial(fn, *args))
        else:
            _collect(errors, future.result)
    if errors:
        raise errors[0]


def _collect(errors: list[BaseException], step: Callable[[], Any]) -> None:
    try:
        step()
    except Exception as exc:  # noqa: BLE001 - raised by ``compute`` once every call has ended
        errors.append(exc)


def _executor() -> ThreadPoolExecutor:
    """This process's pool (a new one in a forked worker: threads do not survive a fork)."""
    global _pool
    with _pool_lock:
        if _pool is None or _pool[0] != os.getpid():
            _pool = (os.getpid(), ThreadPoolExecutor(WORKERS, thread_name_prefix="mediviz-side-by-side"))
        return _pool[1]


def stop() -> None:
    """Let this process's pool's threads end, once their calls have (tests' teardowns: a process's own end does it)."""
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool[1].shutdown(wait=False, cancel_futures=True)
