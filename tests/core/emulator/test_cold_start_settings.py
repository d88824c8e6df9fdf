"""``POST /x-fcdesk/functions/{name}/force-cold-start`` with a body: the next cold start
pulls over the emulated link it names into an empty cache, and its invocation record says
so; bad bodies are refused. ``/x-fcdesk/info`` reports how seeding went."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.core.emulator.helpers import fc_headers, push_image
from tests.fixtures.emulator import LocalServerHandle, start_local_server_thread


async def _function(srv: LocalServerHandle, http: httpx.AsyncClient, name: str) -> None:
    async with srv.registry_client() as reg:
        await push_image(reg, "ns/app", "v1", {"app/server.py": b"print('hi')\n" * 100})
    body = {
        "functionName": name,
        "runtime": "custom-container",
        "handler": "h",
        "customContainerConfig": {"image": f"{srv.host}/ns/app:v1"},
    }
    r = await http.post("/2023-03-30/functions", json=body, headers=fc_headers("Create"))
    assert r.status_code == 200, r.text
    for _ in range(200):
        if (await http.get(f"/2023-03-30/functions/{name}")).json()["state"] == "Active":
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{name} never became Active")


async def _cold_invoke(http: httpx.AsyncClient, name: str) -> dict[str, Any]:
    r = await http.post(f"/2023-03-30/functions/{name}/invocations", content=b"{}")
    assert r.status_code == 200, r.text
    assert r.headers["x-fc-cold-start"] == "true"
    doc: dict[str, Any] = (
        await http.get(f"/x-fcdesk/invocations/{r.headers['x-fc-request-id']}")
    ).json()
    return doc


def _phase(doc: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(p for p in doc["timeline"] if p["name"] == name)
    return found


@pytest.fixture
def server(tmp_path: Path):
    srv = start_local_server_thread(tmp_path / "d", runtime_mode="replay")
    yield srv
    srv.stop()


async def test_link_and_cache_apply_to_the_next_cold_start_only(server: LocalServerHandle) -> None:
    async with server.signed_client() as http:
        await _function(server, http, "f")
        url = "/x-fcdesk/functions/f/force-cold-start"
        r = await http.post(url, json={"link": "8mbit,150ms", "cache": "empty"})
        assert r.status_code == 200, r.text
        settings = r.json()["nextColdStart"]
        assert settings["cache"] == "empty"
        assert settings["link"]["spec"] == "8mbit,150ms"
        assert settings["link"]["rtt_ms"] == 150.0

        shaped = await _cold_invoke(http, "f")
        assert shaped["coldStartSettings"] == settings
        # Every request crossed the emulated link: resolving the tag alone costs its RTT.
        assert _phase(shaped, "resolve")["durationMs"] >= 150
        assert _phase(shaped, "pull")["bytes"] > 0

        # Without a body the next cold start is an ordinary one: loopback, shared cache.
        r = await http.post(url)
        assert r.status_code == 200
        assert r.json()["stoppedInstances"] == 1
        assert "nextColdStart" not in r.json()
        plain = await _cold_invoke(http, "f")
        assert plain["coldStartSettings"] == {"link": None, "cache": "shared"}

        # "" is the loopback; the cache defaults to empty once a body is sent.
        r = await http.post(url, json={"link": ""})
        assert r.json()["nextColdStart"] == {"link": None, "cache": "empty"}
        r = await http.post(url, json={"cache": "shared"})
        assert r.json()["nextColdStart"] == {"link": None, "cache": "shared"}

        # A warm invocation carries no cold-start settings.
        await _cold_invoke(http, "f")
        r = await http.post("/2023-03-30/functions/f/invocations", content=b"{}")
        assert r.headers["x-fc-cold-start"] == "false"
        warm = (await http.get(f"/x-fcdesk/invocations/{r.headers['x-fc-request-id']}")).json()
        assert "coldStartSettings" not in warm


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"not json", "must be JSON"),
        (b"[1, 2]", "JSON object"),
        (b'{"link": 100}', "link must be a string"),
        (b'{"link": "fast"}', "link:"),
        (b'{"link": "100mbit,-5ms"}', "link:"),
        (b'{"cache": "warm"}', "cache must be"),
        (b'{"cache": null}', "cache must be"),
    ],
)
async def test_bad_bodies_are_refused(server: LocalServerHandle, body: bytes, message: str) -> None:
    async with server.signed_client() as http:
        r = await http.post(
            "/x-fcdesk/functions/anything/force-cold-start",
            content=body,
            headers={"content-type": "application/json"},
        )
        assert r.status_code == 400, r.text
        doc = r.json()
        assert doc["Code"] == "InvalidArgument"
        assert message in doc["Message"]


async def test_unknown_function_with_settings(server: LocalServerHandle) -> None:
    async with server.signed_client() as http:
        r = await http.post("/x-fcdesk/functions/nope/force-cold-start", json={"link": ""})
        assert r.status_code == 404
        assert r.json()["Code"] == "FunctionNotFound"


async def test_info_reports_seeding(tmp_path: Path) -> None:
    unseeded = start_local_server_thread(tmp_path / "none", runtime_mode="replay")
    try:
        async with unseeded.signed_client() as http:
            assert (await http.get("/x-fcdesk/info")).json()["seed"] is None
    finally:
        unseeded.stop()

    srv = start_local_server_thread(
        tmp_path / "seeded", seed=True, seed_image="small", runtime_mode="replay"
    )
    try:
        async with srv.signed_client() as http:
            seed: dict[str, Any] = {}
            for _ in range(600):
                seed = (await http.get("/x-fcdesk/info")).json()["seed"]
                if seed and seed["state"] != "running":
                    break
                await asyncio.sleep(0.2)
            assert seed["state"] == "finished", seed
            assert seed["kind"] == "small"
            assert seed["stage"] == "small"
            assert seed["done"] == seed["total"] == 3
            assert seed["seconds"] > 0
    finally:
        srv.stop()
