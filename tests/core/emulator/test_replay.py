"""Replay mode (no sandbox): cold starts are measured by replaying the image's start-up reads;
invocations say they were replayed instead of inventing function output."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.core.emulator.helpers import fc_headers, push_image
from tests.fixtures.emulator import start_local_server_thread


async def test_replay_runtime(tmp_path: Path) -> None:
    srv = start_local_server_thread(tmp_path / "d", runtime_mode="replay")
    try:
        async with srv.registry_client() as reg:
            await push_image(reg, "ns/app", "v1", {"app/server.py": b"print('hi')\n" * 100})
        async with srv.signed_client() as http:
            info = (await http.get("/x-fcdesk/info")).json()
            assert info["runtime"]["mode"] == "replay"
            body = {
                "functionName": "r",
                "runtime": "custom-container",
                "handler": "h",
                "customContainerConfig": {"image": f"{srv.host}/ns/app:v1"},
            }
            await http.post("/2023-03-30/functions", json=body, headers=fc_headers("Create"))
            for _ in range(100):
                doc = (await http.get("/2023-03-30/functions/r")).json()
                if doc["state"] == "Active":
                    break
                await asyncio.sleep(0.05)
            r = await http.post("/2023-03-30/functions/r/invocations", content=b"abc")
            assert r.status_code == 200, r.text
            assert r.headers["x-fcdesk-run-mode"] == "replay"
            assert r.headers["x-fc-cold-start"] == "true"
            answer = r.json()
            assert answer["replayed"] is True
            assert answer["eventBytes"] == 3
            timeline = (
                await http.get(f"/x-fcdesk/invocations/{r.headers['x-fc-request-id']}")
            ).json()
            names = [p["name"] for p in timeline["timeline"]]
            assert names[:2] == ["resolve", "pull"]
            assert "start" in names
            pull = next(p for p in timeline["timeline"] if p["name"] == "pull")
            assert pull["bytes"] > 0
            again = await http.post("/2023-03-30/functions/r/invocations", content=b"x")
            assert again.headers["x-fc-cold-start"] == "false"
    finally:
        srv.stop()
