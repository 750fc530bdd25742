"""Admission of replica statements: as many at once as DuckDB's memory limit holds, the others queue.

DuckDB's ``memory_limit`` is per process: 20 heavy aggregates at once exhausted it (OutOfMemory at 50 000
visits) where one at a time needs ~200 MB at a million visits. Statements wait for a slot (at most
``ADMISSION_SECONDS``); one that still runs out of memory is tried once more alone; only then, or when the
wait expires, the caller gets ``OverloadedError`` (503 "service surchargé", never "base indisponible").
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

import duckdb
import sqlalchemy as sa

from data.errors import OverloadedError

T = TypeVar("T")


def out_of_memory(exc: BaseException) -> bool:
    """Did DuckDB run out of memory (its own limit, not the machine's)?"""
    return isinstance(getattr(exc, "orig", exc), duckdb.OutOfMemoryException)


class Admission:
    """``slots`` statements at a time; a statement that ran out of memory is run again with every slot."""

    def __init__(self, slots: int, wait: float) -> None:
        self.slots = max(1, slots)
        self.wait = wait
        self._free = threading.Semaphore(self.slots)
        self._alone = threading.Lock()  # one thread at a time gathers every slot (no two half-gathered)

    def run(self, statement: Callable[[], T]) -> T:
        """Run ``statement`` in a slot; on DuckDB's out-of-memory, once more alone; else ``OverloadedError``."""
        if not self._free.acquire(timeout=self.wait):
            raise OverloadedError("no statement slot within the admission wait")
        try:
            return statement()
        except sa.exc.DBAPIError as exc:
            if not out_of_memory(exc):
                raise
        finally:
            self._free.release()
        return self._run_alone(statement)

    def _run_alone(self, statement: Callable[[], T]) -> T:
        deadline = time.monotonic() + self.wait
        held = 0
        if not self._alone.acquire(timeout=self.wait):
            raise OverloadedError("no room to run a statement alone")
        try:
            while held < self.slots:
                if not self._free.acquire(timeout=max(0.0, deadline - time.monotonic())):
                    raise OverloadedError("no room to run a statement alone")
                held += 1
            try:
                return statement()
            except sa.exc.DBAPIError as exc:
                if out_of_memory(exc):
                    raise OverloadedError("out of memory even alone") from exc
                raise
        finally:
            for _ in range(held):
                self._free.release()
            self._alone.release()
