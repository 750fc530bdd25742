"""A TCP proxy in front of a real server that can refuse or freeze it, for the fault tests and ``make chaos``.

* ``refuse()``: the port refuses connections and every open one is cut (a server down, a host restarted);
* ``freeze()``: the port still accepts, but nothing comes back, on new connections and open ones alike (a hung
  server, a network partition, a firewall dropping packets); connections frozen stay dead even after
  ``restore()``, as a TCP connection through a dropped path does;
* ``restore()``: new connections reach the server again, on the same port.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time


class FaultProxy:
    """Forwards ``127.0.0.1:<port>`` to ``target``; the port stays the same through faults and restores."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self.mode = "pass"
        self.generation = 0  # connections of an older generation are frozen for good
        self.listener: socket.socket | None = None
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        self._listen()

    def _listen(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def refuse(self) -> None:
        """Refuse new connections and cut the open ones."""
        with self.lock:
            self.mode = "refuse"
            self.generation += 1
            for sock in [*self.sockets, *([self.listener] if self.listener else [])]:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self.sockets.clear()
            self.listener = None

    def freeze(self) -> None:
        """Accept but never answer; the open connections stop forwarding, for good."""
        with self.lock:
            self.mode = "freeze"
            self.generation += 1
        if self.listener is None:
            self._listen()

    def restore(self) -> None:
        """Forward new connections again."""
        with self.lock:
            self.mode = "pass"
        if self.listener is None:
            self._listen()

    def close(self) -> None:
        self.refuse()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            with self.lock:
                self.sockets.append(client)
                frozen = self.mode != "pass"
                generation = self.generation
            if frozen:
                continue  # accepted, never answered (kept open until the proxy refuses or closes)
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets.append(upstream)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b, generation), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, generation: int) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                while self.generation != generation and self.mode != "refuse":
                    time.sleep(0.5)  # frozen: hold the bytes, for good (the other side sees silence)
                if self.mode == "refuse":
                    return
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)
