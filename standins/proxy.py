"""A movable local endpoint: a TCP proxy on a free loopback port that forwards every connection to
the current primary, and ``move``s to another server the way ElastiCache's and RDS's DNS names
are moved to the promoted node. Connections open at the move are cut, as a failover cuts them.
"""

from __future__ import annotations

import contextlib
import socket
import threading

BUFFER = 65536


class Proxy:
    """``127.0.0.1:port`` forwarding to ``backend``; ``close()`` stops it and every connection."""

    def __init__(self, backend: tuple[str, int]) -> None:
        self.backend = backend
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._closed = False
        self._thread = threading.Thread(target=self._accept, name="proxy-accept", daemon=True)
        self._thread.start()

    def move(self, backend: tuple[str, int]) -> None:
        """New connections go to ``backend``; the open ones are cut."""
        with self._lock:
            self.backend = backend
            sockets, self._open = self._open, set()
        for sock in sockets:
            _shut(sock)

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        with self._lock:
            backend = self.backend
        try:
            server = socket.create_connection(backend, timeout=5)
        except OSError:
            _shut(client)
            return
        server.settimeout(None)
        for sock in (client, server):  # small request/reply packets: no Nagle delay
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._lock:
            if self._closed:
                _shut(client)
                _shut(server)
                return
            self._open |= {client, server}
        threading.Thread(target=_pump, args=(server, client), daemon=True).start()
        _pump(client, server)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            sockets, self._open = self._open, set()
        _shut(self._listener)
        for sock in sockets:
            _shut(sock)
        self._thread.join(timeout=5)


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(BUFFER):
            sink.sendall(data)
    except OSError:
        pass
    _shut(source)
    _shut(sink)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()
