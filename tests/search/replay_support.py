"""A real HTTP server on 127.0.0.1 replaying recorded API bodies (../shared/data/api): the
connector tests and the web app's API-search job both point a connector's base URL at it."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

Params = dict[str, str]
Reply = tuple[int, dict[str, str], bytes]


@dataclass
class Route:
    path: str
    matches: Callable[[Params], bool]
    replies: list[Reply]


@dataclass
class Replay:
    """Routes answer in order; the last reply of a route repeats. Requests are logged."""

    url: str = ""
    routes: list[Route] = field(default_factory=list)
    log: list[tuple[str, str, Params]] = field(default_factory=list)

    def add(
        self, path: str, *replies: Reply, when: Callable[[Params], bool] = lambda _: True
    ) -> None:
        self.routes.append(Route(path, when, list(replies)))

    def answer(self, method: str, path: str, params: Params) -> Reply:
        self.log.append((method, path, params))
        for route in self.routes:
            if path.endswith(route.path) and route.matches(params):
                return route.replies.pop(0) if len(route.replies) > 1 else route.replies[0]
        return 404, {}, b"no route"


@contextmanager
def serving() -> Iterator[Replay]:
    """A :class:`Replay` served on a free port of 127.0.0.1 until the block ends."""
    state = Replay()

    class Handler(BaseHTTPRequestHandler):
        def _reply(self, params: Params) -> None:
            status, headers, body = state.answer(self.command, urlsplit(self.path).path, params)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            self._reply(dict(parse_qsl(urlsplit(self.path).query)))

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            self._reply(dict(parse_qsl(self.rfile.read(length).decode())))

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()
    server.server_close()


def ok(path: Path) -> Reply:
    return 200, {}, path.read_bytes()
