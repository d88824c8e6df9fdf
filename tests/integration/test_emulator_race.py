"""Two functions cold-started at the same time on the Local server, each over an emulated link
of its own (as two nodes would pull independently): the cold starts overlap, and the event
stream shows each one alive while it runs — phases as they begin, bytes as they arrive, and a
heartbeat — so that a client waits as long as there is progress, not for a fixed time."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from tests.core.emulator.helpers import fc_headers
from tests.fixtures.emulator import LocalServerHandle, start_local_server
from tests.integration.test_emulator_runtime import _invoke, _wait_active

pytestmark = [pytest.mark.integration, pytest.mark.slow]

LINK = "20mbit,30ms"
NAMES = ("demo-plain", "demo-accelerated")


async def _watch(srv: LocalServerHandle, events: list[dict[str, Any]]) -> None:
    async with (
        srv.signed_client(timeout=None) as http,
        http.stream("GET", "/x-fcdesk/events", params={"format": "ndjson"}) as r,
    ):
        async for line in r.aiter_lines():
            doc = json.loads(line)
            if doc.get("type") not in ("hello", "keepalive"):
                events.append(doc)


async def test_two_cold_starts_race_each_on_its_own_link(tmp_path: Path) -> None:
    srv = start_local_server(tmp_path / "race", extra_args=("--idle-timeout", "60"))
    events: list[dict[str, Any]] = []
    watcher = asyncio.create_task(_watch(srv, events))
    try:
        for name in NAMES:
            await _wait_active(srv, name)
        async with srv.signed_client() as http:
            for name in NAMES:
                r = await http.post(
                    f"/x-fcdesk/functions/{name}/force-cold-start",
                    json={"link": LINK, "cache": "empty"},
                    headers=fc_headers("ForceColdStart"),
                )
                assert r.status_code == 200, r.text
        await asyncio.sleep(0.3)  # the stream is open before the invocations start
        answers = await asyncio.gather(*(_invoke(srv, name, b"{}") for name in NAMES))
        for r in answers:
            assert r.status_code == 200, r.text
            assert r.headers["x-fc-cold-start"] == "true"
        await asyncio.sleep(0.5)
    finally:
        watcher.cancel()
        await asyncio.gather(watcher, return_exceptions=True)
        srv.stop()

    def of(kind: str, name: str) -> list[dict[str, Any]]:
        return [e for e in events if e["type"] == kind and e["data"].get("functionName") == name]

    # Both started before either had finished: the cold starts overlapped.
    starting = {n: of("instance.starting", n)[-1]["seq"] for n in NAMES}
    finished = {n: of("invocation.finished", n)[-1]["seq"] for n in NAMES}
    assert max(starting.values()) < min(finished.values())
    for name in NAMES:
        # Each over the link asked for, into its own empty cache.
        settings = of("instance.starting", name)[-1]["data"]["coldStartSettings"]
        assert settings["cache"] == "empty"
        assert settings["link"]["spec"] == LINK
        # Phases announced as they begin, before they end.
        updates = [e["data"]["phase"] for e in of("coldstart.progress", name)]
        begun = [u["name"] for u in updates if u["event"] == "begin"]
        assert begun[:2] == ["resolve", "pull"], begun
        pull_begin = next(
            e["seq"] for e in of("coldstart.progress", name) if e["data"]["phase"]["name"] == "pull"
        )
        pull_end = next(
            e["seq"] for e in of("coldstart.phase", name) if e["data"]["phase"]["name"] == "pull"
        )
        assert pull_begin < pull_end
    # The full pull reported its bytes while they arrived, growing.
    pulled = [
        u["bytes"]
        for u in (e["data"]["phase"] for e in of("coldstart.progress", "demo-plain"))
        if u["name"] == "pull" and u["event"] == "progress"
    ]
    assert pulled, "no progress during the full pull"
    assert pulled == sorted(pulled)
    # A heartbeat every 2 s while an invocation runs (the full pull over 20 Mbit/s takes
    # seconds).
    full = of("invocation.finished", "demo-plain")[-1]["data"]
    beats = of("invocation.heartbeat", "demo-plain")
    assert len(beats) >= int(full["totalMs"] / 1000 / 2) - 1
    assert {b["data"]["stage"] for b in beats} <= {"starting", "running"}
