"""Crash tests: ``kill -9`` of ``fcaccel serve`` at deterministic points (``FCDESK_FAULT``),
then a restart on the same data directory. Nothing corrupt may be served and every
conversion task must be resumed or failed with a reason."""

from __future__ import annotations

import asyncio
import hashlib
import os
import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.core.emulator.helpers import acr, digest_of, push_image
from tests.fixtures.emulator import LocalServerHandle, start_local_server

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _integrity(data_dir: Path) -> None:
    conn = sqlite3.connect(data_dir / "state.db")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


def _all_blobs_match(data_dir: Path) -> int:
    """Every file in the blob store hashes to its name."""
    count = 0
    for path in (data_dir / "blobs" / "sha256").rglob("*"):
        if path.is_file():
            assert hashlib.sha256(path.read_bytes()).hexdigest() == path.name, path
            count += 1
    return count


def _crashed(handle: LocalServerHandle) -> None:
    rc = handle.wait_exit(30)
    assert rc == -9, f"expected the fault to SIGKILL the server, exit code {rc}"


async def test_kill_during_chunked_upload_then_resume(tmp_path: Path) -> None:
    data = os.urandom(2_000_000)
    digest = digest_of(data)
    srv = start_local_server(tmp_path / "d", env={"FCDESK_FAULT": "during-upload"})
    async with srv.registry_client() as reg:
        r = await reg.post("/v2/ns/up/blobs/uploads/")
        location = r.headers["location"]
        with pytest.raises(httpx.HTTPError):
            await reg.patch(location, content=data[:700_000])
    _crashed(srv)
    _integrity(srv.data_dir)
    srv = srv.restart()
    try:
        async with srv.registry_client() as reg:
            assert (await reg.head(f"/v2/ns/up/blobs/{digest}")).status_code == 404
            status = await reg.get(location)
            assert status.status_code == 204
            offset = int(status.headers["range"].split("-")[1]) + 1
            assert offset == 700_000
            r = await reg.patch(location, content=data[offset:1_500_000])
            assert r.status_code == 202
            r = await reg.put(location, params={"digest": digest}, content=data[1_500_000:])
            assert r.status_code == 201
            assert (await reg.get(f"/v2/ns/up/blobs/{digest}")).content == data
        _all_blobs_match(srv.data_dir)
    finally:
        srv.stop()


async def test_kill_after_blob_write_before_its_row(tmp_path: Path) -> None:
    data = os.urandom(300_000)
    digest = digest_of(data)
    srv = start_local_server(tmp_path / "d", env={"FCDESK_FAULT": "after-blob-write"})
    async with srv.registry_client() as reg:
        with pytest.raises(httpx.HTTPError):
            await reg.post("/v2/ns/b/blobs/uploads/", params={"digest": digest}, content=data)
    _crashed(srv)
    srv = srv.restart()
    try:
        async with srv.registry_client() as reg:
            # the file is on disk but was never linked: not served
            assert (await reg.head(f"/v2/ns/b/blobs/{digest}")).status_code == 404
            r = await reg.post("/v2/ns/b/blobs/uploads/", params={"digest": digest}, content=data)
            assert r.status_code == 201
            assert (await reg.get(f"/v2/ns/b/blobs/{digest}")).content == data
        assert _all_blobs_match(srv.data_dir) == 1
        _integrity(srv.data_dir)
    finally:
        srv.stop()


async def test_kill_inside_the_tag_transaction(tmp_path: Path) -> None:
    srv = start_local_server(tmp_path / "d", env={"FCDESK_FAULT": "during-sqlite-write@tag"})
    async with srv.registry_client() as reg:
        with pytest.raises((httpx.HTTPError, AssertionError)):
            await push_image(reg, "ns/t", "v1")
    _crashed(srv)
    _integrity(srv.data_dir)
    srv = srv.restart()
    try:
        async with srv.registry_client() as reg:
            # the transaction rolled back: no tag, no half-written manifest row
            assert (await reg.get("/v2/ns/t/manifests/v1")).status_code == 404
            digest, _ = await push_image(reg, "ns/t", "v1")
            r = await reg.get("/v2/ns/t/manifests/v1")
            assert r.status_code == 200
            assert digest_of(r.content) == digest
        _all_blobs_match(srv.data_dir)
    finally:
        srv.stop()


FILES = {f"srv/f{i}.bin": os.urandom(20_000) for i in range(30)}


async def _wait_status(
    http: httpx.AsyncClient, task_id: str, wanted: set[str], limit: float = 120
) -> dict[str, Any]:
    for _ in range(int(limit / 0.1)):
        task = await acr(http, "GetArtifactBuildTask", BuildTaskId=task_id)
        if task.get("TaskStatus") in wanted:
            return task
        await asyncio.sleep(0.1)
    raise AssertionError(f"task {task_id} never reached {wanted}")


async def _start_conversion(srv: LocalServerHandle) -> str:
    async with srv.registry_client() as reg:
        await push_image(reg, "acc/app", "base", FILES)
    async with srv.signed_client() as http:
        repo = await acr(http, "GetRepository", RepoNamespaceName="acc", RepoName="app")
        await acr(
            http,
            "CreateArtifactBuildRule",
            ScopeType="REPOSITORY",
            ScopeId=repo["RepoId"],
            ArtifactType="ACCELERATED_IMAGE",
        )
    async with srv.registry_client() as reg:
        await push_image(reg, "acc/app", "v1", FILES)
    async with srv.signed_client() as http:
        r = await http.get("/x-fcdesk/tasks", params={"repo": "acc/app"})
        return str(r.json()["tasks"][0]["BuildTaskId"])


async def _tags(srv: LocalServerHandle) -> list[str]:
    async with srv.registry_client() as reg:
        tags: list[str] = (await reg.get("/v2/acc/app/tags/list")).json()["tags"]
        return tags


async def test_kill_during_conversion_resumes_the_task(tmp_path: Path) -> None:
    srv = start_local_server(tmp_path / "d", env={"FCDESK_FAULT": "during-conversion"})
    task_id = await _start_conversion(srv)
    _crashed(srv)
    _integrity(srv.data_dir)
    srv = srv.restart()
    try:
        async with srv.signed_client() as http:
            task = await _wait_status(http, task_id, {"SUCCESS", "FAILED"})
            assert task["TaskStatus"] == "SUCCESS", task
            logs = await acr(
                http, "ListArtifactBuildTaskLog", BuildTaskId=task_id, Page=1, PageSize=100
            )
            messages = [line["Message"] for line in logs["BuildTaskLogs"]]
            assert any("resumed" in m for m in messages), messages
        assert "v1_accelerated" in await _tags(srv)
        async with srv.registry_client() as reg:
            r = await reg.get("/v2/acc/app/manifests/v1_accelerated")
            for layer in r.json()["layers"]:
                blob = await reg.get(f"/v2/acc/app/blobs/{layer['digest']}")
                assert digest_of(blob.content) == layer["digest"]
        _all_blobs_match(srv.data_dir)
    finally:
        srv.stop()


async def test_task_interrupted_too_often_fails_with_a_reason(tmp_path: Path) -> None:
    fault = {"FCDESK_FAULT": "during-conversion"}
    srv = start_local_server(tmp_path / "d", env=fault)
    task_id = await _start_conversion(srv)
    _crashed(srv)
    for _ in range(2):  # the resumed attempts crash again
        srv = start_local_server(srv.data_dir, env=fault)
        _crashed(srv)
        assert "v1_accelerated" not in os.listdir(srv.data_dir)  # sanity: data dir intact
    srv = start_local_server(srv.data_dir)
    try:
        async with srv.signed_client() as http:
            task = await _wait_status(http, task_id, {"FAILED", "SUCCESS"})
            assert task["TaskStatus"] == "FAILED"
            assert "interrupted" in task["Reason"]
        assert "v1_accelerated" not in await _tags(srv)
        _integrity(srv.data_dir)
    finally:
        srv.stop()


async def test_kill_between_tag_and_task_queues_the_conversion_on_restart(
    tmp_path: Path,
) -> None:
    data = tmp_path / "d"
    srv = start_local_server(data)
    try:
        async with srv.registry_client() as reg:
            await push_image(reg, "acc/app", "base", FILES)
        async with srv.signed_client() as http:
            repo = await acr(http, "GetRepository", RepoNamespaceName="acc", RepoName="app")
            await acr(
                http,
                "CreateArtifactBuildRule",
                ScopeType="REPOSITORY",
                ScopeId=repo["RepoId"],
                ArtifactType="ACCELERATED_IMAGE",
            )
    finally:
        srv.stop()
    srv = start_local_server(data, env={"FCDESK_FAULT": "during-sqlite-write@task"})
    async with srv.registry_client() as reg:
        with pytest.raises((httpx.HTTPError, AssertionError)):
            await push_image(reg, "acc/app", "v1", FILES)  # the tag commits, the task does not
    _crashed(srv)
    srv = start_local_server(data)
    try:
        async with srv.signed_client() as http:
            r = await http.get("/x-fcdesk/tasks", params={"repo": "acc/app"})
            tasks = r.json()["tasks"]
            assert [t["SourceArtifact"]["Version"] for t in tasks] == ["v1"]  # not "base"
            task = await _wait_status(http, tasks[0]["BuildTaskId"], {"SUCCESS", "FAILED"})
            assert task["TaskStatus"] == "SUCCESS", task
        assert "v1_accelerated" in await _tags(srv)
        assert "base_accelerated" not in await _tags(srv)
    finally:
        srv.stop()
