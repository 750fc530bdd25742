"""Keeps the replica fresh: one refreshing process per host, however many workers serve it.

Every worker of a host runs a :class:`Refresher` thread. Each tick it tries to take an exclusive ``flock`` on
``<replica>.leader`` without waiting; the one worker that holds it (the kernel frees it if that worker dies, and
another takes over at its next tick) runs the refresh in a child process (``python -m data.refresh_job``), so
that the memory a build needs is given back to the system as soon as it ends and never grows a worker. The
others only notice the new version at their next request (``data.db.read_engine``).
"""

from __future__ import annotations

import fcntl
import logging
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

log = logging.getLogger(__name__)
JOB_TIMEOUT = 15 * 60  # seconds: a refresh that takes longer is killed (the old version keeps serving)


def leader_path(path: Path) -> Path:
    """The lock the refreshing process of a host holds for as long as it lives."""
    return path.with_name(path.name + ".leader")


class Refresher:
    """The refresh loop of one worker (a daemon thread; only the lock holder refreshes)."""

    def __init__(self, source_url: str, path: Path, *, seconds: float, window_days: int, full_hours: float) -> None:
        self.source_url = source_url
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
        self._thread = threading.Thread(target=self._loop, name="mediviz-refresher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._lock is not None:
            self._lock.close()  # releases the flock
            self._lock = None

    def _loop(self) -> None:
        delay = 1.0  # a first check soon after start: the replica may be older than the CRM
        while not self._stop.wait(delay):
            delay = self.seconds
            if self._lock is None and not self._try_lead():
                continue
            self.run_once()

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
        command = [sys.executable, "-m", "data.refresh_job", str(self.path), "--window-days", str(self.window_days)]
        command += ["--full-hours", str(self.full_hours)]
        env = {**os.environ, "MEDIVIZ_REFRESH_SOURCE": self.source_url}  # not on the command line: ps shows it
        root = Path(__file__).resolve().parent.parent
        try:
            done = subprocess.run(
                command, env=env, cwd=root, capture_output=True, text=True, timeout=JOB_TIMEOUT, check=False
            )
        except subprocess.TimeoutExpired:
            log.error("replica: refresh killed after %d s; the previous version keeps serving", JOB_TIMEOUT)
            return False
        if done.returncode != 0:
            log.error("replica: refresh failed; the previous version keeps serving: %s", done.stderr.strip()[-500:])
            return False
        log.info("replica: %s", done.stdout.strip())
        return True
