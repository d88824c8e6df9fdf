"""The Local server keeps its registry address across restarts.

Functions store their image as ``localhost:PORT/ns/repo:tag``; when ``fcaccel serve --port 0``
picked a new port on every start, the console's acceleration badges stayed unknown and
the lab's image comparisons failed to connect after fcdesk was restarted.
"""

from __future__ import annotations

import socket
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from tests.fixtures.emulator import start_local_server


def _port(url: str) -> int:
    port = urlsplit(url).port
    assert port is not None
    return port


def test_restart_reuses_the_previous_port(tmp_path: Path) -> None:
    data = tmp_path / "data"
    srv = start_local_server(data)
    first = _port(srv.url)
    srv = srv.restart()
    try:
        assert _port(srv.url) == first
        assert httpx.get(srv.url + "/x-fcdesk/health", timeout=10).status_code == 200
    finally:
        srv.stop()


def test_previous_port_taken_falls_back_to_a_free_one(tmp_path: Path) -> None:
    data = tmp_path / "data"
    srv = start_local_server(data)
    first = _port(srv.url)
    srv.stop()
    blocker = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        blocker.bind(("127.0.0.1", first))
        blocker.listen(1)
        srv = start_local_server(data)
        try:
            assert _port(srv.url) != first
            assert httpx.get(srv.url + "/x-fcdesk/health", timeout=10).status_code == 200
        finally:
            srv.stop()
    finally:
        blocker.close()
