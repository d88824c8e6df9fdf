"""Deploy only when accelerated: `wait_for_twin` and ``fcaccel functions create|update
--wait-accelerated`` on a real Local server whose conversions advance when the test says so
(each step, then the real converter)."""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from core._progress import Progress, ProgressCallback
from core.cli import main
from core.cloud import LOCAL_SECRET_ENV, Function, open_clients
from core.emulator import ConversionJob
from core.emulator._worker import convert_with_core
from core.errors import InvalidInput
from core.report import (
    ProblemCode,
    ReportTarget,
    TargetKey,
    TwinState,
    WaitOutcome,
    accelerated_pair,
    wait_for_twin,
)
from core.settings import LocalProfile, TomlSettingsStore
from tests.core.report.scenario import files_for, push_image
from tests.fixtures.emulator import LocalServerHandle, start_local_server_thread

pytestmark = pytest.mark.integration

STEPS = 4


class SteppedConverter:
    """Goes through ``STEPS`` progress steps, each released by the test (until then it keeps
    reporting where it is, as a converter does), then converts for real."""

    def __init__(self) -> None:
        self.steps = threading.Semaphore(0)

    async def __call__(self, job: ConversionJob, on_progress: ProgressCallback) -> None:
        total = (STEPS + 1) * 100
        for i in range(STEPS + 1):
            while not self.steps.acquire(blocking=False):
                on_progress(Progress("convert", i * 100, total, job.source_tag))
                await asyncio.sleep(0.05)
        await convert_with_core(job, on_progress)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[LocalServerHandle, SteppedConverter]]:
    converter = SteppedConverter()
    handle = start_local_server_thread(tmp_path / "local", converter=converter)
    try:
        yield handle, converter
    finally:
        for _ in range(100):
            converter.steps.release()  # let a held conversion end
        handle.stop()


def _target(handle: LocalServerHandle, http: httpx.AsyncClient) -> ReportTarget:
    profile = LocalProfile(url=handle.url, access_key_id=handle.access_key_id)
    return ReportTarget(TargetKey("Local"), open_clients(profile, http, handle.credentials), http)


async def _accelerated_repo(handle: LocalServerHandle, http: httpx.AsyncClient, repo: str) -> None:
    auth = handle.registry_auth
    await push_image(handle.url, auth, repo, "seed", files_for("seed", 0))
    target = _target(handle, http)
    acr = target.clients.acr
    (instance,) = [i.instance_id async for i in acr.list_instances() if i.instance_id]
    ns, _, name = repo.partition("/")
    found = await acr.get_repository(instance, namespace=ns, name=name)
    assert found.repo_id
    await acr.create_acceleration_rule(instance, found.repo_id)


def test_pairs() -> None:
    assert accelerated_pair("h:5000/ns/app:v1") == (
        "h:5000/ns/app:v1",
        "h:5000/ns/app:v1_accelerated",
    )
    assert accelerated_pair("h/ns/app:v1_accelerated") == ("h/ns/app:v1", "h/ns/app:v1_accelerated")
    with pytest.raises(InvalidInput, match="needs a tag"):
        accelerated_pair("h/ns/app@sha256:" + "0" * 64)


async def test_waits_with_progress_and_eta_then_ready(
    server: tuple[LocalServerHandle, SteppedConverter],
) -> None:
    handle, converter = server
    async with httpx.AsyncClient(timeout=60) as http:
        await _accelerated_repo(handle, http, "shop/app")  # its seed tag predates the rule
        await push_image(handle.url, handle.registry_auth, "shop/app", "v1", files_for("app"))
        target = _target(handle, http)
        events: list[Progress] = []
        image = f"{handle.host}/shop/app:v1_accelerated"
        waiting = asyncio.create_task(
            wait_for_twin(target, image, poll=0.1, on_progress=events.append)
        )

        def converting() -> list[Progress]:
            return [e for e in events if e.phase == "accelerate" and e.total == 1000]

        # each released step shows as progress (thousandths of the conversion); a rate, an ETA
        for step in range(1, STEPS + 1):
            converter.steps.release()
            expected = step * 1000 // (STEPS + 1)
            while not any(e.done == expected for e in converting()):
                assert not waiting.done(), waiting.result()
                await asyncio.sleep(0.05)
        assert any(e.extra.get("eta_s") is not None for e in converting())
        assert all(e.extra["state"] == "converting" for e in converting())
        assert not waiting.done()
        converter.steps.release()  # the real conversion
        waited = await asyncio.wait_for(waiting, 120)
    assert waited.outcome is WaitOutcome.READY
    assert (waited.image, waited.plain) == (image, image.removesuffix("_accelerated"))
    assert waited.row.twin_state is TwinState.READY
    assert events[-1].extra.get("done") is True


async def test_says_why_at_once_or_after_the_timeout(
    server: tuple[LocalServerHandle, SteppedConverter],
) -> None:
    handle, converter = server
    auth = handle.registry_auth
    async with httpx.AsyncClient(timeout=60) as http:
        target = _target(handle, http)
        # no rule: nothing will convert it
        await push_image(handle.url, auth, "shop/off", "v1", files_for("off"))
        off = await wait_for_twin(target, f"{handle.host}/shop/off:v1", max_wait=600)
        assert off.outcome is WaitOutcome.BLOCKED
        assert off.reasons == (ProblemCode.ACCELERATION_OFF,)
        # the conversion fails: its reason
        await _accelerated_repo(handle, http, "shop/bad")
        for _ in range(STEPS + 1):
            converter.steps.release()  # exactly this one conversion
        await push_image(handle.url, auth, "shop/bad", "v1", {"../escape": b"x", "ok": b"y"})
        bad = await wait_for_twin(target, f"{handle.host}/shop/bad:v1", poll=0.1)
        assert bad.outcome is WaitOutcome.FAILED
        finding = bad.row.finding(ProblemCode.TWIN_FAILED)
        assert finding is not None
        assert "escape" in finding.reason
        # still converting when the time is up (a clock that runs 100 s per look)
        await _accelerated_repo(handle, http, "shop/slow")
        await push_image(handle.url, auth, "shop/slow", "v1", files_for("slow"))
        ticks = itertools.count()
        slow = await wait_for_twin(
            target,
            f"{handle.host}/shop/slow:v1",
            max_wait=250,
            poll=0.05,
            clock=lambda: 100.0 * next(ticks),
        )
        assert slow.outcome is WaitOutcome.TIMEOUT
        assert slow.row.twin_state is TwinState.CONVERTING
        assert slow.seconds >= 250


def test_functions_create_and_update_wait_for_the_twin(
    server: tuple[LocalServerHandle, SteppedConverter],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    handle, converter = server
    store = TomlSettingsStore()
    settings = store.load()
    settings.local = LocalProfile(url=handle.url, access_key_id=handle.access_key_id)
    store.save(settings)
    monkeypatch.setenv(LOCAL_SECRET_ENV, handle.access_key_secret)
    auth = handle.registry_auth

    async def prepare() -> None:
        async with httpx.AsyncClient(timeout=60) as http:
            await push_image(handle.url, auth, "shop/off", "v1", files_for("off"))
            await _accelerated_repo(handle, http, "shop/app")

    asyncio.run(prepare())
    for _ in range(100):
        converter.steps.release()  # conversions run through from here on
    asyncio.run(push_image(handle.url, auth, "shop/app", "v1", files_for("app")))
    host = handle.host

    # the twin of shop/app:v1 gets ready: the function runs it
    code = main(["functions", "create", "fast", "--image", f"{host}/shop/app:v1",
                 "--wait-accelerated", "--timeout", "2m", "--json"])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert json.loads(captured.out)["customContainerConfig"]["image"] == (
        f"{host}/shop/app:v1_accelerated"
    )

    # shop/off has no rule: nothing is created, the reason is said
    code = main(["functions", "create", "plain", "--image", f"{host}/shop/off:v1_accelerated",
                 "--wait-accelerated"])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 3
    assert "acceleration-off" in captured.err
    assert "the function was left as it was" in captured.err
    assert main(["functions", "get", "plain"]) == 1
    capsys.readouterr()

    # ... unless the plain image was asked for
    code = main(["functions", "create", "plain", "--image", f"{host}/shop/off:v1_accelerated",
                 "--wait-accelerated", "--or-plain", "--json"])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 0
    assert json.loads(captured.out)["customContainerConfig"]["image"] == f"{host}/shop/off:v1"
    assert "deploying the plain image" in captured.err

    # update: the function keeps its image when the twin will not come
    code = main(["functions", "update", "fast", "--image", f"{host}/shop/off:v1",
                 "--wait-accelerated"])  # fmt: skip
    assert code == 3
    capsys.readouterr()
    assert main(["functions", "get", "fast", "--json"]) == 0
    fn = json.loads(capsys.readouterr().out)["function"]
    assert fn["customContainerConfig"]["image"] == f"{host}/shop/app:v1_accelerated"
    assert Function.from_json(fn).image == f"{host}/shop/app:v1_accelerated"


async def test_through_the_cloud_apis_only(
    server: tuple[LocalServerHandle, SteppedConverter],
) -> None:
    """No task API (as on Alibaba Cloud): a freshly pushed tag without twin may be converting,
    so the wait goes on (time elapsed, no percentage) until the twin appears."""
    from dataclasses import replace

    handle, converter = server
    async with httpx.AsyncClient(timeout=60) as http:
        await _accelerated_repo(handle, http, "shop/cloud")
        await push_image(handle.url, handle.registry_auth, "shop/cloud", "v1", files_for("c"))
        local = _target(handle, http)
        cloud = ReportTarget(
            TargetKey("cloud", "cn-hangzhou"), replace(local.clients, local=None), http
        )
        events: list[Progress] = []
        waiting = asyncio.create_task(
            wait_for_twin(
                cloud, f"{handle.host}/shop/cloud:v1", poll=0.1, on_progress=events.append
            )
        )
        while len(events) < 3:
            assert not waiting.done(), waiting.result()
            await asyncio.sleep(0.05)
        assert all(e.total is None and e.extra["state"] == "unknown" for e in events)
        for _ in range(STEPS + 1):
            converter.steps.release()
        waited = await asyncio.wait_for(waiting, 120)
    assert waited.outcome is WaitOutcome.READY
