"""A recording loopback HTTP server: keeps every request exactly as it arrived (method, raw
path and query, headers, body) and answers with what the test queued per action."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

__all__ = ["Answer", "Recorded", "Recorder"]


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str  # raw, percent-encoded, without the query
    query: str  # raw
    headers: dict[str, str]  # lower-case names
    body: bytes

    @property
    def action(self) -> str:
        return self.headers.get("x-acs-action", "")

    @property
    def params(self) -> dict[str, str]:
        """The decoded query (``+`` and ``%20`` both mean a space)."""
        return dict(parse_qsl(self.query, keep_blank_values=True))

    @property
    def signed_headers(self) -> list[str]:
        auth = self.headers.get("authorization", "")
        for part in auth.split(" ", 1)[-1].split(","):
            name, _, value = part.partition("=")
            if name.strip() == "SignedHeaders":
                return value.split(";")
        return []


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, doc: Any, status: int = 200, **headers: str) -> Answer:
        return cls(
            status, json.dumps(doc).encode(), {"content-type": "application/json", **headers}
        )


class Recorder:
    """``with Recorder() as rec:`` — ``rec.host`` is ``127.0.0.1:PORT``; ``rec.answers``
    maps an action (``x-acs-action``) to its `Answer`; ``rec.requests`` lists what came."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.answers: dict[str, Answer] = {}
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                path, _, query = self.path.partition("?")
                record = Recorded(
                    method=self.command,
                    path=path,
                    query=query,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                )
                recorder.requests.append(record)
                answer = recorder.answers.get(record.action) or Answer.json(
                    {"Code": "NoAnswer", "Message": f"nothing queued for {record.action!r}"}, 404
                )
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(answer.body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(answer.body)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self._server.server_port}"

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    def take(self) -> Recorded:
        """The one request recorded since the last `take` (and forget it)."""
        assert len(self.requests) == 1, [(r.method, r.path, r.action) for r in self.requests]
        return self.requests.pop()

    def __enter__(self) -> Recorder:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(10)
