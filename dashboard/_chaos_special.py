"""The rows that are not "a dependency fails, then comes back": the stampede (12) and a worker killed while it
computes a question that others then ask (8e)."""

from __future__ import annotations

import random
import threading
import time
import urllib.parse
import urllib.request
from typing import Any

import redis

from dashboard import _chaos_setup as setup
from dashboard import bench
from dashboard._chaos_faults import World, settle
from dashboard._chaos_judge import Outcome, Row
from dashboard._chaos_load import Hit, Load, burst, fetch, state
from dashboard._chaos_servers import Server

#: s a question may wait for a killed worker's computation of it (computations take a few hundred ms here; the
#: single-flight lock it held is there to spare the database, not to make others wait for a dead process)
ORPHAN_LIMIT = 10.0
STAMPEDE = "stampede: 120 concurrent uncached requests (20 per area, identical within an area)"
ORPHAN = "worker killed (SIGKILL) while it computes a question; the same question asked again"


def _run_here(_world: World) -> None:
    """These rows run their fault themselves (the runner of ``_chaos_faults`` does not start it)."""


def _health(out: Outcome, load: Load, began: float, ended: float) -> None:
    health = load.between("health", began, ended + 1)
    out.health = ", ".join(sorted({state(hit) for hit in health})) or "no answer"
    out.health_max = max((hit.seconds for hit in health), default=0.0)


def _begin(world: World, load: Load, row: Row) -> tuple[Outcome, Any, random.Random]:
    """A special row's start: its outcome, server A with the load pointed at it and settled, a random source."""
    server = world.servers["A"]
    load.point(server)
    settle(load, server)
    return Outcome(row), server, random.Random(time.time())


def stampede(world: World, load: Load, oracle: setup.Oracle, days: Any) -> Outcome:
    """Row 12: 120 identical-per-area uncached questions at once; every one right, none refused."""
    out, server, rng = _begin(world, load, Row("12", STAMPEDE, _run_here))
    query = urllib.parse.urlparse(setup.random_question(rng, days, (200, 260))).query
    paths = [f"/api/v1/{area}?{query}" for area in bench.AREAS for _ in range(20)]
    began = time.time()
    hits = burst(server, paths)
    ended = time.time()
    truth = oracle.digests(sorted(set(paths)))
    out.requests = len(hits)
    out.n503 = sum(hit.status == 503 for hit in hits)
    out.n5xx = sum(hit.status >= 500 and hit.status != 503 for hit in hits)
    out.dropped = sum(hit.status == 0 for hit in hits)
    out.wrong = sum(hit.status == 200 and hit.digest != truth[hit.path] for hit in hits)
    out.max_latency = max(hit.seconds for hit in hits)
    _health(out, load, began, ended)
    errors = [hit for hit in hits if hit.status != 200]
    if errors:
        out.problems.append(f"{len(errors)} errors (first: {errors[0].status} {errors[0].detail[:120]})")
    if out.wrong:
        out.problems.append(f"{out.wrong} answers differ from the CRM's own")
    out.notes.append(f"all 120 answered within {ended - began:.1f} s; filters {query}")
    return out


def _ask(server: Server, path: str) -> Hit:
    opener = urllib.request.build_opener()
    return fetch(opener, "api", server.base + path, headers={"Authorization": f"Bearer {server.token}"}, timeout=120)


def _kill_while_computing(world: World, server: Server, path: str) -> tuple[float, Hit, dict[str, float]] | None:
    """One worker paused (the other takes the question), the question asked, its worker killed as soon as the
    question's lock is in Redis, the question asked again at once; when the kill came, the second answer, and
    the flight locks still held 3 s after the kill with their time to live (s). None: the kill came too late."""
    flights = redis.Redis(port=world.redis_port, socket_timeout=2, decode_responses=True)
    keep, victim = server.workers()[:2]
    keep.suspend()
    try:
        asking = _Background(server, path)
        deadline = time.time() + 5
        while not flights.keys("*flight:*") and time.time() < deadline and not asking.done():
            time.sleep(0.002)
        victim.kill()
        killed = time.time()
    finally:
        keep.resume()
    if asking.result().status != 0:  # answered before the kill: the kill came too late
        return None
    again = _Background(server, path)
    time.sleep(3)  # a live worker's computation at this size ends well within this
    left = {str(key): flights.pttl(key) / 1000 for key in flights.keys("*flight:*")}
    return killed, again.result(), {key: ttl for key, ttl in left.items() if ttl > 0}


class _Background:
    """A request in a thread."""

    def __init__(self, server: Server, path: str) -> None:
        self.hit: Hit | None = None
        self.thread = threading.Thread(target=self._run, args=(server, path), daemon=True)
        self.thread.start()

    def _run(self, server: Server, path: str) -> None:
        self.hit = _ask(server, path)

    def done(self) -> bool:
        return not self.thread.is_alive()

    def result(self) -> Hit:
        self.thread.join()
        assert self.hit is not None
        return self.hit


def orphan_lock(world: World, load: Load, oracle: setup.Oracle, days: Any) -> Outcome:
    """Row 8e: the worker computing an uncached question is killed; the same question, asked again at once,
    must not wait for the dead worker (its single-flight lock in Redis)."""
    out, server, rng = _begin(world, load, Row("8e", ORPHAN, _run_here))
    load.quiet.set()  # the API clients pause: the only question computed is this one
    try:
        for _attempt in range(5):
            path = "/api/v1/visites?" + urllib.parse.urlparse(setup.random_question(rng, days, (300, 400))).query
            done = _kill_while_computing(world, server, path)
            if done is not None:
                break
        else:
            out.problems.append("the question was always answered before its worker could be killed")
            return out
    finally:
        load.quiet.clear()
    killed, again, left = done
    ended = time.time()
    truth = oracle.digests([path])[path]
    out.requests, out.max_latency = 1, again.seconds
    out.n503 = int(again.status == 503)
    out.n5xx = int(again.status >= 500 and again.status != 503)
    out.wrong = int(again.status == 200 and again.digest != truth)
    out.recovery = again.end - killed if again.status == 200 and again.digest == truth else None
    _health(out, load, killed, ended)
    out.notes.append(f"asked again {again.start - killed:.1f} s after the kill: answered {again.status} after "
                     f"{again.seconds:.1f} s")  # fmt: skip
    if left:
        out.notes.append("flight locks still held 3 s after the kill (time to live): "
                         + ", ".join(f"{key[-40:]} {ttl:.1f} s" for key, ttl in left.items()))  # fmt: skip
    if again.status != 200 or out.wrong:
        out.problems.append(f"the same question then answered {again.status} ({again.detail[:100]})")
    elif again.seconds > ORPHAN_LIMIT:
        out.problems.append(f"the same question waited {again.seconds:.1f} s for the dead worker's lock")
    workers = server.workers()
    if server.process.poll() is not None or len(workers) != 2:
        out.problems.append(
            f"gunicorn after the kill: master alive {server.process.poll() is None}, {len(workers)} workers"
        )
    return out
