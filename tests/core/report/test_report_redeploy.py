"""The report against what Function Compute runs: the digest recorded when a function was
deployed. On a real Local server (real registry, worker and converter):

* a new push of the plain tag, converted by the worker into a new twin, leaves the functions
  deployed on either tag ``Failed`` — the report said nothing (the twin is fresh: not stale)
  and now says ``redeploy-needed``, whose fix redeploys them;
* a twin the server converts again from the same image (start-up files first) carries its
  functions over: nothing to report, and in particular not a stale twin."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from core.cloud import Function, open_clients
from core.oci import ImageReference
from core.registry import RegistryClient
from core.report import (
    FixKind,
    ProblemCode,
    Report,
    ReportTarget,
    StepAction,
    StepStatus,
    TargetKey,
    TwinState,
    apply_fix,
    build_report,
    check_image,
    plan_fix,
)
from core.settings import LocalProfile
from tests.core.emulator.helpers import accelerate, convert, finished_task, push_image
from tests.fixtures.emulator import LocalServerHandle, start_local_server_thread
from tests.fixtures.images import TestIndex
from tests.fixtures.images import push_image as push_index

pytestmark = pytest.mark.integration

FILES = {"a.txt": b"alpha " * 100, "b.txt": b"bravo " * 100, "c.txt": b"charlie " * 100}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LocalServerHandle]:
    srv = start_local_server_thread(tmp_path / "d", auto_profile=False)
    try:
        yield srv
    finally:
        srv.stop()


def _target(srv: LocalServerHandle, http: httpx.AsyncClient) -> ReportTarget:
    profile = LocalProfile(url=srv.url, access_key_id=srv.access_key_id)
    return ReportTarget(TargetKey("Local"), open_clients(profile, http, srv.credentials), http)


async def _settled(target: ReportTarget, name: str) -> Function:
    while True:
        fn = await target.clients.fc.get_function(name)
        if not fn.is_settling:
            return fn
        await asyncio.sleep(0.05)


async def _report(target: ReportTarget) -> Report:
    report = await build_report([target], function_details=True)
    assert report.errors == ()
    return report


async def _deployed(srv: LocalServerHandle, target: ReportTarget) -> str:
    """shop/app:v1 accelerated, ``fast`` on the twin and ``plain`` on v1; the twin digest."""
    async with srv.registry_client() as reg:
        await push_image(reg, "shop/app", "v1", FILES)
    async with srv.signed_client() as http:
        await accelerate(http, "shop/app")
        task = await finished_task(http, await convert(http, "shop/app", "v1"))
    for name, tag in (("fast", "v1_accelerated"), ("plain", "v1")):
        await target.clients.fc.create_function(
            Function.for_container(name, f"{srv.host}/shop/app:{tag}")
        )
        assert (await _settled(target, name)).state == "Active"
    return str(task["TargetDigest"])


async def test_a_function_deployed_with_a_digest_its_tag_left_needs_a_redeploy(
    server: LocalServerHandle,
) -> None:
    async with httpx.AsyncClient(timeout=60) as http:
        target = _target(server, http)
        first_twin = await _deployed(server, target)
        before = (await _report(target)).row(TargetKey("Local"), "fast")
        assert before is not None
        assert before.problem_codes == frozenset()

        async with server.registry_client() as reg:
            source, _ = await push_image(reg, "shop/app", "v1", {"a.txt": b"v2 of the app"})
        async with server.signed_client() as r:
            tasks = (await r.get("/x-fcdesk/tasks", params={"repo": "shop/app"})).json()
            [task] = [t for t in tasks["tasks"] if t["SourceDigest"] == source]
            new_twin = str((await finished_task(r, str(task["BuildTaskId"])))["TargetDigest"])

        report = await _report(target)
        fast = report.row(TargetKey("Local"), "fast")
        assert fast is not None
        assert fast.function_state == "Failed"  # ImageDigestChanged
        assert fast.twin_state is TwinState.READY  # the twin itself is fresh
        assert fast.problem_codes == frozenset({ProblemCode.REDEPLOY_NEEDED})
        finding = fast.finding(ProblemCode.REDEPLOY_NEEDED)
        assert finding is not None
        assert finding.detail == {"deployed": first_twin, "current": new_twin}
        assert finding.fix is FixKind.REDEPLOY
        assert finding.since is not None
        plain = report.row(TargetKey("Local"), "plain")
        assert plain is not None
        assert ProblemCode.REDEPLOY_NEEDED in plain.problem_codes
        assert plain.finding(ProblemCode.REDEPLOY_NEEDED).detail["current"] == source  # type: ignore[union-attr]
        # the image alone has nothing wrong: the finding is about the function
        alone = await check_image(target, f"{server.host}/shop/app:v1_accelerated")
        assert alone.problem_codes == frozenset()
        fn = await target.clients.fc.get_function("fast")
        as_run = await check_image(target, fn.image or "", function=fn)
        assert as_run.problem_codes == frozenset({ProblemCode.REDEPLOY_NEEDED})

        plan = plan_fix(fast, ProblemCode.REDEPLOY_NEEDED)
        assert plan is not None
        assert [s.action for s in plan.steps] == [StepAction.REDEPLOY_FUNCTION]
        outcome = await apply_fix(plan, target, max_wait=60)
        assert [s.status for s in outcome.steps] == [StepStatus.DONE], outcome
        fn = await _settled(target, "fast")
        assert (fn.state, fn.last_update_status) == ("Active", "Successful")
        assert (fn.resolved_image_uri or "").endswith("@" + new_twin)
        after = await _report(target)
        assert after.row(TargetKey("Local"), "fast").problem_codes == frozenset()  # type: ignore[union-attr]


async def test_a_twin_the_server_converts_again_is_neither_stale_nor_a_redeploy(
    server: LocalServerHandle,
) -> None:
    async with httpx.AsyncClient(timeout=60) as http:
        target = _target(server, http)
        first_twin = await _deployed(server, target)
        async with server.signed_client() as r:
            await accelerate(r, "shop/app", ["/c.txt"])
            task = await finished_task(r, await convert(r, "shop/app", "v1", force=True))
        optimized = str(task["TargetDigest"])
        assert optimized != first_twin
        fn = await _settled(target, "fast")
        assert (fn.resolved_image_uri or "").endswith("@" + optimized)
        report = await _report(target)
        fast = report.row(TargetKey("Local"), "fast")
        assert fast is not None
        assert fast.function_state == "Active"
        assert fast.twin_state is TwinState.READY
        assert fast.problem_codes == frozenset()


async def test_only_a_single_manifest_tag_that_moved_is_reported(
    server: LocalServerHandle, multiarch_index: TestIndex
) -> None:
    """As the report sees a function from its record: the digest FC recorded against the
    tag's. An image index is left alone (the function may have recorded its platform's
    manifest), and so is a function still being deployed."""
    async with RegistryClient(server.host, credentials=server.registry_auth) as registry:
        await push_index(registry, "shop/multi", multiarch_index, "v1")
    async with server.registry_client() as reg:
        current, _ = await push_image(reg, "shop/one", "v1", FILES)
    elsewhere = "sha256:" + "5" * 64
    async with httpx.AsyncClient(timeout=60) as http:
        target = _target(server, http)

        def recorded(
            name: str, image: str, state: str | None = None, update: str | None = None
        ) -> Function:
            fn = Function.for_container(name, image)
            repo = ImageReference.parse(image).repository
            assert fn.custom_container_config is not None
            ccc = replace(
                fn.custom_container_config,
                resolved_image_uri=f"{server.host}/{repo}@{elsewhere}",
            )
            return replace(fn, custom_container_config=ccc, state=state, last_update_status=update)

        one = recorded("one", f"{server.host}/shop/one:v1", state="Failed")
        row = await check_image(target, one.image or "", function=one)
        finding = row.finding(ProblemCode.REDEPLOY_NEEDED)
        assert finding is not None
        assert finding.detail == {"deployed": elsewhere, "current": current}
        busy = recorded("busy", f"{server.host}/shop/one:v1", update="InProgress")
        row = await check_image(target, busy.image or "", function=busy)
        assert row.problem_codes == frozenset({ProblemCode.ACCELERATION_OFF})
        multi = recorded("multi", f"{server.host}/shop/multi:v1")
        row = await check_image(target, multi.image or "", function=multi)
        assert ProblemCode.REDEPLOY_NEEDED not in row.problem_codes
