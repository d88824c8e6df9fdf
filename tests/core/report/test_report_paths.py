"""The report's other paths on a real Local server: a profile without the Local extensions
(how the cloud looks: no task list, no convert-now), foreign registries with and without
credentials, a Local address from an earlier port, unusable credentials, digest references."""

from __future__ import annotations

import socket
from dataclasses import replace

import httpx
import pytest

from core.cloud import Credentials, Function
from core.report import (
    FunctionRow,
    ProblemCode,
    Report,
    ReportTarget,
    StepAction,
    TargetKey,
    TwinState,
    UnreadableReason,
    build_report,
    plan_fix,
)
from tests.core.report.scenario import Scenario, push_image
from tests.fixtures.registry import RunningRegistry

pytestmark = pytest.mark.integration


def _row(report: Report, name: str, target: TargetKey | None = None) -> FunctionRow:
    row = report.row(target or TargetKey("Local"), name)
    assert row is not None, name
    return row


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_without_local_extensions_the_report_uses_only_the_cloud_apis(
    scenario: Scenario,
) -> None:
    """No task list: a failed conversion cannot be seen; a recently pushed tag without a twin
    may still be converting; older ones are reported missing; fixes that need a conversion
    are manual (push the tag again)."""
    key = TargetKey("cloud", "cn-hangzhou")
    async with httpx.AsyncClient(timeout=30) as http:
        clients = replace(scenario.clients(http), local=None)
        target = ReportTarget(key, clients, http)
        report = await build_report([target])
        later = await build_report([target], now=report.created + 7200)
    # Every function pulls through the instance's public address although it has a VPC one
    # (the Local server's VPC host is localhost): offered as a fix, the image via that host.
    public = ProblemCode.PUBLIC_ENDPOINT
    for row in report.rows:
        if row.registry == scenario.host and not row.problem_codes & {ProblemCode.IMAGE_UNREADABLE}:
            assert public in row.problem_codes, row.function
            finding = row.finding(public)
            assert finding is not None
            assert finding.detail["vpcImage"] == row.image.replace(
                scenario.host, "localhost:" + scenario.host.rsplit(":", 1)[1]
            )
    vpc_plan = plan_fix(_row(report, "web-plain", key), public)
    assert vpc_plan is not None
    assert [s.action for s in vpc_plan.steps] == [StepAction.UPDATE_FUNCTION_IMAGE]
    assert vpc_plan.steps[0].after.startswith("localhost:")
    codes = {r.function: r.problem_codes - {public} for r in report.rows}
    assert codes["web-plain"] == {ProblemCode.PLAIN_TAG_WITH_TWIN}
    assert codes["api-fast"] == {ProblemCode.STALE_TWIN}  # the annotation still tells
    assert codes["batch"] == {ProblemCode.ACCELERATION_OFF}
    assert codes["broken"] == set()  # cannot know: no task API
    assert _row(report, "broken", key).twin_state is TwinState.UNKNOWN
    assert _row(later, "broken", key).problem_codes - {public} == {ProblemCode.TWIN_MISSING}
    assert _row(later, "legacy", key).problem_codes - {public} == {ProblemCode.TWIN_MISSING}
    plan = plan_fix(_row(later, "legacy", key), ProblemCode.TWIN_MISSING)
    assert plan is not None
    assert not plan.automatic
    assert [s.action for s in plan.steps] == [StepAction.REPUSH_TAG]
    plan = plan_fix(_row(report, "batch", key), ProblemCode.ACCELERATION_OFF)
    assert plan is not None
    assert plan.automatic
    assert [s.action for s in plan.steps] == [StepAction.CREATE_BUILD_RULE, StepAction.REPUSH_TAG]
    assert all(r.target == key for r in report.rows)


async def test_foreign_registries_earlier_addresses_and_digest_references(
    scenario: Scenario, basic_auth_registry: RunningRegistry
) -> None:
    creds = basic_auth_registry.credentials
    assert creds is not None
    await push_image(basic_auth_registry.url, creds, "private/app", "v1", {"a.txt": b"a"})
    await push_image(basic_auth_registry.url, creds, "private/app", "v1_accelerated", {"b": b"b"})
    old_port = f"127.0.0.1:{_free_port()}"  # nothing listens there
    async with httpx.AsyncClient(timeout=30) as http:
        clients = scenario.clients(http)
        async with httpx.AsyncClient(
            base_url=scenario.url,
            auth=(scenario.credentials.access_key_id, scenario.credentials.access_key_secret),
        ) as reg:
            head = await reg.head(
                "/v2/shop/web/manifests/v1_accelerated",
                headers={"Accept": "application/vnd.oci.image.manifest.v1+json"},
            )
        twin_digest = head.headers["docker-content-digest"]
        extra = {
            "moved": f"{old_port}/shop/web:v1",
            "pinned": f"{scenario.host}/shop/web@{twin_digest}",
        }
        for name, image in extra.items():
            await clients.fc.create_function(Function.for_container(name, image))
        try:
            anonymous = await build_report([scenario.target(http)])
            allowed = await build_report(
                [
                    ReportTarget(
                        TargetKey("Local"),
                        clients,
                        http,
                        foreign_auth=lambda host: (
                            creds if host == basic_auth_registry.host else None
                        ),
                    )
                ]
            )
        finally:
            for name in extra:
                await clients.fc.delete_function(name)
    private = _row(anonymous, "private").finding(ProblemCode.IMAGE_UNREADABLE)
    assert private is not None
    assert private.reason == UnreadableReason.AUTH
    assert private.detail["code"] == "UNAUTHORIZED"
    # with credentials: read like any registry (no rules there; a twin without a recorded
    # source digest cannot be judged, so switching to it is not offered)
    row = _row(allowed, "private")
    finding = row.finding(ProblemCode.PLAIN_TAG_WITH_TWIN)
    assert row.problem_codes == {ProblemCode.PLAIN_TAG_WITH_TWIN}
    assert row.acceleration is None
    assert row.twin_state is TwinState.UNKNOWN
    assert finding is not None
    assert finding.fix is None
    assert finding.fix_blocked == "twin-unknown"
    # a loopback address where nothing listens is the Local server under an earlier port
    moved = _row(anonymous, "moved")
    assert moved.problem_codes == {ProblemCode.PLAIN_TAG_WITH_TWIN}
    assert moved.twin_state is TwinState.READY
    pinned = _row(anonymous, "pinned")
    assert pinned.runs_accelerated
    assert pinned.tag is None
    assert pinned.problems == ()


async def test_a_target_whose_credentials_are_refused_is_an_error_not_a_crash(
    scenario: Scenario,
) -> None:
    wrong = Credentials(scenario.credentials.access_key_id, "not-the-secret", source="test")
    async with httpx.AsyncClient(timeout=30) as http:
        good = scenario.target(http)
        bad_clients = replace(scenario, credentials=wrong).clients(http)
        bad = ReportTarget(TargetKey("Broken"), bad_clients, http)
        report = await build_report([good, bad])
    assert len(report.errors) == 1
    error = report.errors[0]
    assert error.target == TargetKey("Broken")
    assert error.code == "SignatureNotMatch"
    assert "not-the-secret" not in error.message
    assert {r.target for r in report.rows} == {TargetKey("Local")}
    assert report.targets == (TargetKey("Local"), TargetKey("Broken"))
