"""The light load ``make chaos`` keeps up during every fault, and the log of every answer it got.

Four API clients (a Bearer token) ask ``/api/v1/<area>``: most questions come from a fixed set whose right
answers are known (the cache is emptied when a fault starts, so each is computed once, then cached), the
others are windows of days nobody asked before (always computed). A health client asks ``/health`` twice a
second; a dashboard client with a login session posts the footer's callback every second. The clients pause a
little between requests: a light load, which a service that answers 503 at once cannot turn into a flood.
"""

from __future__ import annotations

import dataclasses
import http.client
import json
import random
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from components import ids
from dashboard._chaos_servers import Server
from dashboard._chaos_setup import digest, random_question

CLIENTS = 4
PAUSE = 0.15  # seconds an API client waits between two requests


@dataclass(frozen=True)
class Hit:
    """One request and its answer: ``status`` 0 when no HTTP answer came (connection cut, timeout)."""

    kind: str  # "api", "health", "footer", "burst"
    path: str
    start: float  # wall-clock seconds
    end: float
    status: int
    digest: str
    detail: str  # the body's head (errors), /health's JSON, or the footer's text
    server: str = ""  # which gunicorn (A, B, C) answered

    @property
    def seconds(self) -> float:
        return self.end - self.start

    def health(self) -> dict[str, Any]:
        """The parsed ``/health`` body (empty if there was none)."""
        try:
            loaded: dict[str, Any] = json.loads(self.detail)
            return loaded
        except ValueError:
            return {}


def fetch(opener: Any, kind: str, url: str, *, headers: dict[str, str] | None = None, data: bytes | None = None,
          timeout: float = 60) -> Hit:  # fmt: skip
    """One request, whatever happens to it."""
    request = urllib.request.Request(url, data=data, headers=headers or {})
    start = time.time()
    try:
        with opener.open(request, timeout=timeout) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read()
    except (OSError, http.client.HTTPException) as exc:
        status, body = 0, f"{type(exc).__name__}: {exc}".encode()
    end = time.time()
    path = url.split("/", 3)[-1]
    if status == 200 and kind in ("api", "burst"):
        detail = ""
    else:  # /health and the footer whole (they are read), an error's head
        detail = body.decode(errors="replace") if kind in ("health", "footer") else body[:600].decode(errors="replace")
    return Hit(kind, "/" + path, start, end, status, digest(body), detail)


class Load:
    """The clients, asking whichever server they are pointed at, until stopped."""

    def __init__(self, pool: list[str], days: Any, server: Server) -> None:
        self.pool = pool
        self.days = days
        self.server = server
        self.hits: list[Hit] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._plain = urllib.request.build_opener()
        self.quiet = threading.Event()  # set: the API clients wait (a row that needs the server to itself)

    def point(self, server: Server) -> None:
        """Ask ``server`` from now on."""
        self.server = server

    def start(self) -> None:
        loops: list[Callable[[], None]] = [self._health, self._footer]
        loops += [lambda seed=seed: self._api(seed) for seed in range(CLIENTS)]  # type: ignore[misc]
        self._threads = [threading.Thread(target=loop, daemon=True) for loop in loops]
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=90)

    def add(self, hit: Hit, server: Server) -> None:
        with self._lock:
            self.hits.append(dataclasses.replace(hit, server=server.name))

    def dump(self, path: Path) -> None:
        """Every hit, one JSON object a line (for a closer look at a failed row)."""
        with self._lock, path.open("w") as handle:
            for hit in self.hits:
                handle.write(json.dumps(dataclasses.asdict(hit), ensure_ascii=False) + "\n")

    def between(self, kind: str, start: float, end: float) -> list[Hit]:
        """The hits of ``kind`` that started within [start, end)."""
        with self._lock:
            return [hit for hit in self.hits if hit.kind == kind and start <= hit.start < end]

    def _api(self, seed: int) -> None:
        rng = random.Random(seed)
        while not self._stop.is_set():
            if self.quiet.is_set():
                self._stop.wait(0.1)
                continue
            server = self.server
            path = rng.choice(self.pool) if rng.random() < 0.8 else random_question(rng, self.days)
            headers = {"Authorization": f"Bearer {server.token}"}
            self.add(fetch(self._plain, "api", server.base + path, headers=headers), server)
            self._stop.wait(PAUSE)

    def _health(self) -> None:
        while not self._stop.is_set():
            server = self.server
            self.add(fetch(self._plain, "health", server.base + "/health", timeout=30), server)
            self._stop.wait(0.5)

    def _footer(self) -> None:
        while not self._stop.is_set():
            server = self.server
            if server.opener is not None:
                body = json.dumps(server.footer).encode()
                headers = {"Content-Type": "application/json"}
                hit = fetch(
                    server.opener, "footer", server.base + "/_dash-update-component", headers=headers, data=body
                )
                self.add(footer_text(hit), server)
            self._stop.wait(1.0)


def footer_text(hit: Hit) -> Hit:
    """The footer's text in place of the callback's JSON."""
    try:
        text = str(json.loads(hit.detail)["response"][ids.FRESHNESS]["children"])
    except (ValueError, KeyError, TypeError):
        return hit
    return dataclasses.replace(hit, detail=text)


def burst(server: Server, paths: list[str]) -> list[Hit]:
    """Every path at the same moment (one thread each, released together)."""
    opener = urllib.request.build_opener()
    gate = threading.Barrier(len(paths))
    found: list[Hit] = []
    lock = threading.Lock()

    def one(path: str) -> None:
        gate.wait()
        hit = fetch(opener, "burst", server.base + path, headers={"Authorization": f"Bearer {server.token}"})
        with lock:
            found.append(hit)

    threads = [threading.Thread(target=one, args=(path,)) for path in paths]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return found


def state(hit: Hit) -> str:
    """What one ``/health`` answer said, in short: ``503 error: comptes, crm`` or ``200 degraded: refresh``
    (``crm?``: the state of the CRM is not known yet)."""
    if hit.status == 0:
        return "no answer"
    body = hit.health()
    marks = {"indisponible": "", "ne répond pas": "", "inconnu": "?"}  # "crm?": not known yet (a new worker)
    parts = body.get("components", {}).items()
    failing = [name + marks[part.get("etat")] for name, part in parts if part.get("etat") in marks]
    if body.get("replica") and not body["replica"].get("last_refresh_ok"):
        failing.append("refresh")
    return f"{hit.status} {body.get('status', '?')}" + (f": {', '.join(failing)}" if failing else "")
