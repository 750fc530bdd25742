"""The health monitor of one app: a background thread probes every dependency (CRM, accounts database, Redis, the
replica) each second once started, each probe in its own thread with short timeouts, so that ``/health`` and the
outage banner answer from state kept fresh, never by waiting on a dependency."""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from typing import Any

from data.source.health import Dependency

#: Seconds between two probes of a dependency known to be down (the recovery is seen within this).
PROBE_EVERY = 1.0


#: The first ``/health`` of a process waits at most this long for the first probe.
FIRST_WAIT = 3.0


#: Seconds after which ``/health`` and the footer have the state probed again (in the background).
STATE_MAX_AGE = 1.0


#: Every monitor of this process (tests build many apps: their probes are stopped after each test).
MONITORS: weakref.WeakSet[Monitor] = weakref.WeakSet()


class Monitor:
    """The dependencies of one app, their probe, and the background thread that runs it while one is down."""

    def __init__(self, run_in_app: Callable[[Callable[[], Any]], Any]) -> None:
        self.dependencies: dict[str, Dependency] = {}
        self._run_in_app = run_in_app  # probes need the app's context (engines, configuration)
        self._thread: threading.Thread | None = None
        self._thread_lock = threading.Lock()
        self._first = threading.Event()
        self._stop = threading.Event()
        MONITORS.add(self)

    def add(self, name: str, probe: Callable[[], Any] | None, *, cooldown: float, trial: float) -> Dependency:
        return self.adopt(Dependency(name, probe, cooldown=cooldown, trial=trial))

    def adopt(self, dependency: Dependency, name: str | None = None) -> Dependency:
        """Watch ``dependency`` (under ``name``): when it fails, the probe runs until it answers."""
        self.dependencies[name or dependency.name] = dependency
        dependency.on_down = self._start
        return dependency

    def __getitem__(self, name: str) -> Dependency:
        return self.dependencies[name]

    def probe_all(self, only_down: bool = False) -> None:
        """Ask every dependency once, or only those down and those not seen for ``STATE_MAX_AGE``; all at once
        (one that hangs delays no other's answer; each probe is bounded by its own short timeouts)."""
        unique = {id(d): d for d in self.dependencies.values() if d.probe is not None}  # "comptes" may be "crm"
        now = time.monotonic()
        chosen = [d for d in unique.values() if not only_down or d.ok is False or now - d.checked > STATE_MAX_AGE]
        threads = [threading.Thread(target=self._probe, args=(d,), name="mediviz-probe-one") for d in chosen]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self._first.set()

    def _probe(self, dependency: Dependency) -> None:
        dependency.probing_since = time.monotonic()
        try:
            self._run_in_app(dependency.probe)  # type: ignore[arg-type]  # chosen: it has a probe
        except Exception as exc:  # noqa: BLE001 - any failure is the dependency's state
            dependency.failed(exc)
        else:
            dependency.succeeded()
        finally:
            dependency.probing_since = None

    def watch(self, max_age: float) -> None:
        """Make sure the background probe runs if the state is older than ``max_age`` or a dependency is down
        (it then keeps running: every ``PROBE_EVERY`` seconds it asks what is down and what has not been seen
        for ``STATE_MAX_AGE``). Never waits, except the first time."""
        stale = any(d.probe is not None and time.monotonic() - d.checked > max_age for d in self.dependencies.values())
        if stale or self.down():
            self._start()
        if all(d.checked == 0 for d in self.dependencies.values()):  # nothing known at all yet: wait a little
            self._first.wait(FIRST_WAIT)

    def down(self) -> bool:
        return any(d.ok is False for d in self.dependencies.values() if d.probe is not None)

    def _start(self) -> None:
        with self._thread_lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name="mediviz-probe", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """End the background probe (it starts again when a dependency fails or ``/health`` asks)."""
        self._stop.set()

    def _loop(self) -> None:
        watched = [d for d in self.dependencies.values() if d.probe is not None]
        for dependency in watched:
            dependency.probing = True
        try:  # once started (a failure, or the first /health), the state is kept fresh until the app stops: a
            # /health queued behind requests stuck on a hung database still finds a state at most ~1 s old
            self.probe_all()
            while not self._stop.wait(PROBE_EVERY):
                self.probe_all(only_down=True)  # what is down, and what requests have not used for a second
        finally:
            for dependency in watched:
                dependency.probing = False


def stop_all() -> None:
    """Stop every monitor's background probe (tests: no probe of a finished test's app keeps running)."""
    for monitor in list(MONITORS):
        monitor.stop()
