"""What each dependency is doing (CRM, accounts database, cache, replica), as this process sees it.

* Engines report their own failures and successes (SQLAlchemy events, see ``watch``): the state follows the
  real traffic, and a failure is known at once.
* A dependency that *hung* (a timeout, not a refusal, which costs nothing) is **tripped**: for a few seconds
  the requests that need it fail at once (503) instead of each one waiting out its own timeout, which is how
  a frozen database used to park every request thread. A background probe with short timeouts closes it as
  soon as the dependency answers; should the probe be gone, one request at a time tries after the cooldown.
* ``/health`` answers from this state and asks a bounded probe to refresh it in the background: it never
  waits on a dependency itself (only a process's very first call waits, at most ``FIRST_WAIT`` seconds).
"""

from __future__ import annotations

import datetime as dt
import logging
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from data.errors import UnavailableError

log = logging.getLogger(__name__)
#: Seconds between two log lines about the same dependency still failing (not a traceback per request).
LOG_EVERY = 60.0
#: A probe still waiting after this many seconds means its dependency does not answer (before its timeout).
SLOW = 1.0


def timed_out(exc: BaseException) -> bool:
    """Is ``exc`` (or its cause) a wait that ran out, rather than a refusal or a wrong statement?"""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, (TimeoutError, socket.timeout, sa.exc.TimeoutError)):
            return True
        if "timed out" in str(seen).lower() or "timeout" in type(seen).__name__.lower():
            return True
        seen = getattr(seen, "orig", None) or seen.__cause__ or seen.__context__
    return False


def describe(exc: BaseException) -> str:
    """One line about a failure (no stack); the driver's text may name hosts: for logs and operators only."""
    orig = getattr(exc, "orig", None) or exc
    return f"{type(orig).__name__}: {str(orig).splitlines()[0][:200] if str(orig) else ''}"


class Dependency:
    """One dependency's state: up or down since when, why, and whether requests skip it for now (tripped)."""

    def __init__(self, name: str, probe: Callable[[], Any] | None, *, cooldown: float, trial: float) -> None:
        self.name = name
        self.probe = probe
        self.cooldown = cooldown  # seconds requests skip a dependency that hung
        self.trial = trial  # seconds one request may take to try it again (its own timeout)
        self.ok: bool | None = None
        self.since: str | None = None  # ISO time of the last change of state
        self.error: str | None = None
        self.checked = 0.0  # monotonic time of the last observation
        self.tripped = False
        self._until = 0.0
        self._logged = 0.0
        self._lock = threading.Lock()
        self.on_down: Callable[[], Any] = lambda: None  # the monitor starts its probe
        self.probing = False  # while a probe watches it, no request needs to try it
        self.probing_since: float | None = None  # monotonic start of the probe in flight, if any

    def failed(self, exc: BaseException, *, hung: bool | None = None) -> None:
        """Record a failure; a hang trips the dependency for ``cooldown`` seconds. Logged once a minute."""
        hung = timed_out(exc) if hung is None else hung
        now = time.monotonic()
        with self._lock:
            changed = self.ok is not False
            self.ok, self.error, self.checked = False, describe(exc), now
            if changed:
                self.since = _now()
            if hung:
                self.tripped, self._until = True, now + self.cooldown
            loud = changed or now - self._logged >= LOG_EVERY
            if loud:
                self._logged = now
        if loud:
            log.warning("%s: %s%s", self.name, self.error, " (skipped for a few seconds)" if hung else "")
        self.on_down()

    def succeeded(self) -> None:
        """Record that the dependency answered."""
        now = time.monotonic()
        if self.ok and not self.tripped:
            self.checked = now  # the common case: no lock, nothing changes
            return
        with self._lock:
            back = self.ok is False
            self.ok, self.error, self.tripped, self.checked = True, None, False, now
            self.since = _now()
        if back:
            log.warning("%s: answering again", self.name)

    def blocked(self) -> bool:
        """Should a request skip this dependency now? After the cooldown, one request at a time may try."""
        if not self.tripped:
            return False
        now = time.monotonic()
        with self._lock:
            if not self.tripped:
                return False
            if now < self._until or (self.probing and self.probe is not None):
                return True  # the probe will say when it answers again
            self._until = now + self.trial  # no probe: this caller tries, the others wait for its outcome
            return False

    def check(self) -> None:
        """Raise ``UnavailableError`` if requests skip this dependency now."""
        if self.blocked():
            raise UnavailableError(self.name, "skipped after a timeout")

    def answering(self) -> bool:
        """Is it answering, as far as this process knows? Not if it failed, nor while a probe of it has been
        waiting for more than ``SLOW`` seconds (a ``SELECT 1`` takes milliseconds: it hangs)."""
        started = self.probing_since
        return self.ok is not False and not (started is not None and time.monotonic() - started > SLOW)

    def snapshot(self) -> dict[str, Any]:
        """The state for ``/health`` (French values; the driver's text stays in the log)."""
        state = {None: "inconnu", True: "ok", False: "indisponible"}[self.ok]
        if self.ok is not False and not self.answering():
            state = "ne répond pas"
        return {"etat": state, "depuis": self.since}


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def watch(engine: sa.Engine, dependency: Dependency) -> None:
    """Let ``engine`` report its connection-level failures and its successes to ``dependency``.

    A statement that fails on its own (a syntax error, MariaDB's statement timeout) says nothing about the
    server: only failures to connect and lost connections count.
    """

    @sa.event.listens_for(engine, "handle_error")
    def _failed(context: sa.engine.ExceptionContext) -> None:
        if context.connection is None or context.is_disconnect or timed_out(context.original_exception):
            dependency.failed(context.original_exception)

    @sa.event.listens_for(engine, "after_cursor_execute")
    def _answered(*_args: Any) -> None:
        dependency.succeeded()
