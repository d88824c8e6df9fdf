"""The Local server's event stream survives its keep-alives.

Before, the first keep-alive (after 15 s without events) cancelled the stream's pending
read, which closed the subscription, so the server ended the stream: the console
reconnected every 16 s, and its status bar switched from "● live" to "○ polling" each time.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

import core.emulator._ext as ext
from tests.core.emulator.helpers import push_image
from tests.fixtures.emulator import start_local_server_thread


async def test_stream_stays_open_across_keepalives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ext, "_KEEPALIVE", 0.2)
    srv = start_local_server_thread(tmp_path / "local")
    try:
        lines: list[dict[str, object]] = []
        async with (
            srv.signed_client(timeout=30) as http,
            http.stream(
                "GET", "/x-fcdesk/events", params={"format": "ndjson", "types": "tag.pushed"}
            ) as response,
        ):
            assert response.status_code == 200

            kept_alive = asyncio.Event()

            async def read() -> None:
                async for line in response.aiter_lines():
                    if line.strip():
                        lines.append(json.loads(line))
                        if [x.get("type") for x in lines].count("keepalive") >= 2:
                            kept_alive.set()
                        if lines[-1].get("type") == "tag.pushed":
                            return

            reader = asyncio.ensure_future(read())
            waiter = asyncio.ensure_future(kept_alive.wait())
            await asyncio.wait({reader, waiter}, return_when=asyncio.FIRST_COMPLETED)
            waiter.cancel()
            assert not reader.done(), "the stream ended after a keep-alive"
            async with srv.registry_client() as reg:
                await push_image(reg, "demo/app", "v1")
            await reader
        kinds = [line.get("type") for line in lines]
        assert kinds.count("keepalive") >= 2
        assert kinds[-1] == "tag.pushed"
    finally:
        srv.stop()
