"""The rows of the fault matrix (how each fault starts and ends) and the runner that keeps one under load.

A row: the service is first seen healthy, the cache is emptied, the fault starts and lasts ``hold`` seconds
(a worker is killed half-way in the rows that say so), the dependency comes back, and the answers are watched
until they are right again and ``/health`` shows a refresh that read the CRM after the return (45 s at most).
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path
from subprocess import Popen
from typing import Any

import redis

from dashboard._chaos_judge import SETTLE, Outcome, Row, judge, refreshed_since
from dashboard._chaos_load import Load, state
from dashboard._chaos_servers import Server, kill_one, new_lines, serving
from dashboard._chaos_setup import Batch
from dashboard.faultproxy import FaultProxy
from data.errors import REPLICA_MISSING
from data.source import replica

WATCH = 45.0  # s after the return at most
LOG_LINES = 12  # lines of gunicorn's log kept per row


@dataclass
class World:
    """Everything the rows act on."""

    work: Path
    proxies: dict[str, FaultProxy]  # crm, accounts (main server), shared (CRM and accounts: server B), cold (C)
    redis: Popen[bytes]
    redis_port: int
    batch: Batch
    truths: list[dict[str, str]]  # the right answers' digests: before the batch, then with it
    servers: dict[str, Server] = field(default_factory=dict)
    inserted: bool = False
    filler: Path | None = None
    start_cold: Any = None  # starts server C (row 13), given by the driver
    tmpfs_error: str = ""  # why the replica's folder could not be a tmpfs (row 11 is then not run)

    def truth(self) -> dict[str, str]:
        return self.truths[1 if self.inserted else 0]

    def known(self) -> set[str]:
        return {value for truth in self.truths for value in truth.values()}

    def flush(self) -> None:
        """Empty the cache (straight to the private Redis): the fault starts with uncached questions."""
        with contextlib.suppress(redis.exceptions.RedisError):
            redis.Redis(port=self.redis_port, socket_timeout=2).flushdb()


def _crm_refused(world: World) -> None:
    world.proxies["crm"].refuse()
    if not world.inserted:  # the CRM moves on while Mediviz cannot read it
        world.batch.insert()
        world.inserted = True


def _delete_version(world: World) -> None:
    version = replica.current(world.servers["A"].replica)
    assert version is not None, "no replica version to delete"
    version.unlink()


def _truncate_version(world: World) -> None:
    version = replica.current(world.servers["A"].replica)
    assert version is not None, "no replica version to truncate"
    os.truncate(version, version.stat().st_size // 2)


def _fill_disk(world: World) -> None:
    folder = world.servers["A"].replica.parent
    if not os.path.ismount(folder):  # never fill a real disk
        raise RuntimeError(f"not run: no tmpfs under the replica ({world.tmpfs_error or 'not a mount point'})")
    world.filler = folder / "filler"
    with world.filler.open("wb") as handle:
        try:
            while True:
                handle.write(b"\0" * (1 << 20))
                handle.flush()
        except OSError as exc:
            if exc.errno != errno.ENOSPC:
                raise


def _free_disk(world: World) -> None:
    if world.filler is not None:
        world.filler.unlink(missing_ok=True)


def _nothing(world: World) -> None:
    pass


def _proxy(name: str, action: str) -> Any:
    return lambda world: getattr(world.proxies[name], action)()


def _redis_signal(sig: signal.Signals) -> Any:
    return lambda world: os.kill(world.redis.pid, sig)


def matrix() -> list[Row]:
    """Every row but the stampede (12, run by the driver), in the order they run."""
    control = Row("0", "none (the control: the same load, nothing broken)", _nothing, _nothing)
    accounts = [
        Row("1", "accounts database refused", _proxy("accounts", "refuse"), _proxy("accounts", "restore"),
            ("comptes",), serves=False),
        Row("2", "accounts database frozen", _proxy("accounts", "freeze"), _proxy("accounts", "restore"),
            ("comptes",), serves=False),
    ]  # fmt: skip
    crm = [
        Row("3", "CRM refused, accounts apart (40 visits added to the CRM meanwhile)", _crm_refused,
            _proxy("crm", "restore"), ("crm", "refresh")),
        Row("4", "CRM frozen, accounts apart", _proxy("crm", "freeze"), _proxy("crm", "restore"), ("crm", "refresh")),
    ]  # fmt: skip
    rows = [control, *accounts, *crm]
    rows += [
        Row("6", "Redis refused", _proxy("redis", "refuse"), _proxy("redis", "restore"), ("cache",)),
        Row("7", "Redis hung (proxy frozen)", _proxy("redis", "freeze"), _proxy("redis", "restore"), ("cache",)),
        Row("7b", "Redis hung (redis-server stopped with SIGSTOP)", _redis_signal(signal.SIGSTOP),
            _redis_signal(signal.SIGCONT), ("cache",)),
    ]  # fmt: skip
    for letter, row in zip("abcd", accounts + crm, strict=True):
        fault = f"worker killed (SIGKILL) during row {row.key}: {row.fault.split(' (')[0]}"
        rows.append(Row(f"8{letter}", fault, row.start, row.restore, row.names, row.serves, kill=True))
    rows += [
        Row("9", "replica's current version file deleted", _delete_version),
        Row("10", "replica's current version file truncated to half its size", _truncate_version),
        Row("11", "disk full under the replica (its tmpfs filled)", _fill_disk, _free_disk, ("refresh",)),
    ]
    shared = ("crm", "comptes")
    rows += [
        Row("5a", "CRM and accounts in one MariaDB, refused", _proxy("shared", "refuse"), _proxy("shared", "restore"),
            shared, serves=False, server="B"),
        Row("5b", "CRM and accounts in one MariaDB, frozen", _proxy("shared", "freeze"), _proxy("shared", "restore"),
            shared, serves=False, server="B"),
        Row("13", "replica link missing at start, CRM refused (a new gunicorn; 8 /health at once while it boots)",
            lambda w: w.start_cold(), _proxy("cold", "restore"), ("replique", "crm"), serves=False, server="C",
            message=REPLICA_MISSING),
    ]  # fmt: skip
    return rows


def settle(load: Load, server: Server, limit: float = 30.0) -> str:
    """Wait (``limit`` s at most) until ``/health`` says "ok"; what it said last."""
    deadline = time.time() + limit
    last = "no answer"
    while time.time() < deadline:
        time.sleep(0.5)
        hits = load.between("health", time.time() - 1.5, time.time())
        if hits:
            last = state(hits[-1])
            if last == "200 ok":
                return last
    return last


def run(world: World, load: Load, row: Row, hold: float) -> Outcome:
    """One row: the fault for ``hold`` seconds under load, the return, the watch; judged from the hits."""
    server = world.servers.get(row.server)
    if server is not None:
        load.point(server)
    started_with = settle(load, server) if server is not None else ""
    world.flush()
    log_from = server.log.stat().st_size if server is not None else 0
    began = time.time()
    row.start(world)
    if server is None:  # a server started in the fault's state: counted from when it answers
        out_boot = f"gunicorn answered {time.time() - began:.1f} s after it was started"
        began = time.time()
    server = world.servers[row.server]
    load.point(server)
    before = {worker.pid for worker in server.workers()}
    kills: list[float] = []
    if row.kill:
        time.sleep(hold / 2)
        kills.append(kill_one(server))
    time.sleep(max(0.0, began + hold - time.time()))
    back = time.time() if row.restore else began
    until = time.time()
    if row.restore:
        row.restore(world)
    seen = watch(world, load, server, back, before if row.kill else None)
    ended = time.time()
    hits = {kind: load.between(kind, began, ended) for kind in ("api", "health", "footer")}
    out = judge(row, hits, (began, back, until, ended), world.truth(), world.known(), kills)
    if not started_with:
        out.notes.append(out_boot)
    elif started_with != "200 ok":
        out.notes.append(f"/health said {started_with} when the row began (not healthy within 30 s)")
    if row.kill:
        check_workers(out, server, before, seen, kills[0])
    log_lines(out, server.log, log_from)
    return out


def watch(world: World, load: Load, server: Server, back: float, before: set[int] | None) -> dict[int, float]:
    """Until the answers are right for ``SETTLE`` s, /health says "ok" after a refresh since the return (and
    any new worker was seen serving), or ``WATCH`` s; when each new worker was first seen serving."""
    truth = world.truth()
    port = int(server.base.rsplit(":", 1)[1])
    seen: dict[int, float] = {}
    while time.time() < back + WATCH:
        time.sleep(0.25)
        now = time.time()
        if before is not None:
            for worker in server.workers():
                if worker.pid not in before and worker.pid not in seen and serving(worker, port):
                    seen[worker.pid] = now
        api = load.between("api", back, now)
        health = load.between("health", back, now)
        bad = [hit.start for hit in api if hit.status != 200 or truth.get(hit.path, hit.digest) != hit.digest]
        calm = now - max(bad, default=back) >= SETTLE and len([hit for hit in api if hit.start > now - SETTLE]) >= 4
        fresh = any(refreshed_since(hit, back) for hit in health) and state(health[-1]) == "200 ok"
        if calm and fresh and (before is None or seen):
            break
    return seen


def check_workers(out: Outcome, server: Server, before: set[int], seen: dict[int, float], killed: float) -> None:
    """The master lives on, a new worker replaced the killed one and answered requests."""
    if server.process.poll() is not None:
        out.problems.append(f"gunicorn's master ended (exit code {server.process.returncode})")
        return
    workers = {worker.pid for worker in server.workers()}
    if len(workers) != 2 or not workers - before:
        out.problems.append(f"workers after the kill: {sorted(workers)} (before: {sorted(before)})")
    elif not seen:
        out.problems.append("the new worker was never seen answering a request")
    else:
        out.notes.append(f"the new worker answered requests {min(seen.values()) - killed:.1f} s after the kill")


def log_lines(out: Outcome, log: Path, offset: int) -> None:
    """What gunicorn's log gained during the row (``LOG_LINES`` lines at most) into the notes; an exception the
    app logged (a 500) is a problem even if no client saw it."""
    distinct = new_lines(log, offset)
    for line in distinct:
        if "Exception on" in line:
            out.problems.append(f"the app logged « {line[:120]} » (a 500)")
    out.notes += [f"log: {line[:220]}" for line in distinct[:LOG_LINES]]
