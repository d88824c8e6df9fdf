from __future__ import annotations

from tests.core.emulator.helpers import acr, fc_headers, push_image
from tests.fixtures.emulator import LocalServerHandle, wait_subscribed


async def test_push_then_acr_and_fc(local_server_thread: LocalServerHandle) -> None:
    srv = local_server_thread
    async with srv.registry_client() as reg:
        digest, _ = await push_image(reg, "demo/app", "v1")
    async with srv.signed_client() as http:
        repos = await acr(http, "ListRepository", RepoNamespaceName="demo")
        assert repos["IsSuccess"] is True
        assert repos["TotalCount"] == "1"
        repo_id = repos["Repositories"][0]["RepoId"]
        tags = await acr(http, "ListRepoTag", RepoId=repo_id)
        assert tags["Images"][0]["Tag"] == "v1"
        body = {
            "functionName": "f1",
            "runtime": "custom-container",
            "handler": "index.handler",
            "customContainerConfig": {"image": f"{srv.host}/demo/app:v1", "port": 9000},
        }
        r = await http.post(
            "/2023-03-30/functions", json=body, headers=fc_headers("CreateFunction")
        )
        assert r.status_code == 200, r.text
        assert r.json()["state"] == "Pending"
        import asyncio

        for _ in range(100):
            r = await http.get("/2023-03-30/functions/f1", headers=fc_headers("GetFunction"))
            if r.json()["state"] != "Pending":
                break
            await asyncio.sleep(0.05)
        doc = r.json()
        assert doc["state"] == "Active", doc
        assert doc["customContainerConfig"]["resolvedImageUri"].endswith("@" + digest)


async def test_info_and_server_sent_events(local_server_thread: LocalServerHandle) -> None:
    import asyncio
    import json

    srv = local_server_thread
    async with srv.signed_client() as http:
        info = (await http.get("/x-fcdesk/info")).json()
        assert info["accessKeyId"] == srv.access_key_id
        assert info["registry"]["internet"] == srv.host
        assert info["registry"]["vpc"].startswith("localhost:")
        assert info["worker"]["concurrency"] == 1
        assert "mode" in info["runtime"]
        assert "Secret" not in json.dumps(info)

        got: list[str] = []
        subscribed = asyncio.Event()

        async def read_sse() -> None:
            async with (
                srv.signed_client(timeout=None) as sse,
                sse.stream("GET", "/x-fcdesk/events", params={"types": "tag.pushed"}) as r,
            ):
                assert r.headers["content-type"].startswith("text/event-stream")
                async for line in r.aiter_lines():
                    got.append(line)
                    if line == ": fcdesk event stream":  # what follows is delivered
                        subscribed.set()
                    if line.startswith("data:"):
                        return

        reader = asyncio.create_task(read_sse())
        await wait_subscribed(reader, subscribed)
        async with srv.registry_client() as reg:
            await push_image(reg, "sse/app", "v1")
        await reader
    assert any(line.startswith("id: ") for line in got)
    assert "event: tag.pushed" in got
    data = json.loads(next(x for x in got if x.startswith("data:"))[5:])
    pushed = data["data"]
    assert {k: pushed[k] for k in ("repo", "tag")} == {"repo": "sse/app", "tag": "v1"}
    assert set(pushed) == {"repo", "tag", "digest", "size", "updated"}
