"""fcdesk demo function: a small web app for Function Compute custom containers.

Implements the FC custom-container contract with the standard library only:

* listens on ``0.0.0.0:$FC_CUSTOM_LISTEN_PORT`` (9000 by default), HTTP/1.1 keep-alive;
* ``POST /invoke``: the event is the request body; answers JSON with the request id, the
  event's size and sha256, and how long start-up took; sets ``x-fc-status: 200``;
* ``POST /initialize`` and ``GET /pre-stop`` (lifecycle hooks), ``GET /`` (health check);
* anything else under ``/`` (HTTP trigger) answers a JSON echo of method, path and query.

At start-up it imports the modules listed in ``/app/app.json`` (``"imports"``) and reads the
data files listed there (``"data"``), the way a real service loads its framework and its
model or templates before it serves; both lists are empty for the small demo image.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STARTED = time.time()


def log(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


CONFIG_PATH = os.environ.get("DEMO_APP_CONFIG", os.path.join(os.path.dirname(__file__), "app.json"))


def _load_config() -> dict:
    try:
        with open(CONFIG_PATH, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        return {}


CONFIG = _load_config()
for path in CONFIG.get("sys_path", []):
    sys.path.append(path)
LOADED = []
for name in CONFIG.get("imports", []):
    try:
        importlib.import_module(name)
        LOADED.append(name)
    except Exception as exc:  # noqa: BLE001 (the demo serves with what it could load)
        log(f"import {name} failed: {exc!r}")
DATA_BYTES = 0
DATA_DIGEST = hashlib.sha256()
for path in CONFIG.get("data", []):
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            DATA_BYTES += len(block)
            DATA_DIGEST.update(block)
READY = time.time()
INVOCATIONS = 0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fcdesk-demo/1"

    def log_message(self, format: str, *args: object) -> None:
        return  # one line per invocation is printed by the handlers instead

    def _answer(self, status: int, payload: dict, extra: dict | None = None) -> None:
        body = json.dumps(payload, sort_keys=True).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_GET(self) -> None:
        if self.path == "/pre-stop":
            log("pre-stop")
            self._answer(200, {"preStop": "ok"})
            return
        self._answer(
            200,
            {
                "status": "ok",
                "method": "GET",
                "path": self.path,
                "uptime": round(time.time() - STARTED, 3),
            },
        )

    def do_POST(self) -> None:
        global INVOCATIONS
        body = self._body()
        request_id = self.headers.get("x-fc-request-id", "")
        if self.path == "/invoke":
            INVOCATIONS += 1
            log(f"invoke {request_id} event={len(body)}B")
            self._answer(
                200,
                {
                    "requestId": request_id,
                    "function": os.environ.get("FC_FUNCTION_NAME", ""),
                    "eventBytes": len(body),
                    "eventSha256": hashlib.sha256(body).hexdigest(),
                    "invocations": INVOCATIONS,
                    "startupSeconds": round(READY - STARTED, 4),
                    "modules": LOADED,
                    "dataBytes": DATA_BYTES,
                    "dataSha256": DATA_DIGEST.hexdigest(),
                    "python": sys.version.split()[0],
                },
                {"x-fc-status": "200"},
            )
        elif self.path == "/initialize":
            log(f"initialize {request_id}")
            self._answer(200, {"initialized": True})
        else:
            self._answer(200, {"method": "POST", "path": self.path, "bytes": len(body)})


def main() -> None:
    port = int(os.environ.get("FC_CUSTOM_LISTEN_PORT", "9000"))
    server = ThreadingHTTPServer(("0.0.0.0", port), Handler)
    server.daemon_threads = True
    log(f"listening on 0.0.0.0:{port} after {READY - STARTED:.3f}s")
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
