"""Keeps the replica fresh: one refreshing process per host, however many workers serve it.

Every worker of a host runs a :class:`Refresher` thread. Each tick it tries to take an exclusive ``flock`` on
``<replica>.leader`` without waiting; the one worker that holds it (the kernel frees it if that worker dies, and
another takes over at its next tick) runs the refresh in a child process (``python -m data.source.refresh_job``), so
that the memory a build needs is given back to the system as soon as it ends and never grows a worker. The
others only notice the new version at their next request (``data.source.db.read_engine``).

The job is supervised: it ends after ``timeout`` seconds (the child's own alarm, and a kill from here a little
later), it ends with this worker (no orphan holds the replica's lock), and whatever way it fails, the status
file says so (the job writes its own failures; a job killed or crashed is recorded here).
"""

from __future__ import annotations

import fcntl
import logging
import os
import signal
import subprocess
import sys
import threading
import weakref
from pathlib import Path
from typing import IO

from data.source import replica

log = logging.getLogger(__name__)
JOB_TIMEOUT = 300.0  # seconds: a refresh that takes longer is killed (the old version keeps serving)
GRACE = 10.0  # seconds after the job's own deadline before this process kills it
RETRY_AFTER_FAILURE = 10.0  # seconds before another try after a failed refresh (not a whole period)


#: Every refresher started in this process (tests stop them all after each test).
RUNNING: weakref.WeakSet[Refresher] = weakref.WeakSet()


def stop_all() -> None:
    """Stop every refresher of this process."""
    for refresher in list(RUNNING):
        refresher.stop()


def leader_path(path: Path) -> Path:
    """The lock the refreshing process of a host holds for as long as it lives."""
    return path.with_name(path.name + ".leader")


class Refresher:
    """The refresh loop of one worker (a daemon thread; only the lock holder refreshes)."""

    def __init__(
        self,
        source_url: str,
        path: Path,
        *,
        seconds: float,
        window_days: int,
        full_hours: float,
        timeout: float = JOB_TIMEOUT,
        read_timeout: float = 60.0,
    ) -> None:
        self.source_url = source_url
        self.timeout = timeout
        self.read_timeout = read_timeout
        self.path = path
        self.seconds = seconds
        self.window_days = window_days
        self.full_hours = full_hours
        self._lock: IO[str] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = 0

    @property
    def leader(self) -> bool:
        """Does this process hold the host's refresh lock?"""
        return self._lock is not None

    def start(self) -> None:
        """Start the loop in this process (again after a fork: threads and locks do not survive one)."""
        if self._pid == os.getpid() and self._thread is not None and self._thread.is_alive():
            return
        self._pid = os.getpid()
        self._lock = None
        self._stop = threading.Event()
        RUNNING.add(self)
        self._thread = threading.Thread(target=self._loop, name="mediviz-refresher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._lock is not None:
            self._lock.close()  # releases the flock
            self._lock = None

    def _loop(self) -> None:
        # A first check soon after start (at once when there is no replica yet): it may be older than the CRM.
        delay = 0.0 if replica.current(self.path) is None else 1.0
        while not self._stop.wait(delay):
            delay = self.seconds
            try:
                if self._lock is None and not self._try_lead():
                    continue
                if not self.run_once():  # failed: try again soon, so that the data follows the CRM's return
                    delay = min(self.seconds, RETRY_AFTER_FAILURE)
            except Exception as exc:  # noqa: BLE001 - the loop must outlive anything (a full disk, a vanished folder)
                # One line, no traceback: formatting one in a background thread races Python 3.11's AST
                # module state with any thread parsing source at the same moment ("recursion depth mismatch").
                log.error("replica: the refresh loop met an error (%s: %s); it goes on", type(exc).__name__, exc)

    def _try_lead(self) -> bool:
        handle = open(leader_path(self.path), "a+")  # noqa: SIM115 - kept open while this process leads
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._lock = handle
        log.info("replica: process %d refreshes this host's replica every %s s", os.getpid(), self.seconds)
        return True

    def run_once(self) -> bool:
        """One refresh in a child process; False if it failed (its error is in the status file and the log)."""
        command = [
            sys.executable,
            "-m",
            "data.source.refresh_job",
            str(self.path),
            "--window-days",
            str(self.window_days),
        ]
        command += ["--full-hours", str(self.full_hours), "--deadline", str(self.timeout)]
        command += ["--parent", str(os.getpid()), "--read-timeout", str(self.read_timeout)]
        env = {**os.environ, "MEDIVIZ_REFRESH_SOURCE": self.source_url}  # not on the command line: ps shows it
        root = Path(__file__).resolve().parents[2]  # the project, where -m data.source.refresh_job resolves
        try:
            done = subprocess.run(
                command, env=env, cwd=root, capture_output=True, text=True, timeout=self.timeout + GRACE, check=False
            )
        except subprocess.TimeoutExpired:
            return self._failed(f"TimeoutError: refresh killed after {self.timeout:.0f} s")
        if done.returncode < 0 and -done.returncode == signal.SIGALRM:
            return self._failed(f"TimeoutError: refresh stopped by its deadline after {self.timeout:.0f} s")
        if done.returncode != 0:
            detail = done.stderr.strip()[-500:] or f"exit code {done.returncode}"
            if not detail.startswith("refresh failed"):  # the job did not get to write its own failure
                return self._failed(f"RuntimeError: {detail.splitlines()[-1][:300]}")
            log.error("replica: refresh failed; the previous version keeps serving: %s", detail)
            return False
        log.info("replica: %s", done.stdout.strip())
        return True

    def _failed(self, error: str) -> bool:
        """A job that could not say so itself (killed, crashed): logged and written in the status file."""
        log.error("replica: %s; the previous version keeps serving", error)
        replica.record_failure(self.path, "incremental", error)
        return False
