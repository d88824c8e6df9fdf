"""The seeded demo end to end: cold starts through core.coldstart (full and lazy), warm reuse,
log tail, timelines by request id, live events, force-cold-start, ListInstances."""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path
from typing import Any

import pytest

from tests.core.emulator.helpers import fc_headers
from tests.fixtures.emulator import LocalServerHandle, start_local_server

pytestmark = [pytest.mark.integration, pytest.mark.slow]


async def _wait_active(srv: LocalServerHandle, name: str, limit: float = 180) -> dict[str, Any]:
    async with srv.signed_client() as http:
        for _ in range(int(limit / 0.25)):
            r = await http.get(f"/2023-03-30/functions/{name}", headers=fc_headers("GetFunction"))
            if r.status_code == 200 and r.json()["state"] == "Active":
                doc: dict[str, Any] = r.json()
                return doc
            await asyncio.sleep(0.25)
    raise AssertionError(f"{name} never became Active")


async def _invoke(srv: LocalServerHandle, name: str, event: bytes) -> Any:
    async with srv.signed_client() as http:
        return await http.post(
            f"/2023-03-30/functions/{name}/invocations",
            content=event,
            headers={**fc_headers("InvokeFunction"), "x-fc-log-type": "Tail"},
        )


async def test_seeded_demo_cold_and_warm_starts(tmp_path: Path) -> None:
    srv = start_local_server(tmp_path / "seeded", extra_args=("--idle-timeout", "60"))
    events: list[dict[str, Any]] = []

    async def watch() -> None:
        async with (
            srv.signed_client(timeout=None) as http,
            http.stream("GET", "/x-fcdesk/events", params={"format": "ndjson", "since": "0"}) as r,
        ):
            async for line in r.aiter_lines():
                events.append(json.loads(line))

    watcher = asyncio.create_task(watch())
    try:
        plain = await _wait_active(srv, "demo-plain")
        accel = await _wait_active(srv, "demo-accelerated")
        assert plain["customContainerConfig"]["accelerationInfo"]["status"] == "Ready"
        assert accel["customContainerConfig"]["accelerationInfo"]["status"] == "Ready"
        assert accel["customContainerConfig"]["image"].endswith("demo/hello:v1_accelerated")

        results = {}
        for name in ("demo-plain", "demo-accelerated"):
            r = await _invoke(srv, name, b'{"ping": 1}')
            assert r.status_code == 200, r.text
            assert r.headers["x-fc-cold-start"] == "true"
            rid = r.headers["x-fc-request-id"]
            body = r.json()
            assert body["eventBytes"] == len(b'{"ping": 1}')
            log = base64.b64decode(r.headers["x-fc-log-result"]).decode()
            assert f"FC Invoke Start RequestId: {rid}" in log
            assert f"FC Invoke End RequestId: {rid}" in log
            results[name] = rid

        async with srv.signed_client() as http:
            full = (await http.get(f"/x-fcdesk/invocations/{results['demo-plain']}")).json()
            lazy = (await http.get(f"/x-fcdesk/invocations/{results['demo-accelerated']}")).json()
        assert full["coldStart"] is True
        assert full["lazy"] is False
        assert [p["name"] for p in full["timeline"]][:2] == ["resolve", "pull"]
        assert full["timeline"][-1]["name"] == "first-invoke"
        assert lazy["lazy"] is True
        names = [p["name"] for p in lazy["timeline"]]
        assert "pull" in names
        assert names[-1] == "first-invoke"
        lazy_pull = next(p for p in lazy["timeline"] if p["name"] == "pull")
        full_pull = next(p for p in full["timeline"] if p["name"] == "pull")
        # the lazy pull fetches TOCs and the prefetch set, not the whole image
        assert lazy_pull["bytes"] < full_pull["bytes"]

        # warm: same instance, no cold start
        r = await _invoke(srv, "demo-accelerated", b"again")
        assert r.headers["x-fc-cold-start"] == "false"
        async with srv.signed_client() as http:
            inst = (
                await http.get(
                    "/2023-03-30/functions/demo-accelerated/instances",
                    headers=fc_headers("ListInstances"),
                )
            ).json()
            assert len(inst["instances"]) == 1
            assert inst["instances"][0]["invocations"] == 2
            r = await http.post("/x-fcdesk/functions/demo-accelerated/force-cold-start")
            assert r.json()["stoppedInstances"] == 1
            recent = (await http.get("/x-fcdesk/functions/demo-accelerated/invocations")).json()[
                "invocations"
            ]
            assert [i["coldStart"] for i in recent] == [False, True]
        r = await _invoke(srv, "demo-accelerated", b"cold again")
        assert r.headers["x-fc-cold-start"] == "true"

        wanted = {
            "seed.finished",
            "task.finished",
            "function.state",
            "instance.started",
            "coldstart.phase",
            "invocation.finished",
            "instance.stopped",
        }
        # The last invocation's events reach the stream just after its answer: wait for them.
        for _ in range(600):
            if wanted <= {e["type"] for e in events}:
                break
            await asyncio.sleep(0.05)
        assert wanted - {e["type"] for e in events} == set()
    finally:
        watcher.cancel()
        await asyncio.gather(watcher, return_exceptions=True)
        srv.stop()
