"""Loopback HTTP servers for tests: serve routes, misbehave on purpose, count hits.

    with LoopbackServer() as server:
        server.route("/a", Reply(body=b"<p>hi</p>"))
        server.route("/flaky", Reply(status=503), Reply(body=b"ok"))   # one per hit, last repeats
        server.route("/echo", lambda request: Reply(body=request.headers["user-agent"].encode()))
        server.url("/a")          # "http://127.0.0.1:PORT/a"
        server.hits("/a")         # how many requests reached /a
        server.requests           # every Request seen, in order

The server speaks raw HTTP/1.1 over a socket, one thread per connection, and closes each
connection after one response, so a Reply can break the protocol in controlled ways:
drip the body (`delay`), never end it (`body` an endless iterator), lie about its length
(`content_length`), cut it short (`end="close"`), reset the connection (`end="reset"`),
or send arbitrary bytes (`raw`, all at once or dripped). Unrouted paths answer 404 (robots.txt included).
"""

from __future__ import annotations

import socket
import socketserver
import struct
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Literal

_REASONS = {
    200: "OK",
    301: "Moved Permanently",
    302: "Found",
    304: "Not Modified",
    404: "Not Found",
}


@dataclass(frozen=True)
class Request:
    """What the server received: method, path (with query) and lowercased headers."""

    method: str
    path: str
    headers: Mapping[str, str]


@dataclass(frozen=True)
class Reply:
    """One response, possibly broken on purpose.

    `body` is bytes or an iterable of byte pieces (sent as they come, `delay` seconds
    apart; an endless iterator makes an endless body). Without `chunked`, bytes get a
    Content-Length (or `content_length`, to lie) and an iterable is close-delimited.
    `end`: "normal", "close" (stop without finishing the framing) or "reset" (TCP RST).
    `raw` replaces the whole response with these bytes (an iterable of pieces is sent
    `delay` seconds apart: a server that drips its headers).
    """

    status: int = 200
    body: bytes | Iterable[bytes] = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    content_type: str | None = "text/html; charset=utf-8"
    chunked: bool = False
    delay: float = 0.0
    content_length: int | None = None
    end: Literal["normal", "close", "reset"] = "normal"
    raw: bytes | Iterable[bytes] | None = None


Handler = Callable[[Request], Reply]


def redirect(location: str, status: int = 302) -> Reply:
    """A redirect Reply to `location`."""
    return Reply(status=status, headers={"Location": location}, content_type=None)


def endless(piece: bytes = b"x" * 65536) -> Iterator[bytes]:
    """An endless body: `piece` forever."""
    while True:
        yield piece


class _Route:
    def __init__(self, replies: tuple[Reply | Handler, ...]) -> None:
        self._replies = replies
        self._next = 0
        self._lock = threading.Lock()

    def reply(self, request: Request) -> Reply:
        with self._lock:
            chosen = self._replies[min(self._next, len(self._replies) - 1)]
            self._next += 1
        return chosen(request) if callable(chosen) else chosen


class LoopbackServer:
    """A threaded HTTP/1.1 server on 127.0.0.1 (ephemeral port); a context manager."""

    def __init__(self) -> None:
        self._routes: dict[str, _Route] = {}
        self._lock = threading.Lock()
        self.requests: list[Request] = []
        self.stopping = threading.Event()
        self._server = _TCPServer(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    @property
    def host(self) -> str:
        """ "127.0.0.1:PORT", the form resolve_overrides takes."""
        return f"127.0.0.1:{self.port}"

    def url(self, path: str = "/") -> str:
        """Return the loopback URL of `path`."""
        return f"http://127.0.0.1:{self.port}{path}"

    def route(self, path: str, *replies: Reply | Handler) -> None:
        """Answer `path` with `replies`, one per hit; the last one repeats."""
        with self._lock:
            self._routes[path] = _Route(replies)

    def hits(self, path: str | None = None) -> int:
        """Return how many requests reached `path` (all paths when None)."""
        with self._lock:
            return sum(1 for r in self.requests if path is None or r.path == path)

    def _record(self, request: Request) -> Reply:
        with self._lock:
            self.requests.append(request)
            route = self._routes.get(request.path) or self._routes.get(request.path.split("?")[0])
        return route.reply(request) if route else Reply(status=404, body=b"not found")


class _TCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False
    owner: LoopbackServer


class _Handler(socketserver.BaseRequestHandler):
    server: _TCPServer

    def handle(self) -> None:
        sock: socket.socket = self.request
        sock.settimeout(10)
        try:
            request = _read_request(sock)
            if request is not None:
                _send(sock, self.server.owner._record(request), self.server.owner.stopping)
        except OSError:
            pass  # the client went away: expected when it stops reading at a cap


def _read_request(sock: socket.socket) -> Request | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk or len(data) > 1_000_000:
            return None
        data += chunk
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    method, path, _ = head[0].split(" ", 2)
    headers = {}
    for line in head[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Request(method, path, headers)


def _head(reply: Reply) -> bytes:
    lines = [f"HTTP/1.1 {reply.status} {_REASONS.get(reply.status, 'Status')}"]
    if reply.content_type is not None:
        lines.append(f"Content-Type: {reply.content_type}")
    lines += [f"{k}: {v}" for k, v in reply.headers.items()]
    if reply.chunked:
        lines.append("Transfer-Encoding: chunked")
    elif reply.content_length is not None:
        lines.append(f"Content-Length: {reply.content_length}")
    elif isinstance(reply.body, bytes):
        lines.append(f"Content-Length: {len(reply.body)}")
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _send(sock: socket.socket, reply: Reply, stopping: threading.Event) -> None:
    if reply.raw is not None:
        for piece in [reply.raw] if isinstance(reply.raw, bytes) else reply.raw:
            if stopping.is_set():
                return
            if reply.delay:
                time.sleep(reply.delay)
            sock.sendall(piece)
        return
    sock.sendall(_head(reply))
    pieces = [reply.body] if isinstance(reply.body, bytes) else reply.body
    for piece in pieces:
        if stopping.is_set():
            return
        if reply.chunked and not piece:
            continue  # an empty chunk would end the body
        if reply.delay:
            time.sleep(reply.delay)
        sock.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n" if reply.chunked else piece)
    if reply.end == "reset":
        # Linger 0 and close now (before socketserver's graceful shutdown): sends a RST.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
    elif reply.end == "normal" and reply.chunked:
        sock.sendall(b"0\r\n\r\n")
