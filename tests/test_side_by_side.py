"""An answer's query functions side by side (``data.side_by_side``): on DuckDB they run at once and leave their
results in the request's memo; their errors reach the request once every call has ended; a busy pool or a hung
statement never holds a request without end; elsewhere they run one after the other in the request's thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from data import side_by_side
from data.cache import cache, memoized
from data.errors import UnavailableError
from data.source import db
from tests.conftest import build_app

ran: list[tuple[str, str]] = []  # (call, thread) of every computation of the functions below
MEETING = threading.Barrier(2, timeout=5)
STARTED = threading.Event()  # set by ``slow`` as it starts


@memoized
def meets(name: str) -> str:
    """Waits for a second call at the barrier: one after the other, it would break it after 5 s."""
    ran.append((name, threading.current_thread().name))
    MEETING.wait()
    return name.upper()


@memoized
def plain(name: str) -> str:
    ran.append((name, threading.current_thread().name))
    return name.upper()


@memoized
def fails(name: str) -> str:
    raise UnavailableError("replique", f"{name} failed")


@memoized
def fails_once_slow_runs(name: str) -> str:
    STARTED.wait(5)
    raise UnavailableError("replique", f"{name} failed")


@memoized
def slow(name: str) -> str:
    STARTED.set()
    time.sleep(0.3)
    ran.append((name, threading.current_thread().name))
    return name.upper()


@memoized
def hangs(name: str) -> int:
    """A statement that would run for hours on DuckDB."""
    endless = sa.select(sa.func.count()).select_from(sa.text("range(100000000000) AS r(x), range(10) AS s(y)"))
    return int(db.read(endless)[0][0])


@pytest.fixture
def duckdb_app(duckdb_url: str) -> Any:
    return build_app(duckdb_url, QUERY_TIMEOUT_SECONDS=0.5)


@pytest.fixture(autouse=True)
def _fresh() -> None:
    ran.clear()
    MEETING.reset()
    STARTED.clear()


def test_on_duckdb_the_calls_run_at_once_and_the_request_finds_their_results(duckdb_app: Any) -> None:
    with duckdb_app.server.test_request_context():
        cache.clear()
        side_by_side.compute((meets, ("a",)), (meets, ("b",)))  # one after the other: BrokenBarrierError
        assert sorted(name for name, _ in ran) == ["a", "b"]
        assert len({thread for _, thread in ran}) == 2
        assert (meets("a"), meets("b")) == ("A", "B")
        assert len(ran) == 2  # found, not computed again


def test_an_error_is_the_call_s_own_and_comes_once_every_call_has_ended(duckdb_app: Any) -> None:
    with duckdb_app.server.test_request_context():
        cache.clear()
        with pytest.raises(UnavailableError, match="x failed"):
            side_by_side.compute((fails_once_slow_runs, ("x",)), (slow, ("y",)))
        assert [name for name, _ in ran] == ["y"]  # the slow call had ended when the error came
        assert slow("y") == "Y" and len(ran) == 1


@pytest.fixture
def busy_pool() -> Iterator[None]:
    """Every thread of the pool held by other requests' calls for the test's length."""
    release = threading.Event()
    busy = [side_by_side._executor().submit(release.wait, 30) for _ in range(side_by_side.WORKERS)]
    yield
    release.set()
    for future in busy:
        future.result(timeout=5)


def test_a_busy_pool_does_not_hold_the_request(duckdb_app: Any, busy_pool: None) -> None:
    with duckdb_app.server.test_request_context():
        cache.clear()
        started = time.perf_counter()
        side_by_side.compute((plain, ("a",)), (plain, ("b",)), (plain, ("c",)))
        assert time.perf_counter() - started < 5
        here = threading.current_thread().name
        assert ran == [("a", here), ("b", here), ("c", here)]  # queued behind the others: run here


def test_after_an_error_the_calls_still_queued_are_not_run(duckdb_app: Any, busy_pool: None) -> None:
    with duckdb_app.server.test_request_context():
        cache.clear()
        with pytest.raises(UnavailableError, match="x failed"):
            side_by_side.compute((fails, ("x",)), (plain, ("b",)), (plain, ("c",)))
        assert ran == []  # an overloaded or failing replica is not asked for more


def test_with_one_replica_slot_the_calls_run_one_after_the_other(duckdb_url: str) -> None:
    app = build_app(duckdb_url, REPLICA_CONCURRENCY=1)
    with app.server.test_request_context():
        cache.clear()
        side_by_side.compute((slow, ("a",)), (plain, ("b",)))
        here = threading.current_thread().name
        assert ran == [("a", here), ("b", here)]


def test_a_hung_statement_in_a_call_is_stopped_and_reported(duckdb_app: Any) -> None:
    with duckdb_app.server.test_request_context():
        cache.clear()
        started = time.perf_counter()
        with pytest.raises(db.QueryTimeout):
            side_by_side.compute((plain, ("a",)), (hangs, ("b",)))
        assert time.perf_counter() - started < 5
        assert plain("a") == "A" and len(ran) == 1
        assert db.read(sa.select(sa.literal(1))) == [(1,)]  # the replica keeps serving


def test_elsewhere_the_calls_run_one_after_the_other_in_the_request_s_thread(sqlite_app: Any) -> None:
    with sqlite_app.server.test_request_context():
        cache.clear()
        side_by_side.compute((slow, ("a",)), (plain, ("b",)))
        here = threading.current_thread().name
        assert ran == [("a", here), ("b", here)]
