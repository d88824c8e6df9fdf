"""A stand-in for ``fcaccel serve`` used by the supervisor tests: it speaks the same start-up
protocol (ready line, server.json, health endpoint, SIGTERM) and nothing else."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/x-fcdesk/health":
            body = b'{"status":"ok"}'
            self.send_response(200)
        else:
            body = b"{}"
            self.send_response(404)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class Server(ThreadingHTTPServer):
    def server_bind(self) -> None:
        # HTTPServer.server_bind resolves the host name (getfqdn), which can hang offline.
        import socketserver

        socketserver.TCPServer.server_bind(self)
        self.server_name = "127.0.0.1"
        self.server_port = self.server_address[1]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("command")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--secret-store", default="keyring")
    args = parser.parse_args()
    if os.environ.get("FAKE_SERVER_FAIL"):
        sys.stderr.write("cannot bind: address in use\n")
        return 1
    server = Server(("127.0.0.1", args.port), Handler)
    url = f"http://127.0.0.1:{server.server_address[1]}"
    info = {
        "url": url,
        "pid": os.getpid(),
        "accessKeyId": "LTAItest",
        "dataDir": str(args.data_dir),
    }
    args.data_dir.mkdir(parents=True, exist_ok=True)
    (args.data_dir / "server.json").write_text(json.dumps(info))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_a: stop.set())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    if os.environ.get("FAKE_SERVER_HELPER"):
        # A helper process that inherits stdout and stderr and outlives the server (as a
        # FUSE helper does for a moment): it runs until its release file appears.
        release = args.data_dir / "helper-release"
        code = "import os,sys,time\nwhile not os.path.exists(sys.argv[1]): time.sleep(0.01)"
        helper = subprocess.Popen([sys.executable, "-c", code, str(release)])
        (args.data_dir / "helper-pid").write_text(str(helper.pid))
    busy = float(os.environ.get("FAKE_SERVER_BUSY_S") or 0)
    if busy:  # a slow start on a loaded machine: working (CPU), silent, not ready yet
        until = time.monotonic() + busy
        while time.monotonic() < until:
            sum(range(10_000))
    if os.environ.get("FAKE_SERVER_HANG"):  # stuck: no output, no CPU, never ready
        stop.wait()
        return 0
    sys.stdout.write("starting\n")
    sys.stdout.write("FCDESK-READY " + json.dumps(info) + "\n")
    sys.stdout.flush()
    stop.wait()
    server.shutdown()
    (args.data_dir / "server.json").unlink()
    (args.data_dir / "stopped").write_text("clean")
    return 0


if __name__ == "__main__":
    sys.exit(main())
