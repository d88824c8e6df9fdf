"""Client-side conversions run in a child process (the GUI thread keeps the interpreter
lock): progress and results come back, core errors keep their type, cancelling stops the
child and leaves no twin."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from core import Progress
from core.errors import ManifestNotFound
from core.registry import RegistryClient
from gui.async_bridge import spawn
from gui.backend._convert_worker import WORKER_FLAG, run_conversion
from tests.fixtures.images import push_image

pytestmark = pytest.mark.integration


def _children_running_the_worker() -> list[int]:
    me = os.getpid()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == me and WORKER_FLAG.encode() in cmdline:
            found.append(int(entry.name))
    return found


def _wait(qtbot, task: asyncio.Task, timeout: int = 60000) -> object:
    qtbot.waitUntil(task.done, timeout=timeout)
    return task.result()


def test_a_conversion_in_the_child_reports_progress_and_its_result(
    qtbot, qloop, distribution_registry, small_image, unique_repo
) -> None:
    client = RegistryClient(distribution_registry.host, insecure=True)
    _wait(qtbot, spawn(push_image(client, unique_repo, small_image, "v1")))
    seen: list[Progress] = []
    request = {
        "registry": distribution_registry.host,
        "insecure": True,
        "credentials": None,
        "source": f"{distribution_registry.host}/{unique_repo}:v1",
    }
    result = _wait(qtbot, spawn(run_conversion(request, seen.append)))
    assert isinstance(result, dict)
    assert result["target"].endswith(f"{unique_repo}:v1_accelerated")
    assert result["digest"].startswith("sha256:")
    assert seen
    assert {p.phase for p in seen} >= {"convert"}
    twin = _wait(qtbot, spawn(client.head_manifest(unique_repo, "v1_accelerated")))
    assert twin is not None
    assert _children_running_the_worker() == []
    _wait(qtbot, spawn(client.aclose()))


def test_errors_keep_their_core_type(qtbot, qloop, distribution_registry, unique_repo) -> None:
    request = {
        "registry": distribution_registry.host,
        "insecure": True,
        "credentials": None,
        "source": f"{distribution_registry.host}/{unique_repo}:missing",
    }

    async def attempt() -> BaseException | None:
        try:
            await run_conversion(request)
        except ManifestNotFound as exc:
            return exc
        return None

    error = _wait(qtbot, spawn(attempt()))
    assert isinstance(error, ManifestNotFound)
    assert error.code == "MANIFEST_UNKNOWN" or error.code


def test_cancelling_stops_the_child(
    qtbot, qloop, distribution_registry, small_image, unique_repo
) -> None:
    client = RegistryClient(distribution_registry.host, insecure=True)
    _wait(qtbot, spawn(push_image(client, unique_repo, small_image, "v1")))
    request = {
        "registry": distribution_registry.host,
        "insecure": True,
        "credentials": None,
        "source": f"{distribution_registry.host}/{unique_repo}:v1",
    }
    task = spawn(run_conversion(request))
    qtbot.waitUntil(lambda: bool(_children_running_the_worker()), timeout=30000)
    task.cancel()
    qtbot.waitUntil(task.done, timeout=30000)
    assert task.cancelled()
    qtbot.waitUntil(lambda: not _children_running_the_worker(), timeout=15000)
    _wait(qtbot, spawn(client.aclose()))
