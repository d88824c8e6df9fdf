"""Live function logs on the Local server: the ring of lines per function, and what a real
instance of the seeded demo prints, followed as it runs through ``/x-fcdesk/functions/{name}
/logs`` (LocalExtensions) and ``fcaccel functions logs``."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from core.cli import main
from core.cloud import LOCAL_SECRET_ENV, open_clients
from core.emulator._logs import FunctionLogs
from core.errors import CloudError
from core.settings import LocalProfile, TomlSettingsStore
from tests.fixtures.emulator import LocalServerHandle, start_local_server_thread


async def test_the_ring_of_lines() -> None:
    logs = FunctionLogs(per_function=3)
    for i in range(5):
        logs.add("a", "c-1", "stdout", f"line {i}")
    logs.add("b", "c-2", "stderr", "x" * 50_000)
    assert [r.message for r in logs.since("a")] == ["line 2", "line 3", "line 4"]
    assert [r.seq for r in logs.since("a", 4)] == [5]
    assert [r.message for r in logs.since("a", limit=1)] == ["line 4"]
    assert logs.since("a", limit=0) == []
    assert len(logs.since("b")[0].message) == 16 << 10  # a long line is cut
    assert logs.last_seq == 6
    assert not await logs.wait("a", 5, 0.01)
    waiting = asyncio.create_task(logs.wait("a", 5, 30))
    await asyncio.sleep(0)
    assert not waiting.done()
    logs.add("b", "c-2", "stdout", "not a's")
    await asyncio.sleep(0)
    assert not waiting.done()
    logs.add("a", "c-1", "stdout", "new")
    assert await waiting
    logs.forget("a")
    assert logs.since("a") == []


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServerHandle]:
    server = start_local_server_thread(
        tmp_path_factory.mktemp("logs") / "local", seed=True, seed_image="small"
    )
    try:
        yield server
    finally:
        server.stop()


async def _active(clients: Any, name: str) -> None:
    for _ in range(1200):
        try:
            fn = await clients.fc.get_function(name)
        except CloudError:
            fn = None
        if fn is not None and fn.is_ready:
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"{name} never became ready")


@pytest.mark.integration
async def test_an_instance_s_output_followed_as_it_runs(seeded: LocalServerHandle) -> None:
    profile = LocalProfile(url=seeded.url, access_key_id=seeded.access_key_id)
    async with httpx.AsyncClient(timeout=120) as http:
        clients = open_clients(profile, http, seeded.credentials)
        local = clients.local
        assert local is not None
        await _active(clients, "demo-plain")
        seen: list[dict[str, Any]] = []
        ended = asyncio.Event()
        request_ids: list[str] = []
        _, last = await local.function_logs("demo-plain", limit=0)

        opened: list[int] = []  # the server's greeting: the stream is open, before any line

        async def follow() -> None:
            async for doc in local.follow_function_logs(
                "demo-plain", since=last, on_open=opened.append
            ):
                assert opened, "a line before the stream was said to be open"
                seen.append(doc)
                if request_ids and doc["message"] == f"FC Invoke End RequestId: {request_ids[0]}":
                    ended.set()

        follower = asyncio.create_task(follow())
        try:
            # whenever the stream opens, it starts after `last`: nothing printed is missed
            result = await clients.fc.invoke_function("demo-plain", b'{"hello": "logs"}')
            assert result.ok
            assert result.request_id
            request_ids.append(result.request_id)
            if any(d["message"] == f"FC Invoke End RequestId: {result.request_id}" for d in seen):
                ended.set()
            await asyncio.wait_for(ended.wait(), 120)
        finally:
            follower.cancel()
            with pytest.raises(asyncio.CancelledError):
                await follower
        assert len(opened) == 1
        assert opened[0] >= last  # the newest line the server held when it opened
        rid = request_ids[0]
        messages = [d["message"] for d in seen]
        start = messages.index(f"FC Invoke Start RequestId: {rid}")
        end = messages.index(f"FC Invoke End RequestId: {rid}")
        assert start < end
        printed = [d for d in seen[start + 1 : end] if d["stream"] == "stdout"]
        assert printed, messages  # the demo app prints one line per invocation
        instances = {d["instanceId"] for d in seen[start : end + 1]}
        assert len(instances) == 1
        assert instances.pop().startswith("c-")
        times = [d["time"] for d in seen]
        assert times == sorted(times)
        assert all(d["seq"] > 0 for d in seen)
        # the same lines without following; the newest N; an unknown function
        lines, last = await local.function_logs("demo-plain")
        assert [d["seq"] for d in lines][-len(seen) :] == [d["seq"] for d in seen]
        assert last >= lines[-1]["seq"]
        newest, _ = await local.function_logs("demo-plain", limit=2)
        assert newest == lines[-2:]
        with pytest.raises(CloudError) as info:
            await local.function_logs("no-such-function")
        assert info.value.code == "FunctionNotFound"


@pytest.mark.integration
def test_fcaccel_functions_logs(
    seeded: LocalServerHandle, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    store = TomlSettingsStore()
    settings = store.load()
    settings.local = LocalProfile(url=seeded.url, access_key_id=seeded.access_key_id)
    store.save(settings)
    monkeypatch.setenv(LOCAL_SECRET_ENV, seeded.access_key_secret)
    assert main(["functions", "invoke", "demo-plain", "--event", "{}"]) == 0
    capsys.readouterr()
    assert main(["functions", "logs", "demo-plain", "--tail", "3"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 3
    assert out[-1].split()[3:6] == ["FC", "Invoke", "End"]
    assert " c-" in out[-1]
    assert main(["functions", "logs", "demo-plain", "--tail", "1", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["logs"][0]["message"].startswith("FC Invoke End RequestId: ")
    assert data["lastSeq"] >= data["logs"][0]["seq"]
    assert main(["functions", "logs", "nope"]) == 1


def test_the_cloud_note_names_simple_log_service() -> None:
    from core.cli.functions import SLS_NOTE

    assert "Simple Log Service" in SLS_NOTE
    assert "logConfig" in SLS_NOTE
    assert "--log" in SLS_NOTE
