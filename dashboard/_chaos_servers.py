"""The processes ``make chaos`` starts (a private Redis, gunicorn servers, a tmpfs) and acts on (workers)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
import redis

from components import ids
from dashboard import bench, loadtest
from dashboard._chaos_setup import PASSWORD, SECRET, TIMEOUTS, USER
from data.source import replica

BOOT_CLIENTS = 8  # requests at once while a server boots (row 13)


def start_redis() -> tuple[subprocess.Popen[bytes], int]:
    """A private Redis (nothing saved) on a free port; the shared one of this host is left alone."""
    port = bench.free_port()
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    command += ["--maxmemory", "256mb", "--maxmemory-policy", "allkeys-lru"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(port=port, socket_timeout=1)
    for _ in range(50):
        with contextlib.suppress(redis.exceptions.RedisError):
            client.ping()
            return process, port
        time.sleep(0.1)
    process.kill()
    raise RuntimeError("redis-server did not start")


@dataclass
class Server:
    """One gunicorn master with its workers, the token and the browser session that reach it."""

    name: str
    process: subprocess.Popen[bytes]
    base: str
    token: str
    replica: Path
    opener: Any = None
    footer: dict[str, Any] = field(default_factory=dict)  # the footer callback's request body

    @property
    def log(self) -> Path:
        """gunicorn's log (its standard error), found from the master's open files."""
        return Path(os.readlink(f"/proc/{self.process.pid}/fd/2"))

    def workers(self) -> list[psutil.Process]:
        return psutil.Process(self.process.pid).children()

    def log_in(self) -> None:
        """The dashboard's session (login form) and the footer's callback, for the footer client."""
        self.opener = bench.logged_in(self.base, USER, PASSWORD)
        with self.opener.open(f"{self.base}/_dash-dependencies", timeout=30) as answer:
            callbacks = json.loads(answer.read())
        footer = next(c for c in callbacks if f"{ids.FRESHNESS}.children" in c["output"])
        self.footer = loadtest.callback_body(footer, {"filters": {}}, {})

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


def serve(name: str, settings: dict[str, str], token: str, *, ready: bool = True) -> Server:
    """gunicorn -w 2 --threads 4 with ``settings``: once ``/health`` answers 200 (``bench.gunicorn``), or, when
    not ``ready`` (no replica can be built yet), once it answers at all, asked by ``BOOT_CLIENTS`` at once from
    the start (a balancer's checks and clients' retries: a worker's first requests come together)."""
    settings = {**TIMEOUTS, "SECRET_KEY": SECRET, "CACHE_TYPE": "RedisCache", **settings}
    if ready:
        process, base = bench.gunicorn(settings, workers=2, threads=4)
        return Server(name, process, base, token, Path(settings["REPLICA_PATH"]))
    port = bench.free_port()
    env = {**os.environ, **{f"MEDIVIZ_{key}": value for key, value in settings.items()}}
    command = [str(Path(sys.executable).with_name("gunicorn")), "-w", "2", "--threads", "4"]
    command += ["-b", f"127.0.0.1:{port}", "--timeout", "120", "wsgi:server"]
    log = Path(tempfile.mkstemp(prefix="mediviz-gunicorn-", suffix=".log")[1])  # kept, like bench.gunicorn's
    with log.open("ab") as handle:
        process = subprocess.Popen(command, cwd=bench.ROOT, env=env, stdout=subprocess.DEVNULL, stderr=handle)
    base = f"http://127.0.0.1:{port}"
    answered = threading.Event()

    def ask() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None and not answered.is_set():
            try:
                urllib.request.urlopen(f"{base}/health", timeout=15).read()
            except urllib.error.HTTPError:
                pass  # it answers: that is all we wait for
            except OSError:
                time.sleep(0.05)
                continue
            answered.set()

    clients = [threading.Thread(target=ask) for _ in range(BOOT_CLIENTS)]
    for client in clients:
        client.start()
    for client in clients:
        client.join()
    if not answered.is_set():
        process.kill()
        raise RuntimeError(f"gunicorn did not start; see {log}")
    return Server(name, process, base, token, Path(settings["REPLICA_PATH"]))


def mount_tmpfs(folder: Path, megabytes: int) -> str:
    """Mount a small tmpfs on ``folder`` (for the disk-full row); '' when done, else why it could not be."""
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={megabytes}m", "tmpfs", str(folder)], check=False,
                          capture_output=True, text=True)  # fmt: skip
    return "" if done.returncode == 0 else (done.stderr.strip() or f"mount exited with {done.returncode}")


def unmount(folder: Path) -> None:
    subprocess.run(["umount", "-l", str(folder)], check=False, capture_output=True)


def kill_one(server: Server) -> float:
    """SIGKILL the worker that leads the refreshes (else the first one); when."""
    workers = server.workers()
    leader = replica.status(server.replica).get("parent")
    victim = next((worker for worker in workers if worker.pid == leader), workers[0])
    victim.send_signal(signal.SIGKILL)
    return time.time()


def serving(worker: psutil.Process, port: int) -> bool:
    """Is this worker holding a client's connection on the server's port (answering a request) right now?"""
    with contextlib.suppress(psutil.Error):
        return any(c.status == psutil.CONN_ESTABLISHED and c.laddr.port == port for c in worker.net_connections())
    return False


def new_lines(log: Path, offset: int) -> list[str]:
    """The distinct lines gunicorn's log gained since ``offset`` (tracebacks reduced to their last line)."""
    with log.open("rb") as handle:
        handle.seek(offset)
        lines = handle.read().decode(errors="replace").splitlines()
    chatter = ("Traceback", "During handling", "The above exception")
    kept = [line for line in lines if line.strip() and not line[0].isspace() and not line.startswith(chatter)]
    return list(dict.fromkeys(kept))
