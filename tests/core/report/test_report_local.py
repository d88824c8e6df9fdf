"""The report on a real Local server: every problem case is found exactly, and each fix
resolves its case (the report is run again after the fix).

The tests share one scenario (module scope) and run in file order: the detection tests
first, then each fix test changes only its own function or repository.
"""

from __future__ import annotations

import json
from dataclasses import replace

import httpx
import pytest

from core import Progress
from core.errors import InvalidInput
from core.report import (
    FixKind,
    FixPlan,
    FixStep,
    FunctionRow,
    ProblemCode,
    Report,
    ReportTarget,
    StepAction,
    StepStatus,
    TargetKey,
    TwinState,
    UnreadableReason,
    apply_fix,
    build_report,
    plan_fix,
    plan_fixes,
)
from tests.core.report.scenario import EXPECTED, Scenario

pytestmark = pytest.mark.integration


async def _report(scenario: Scenario, **kw: object) -> Report:
    async with httpx.AsyncClient(timeout=30) as http:
        return await build_report([scenario.target(http)], **kw)  # type: ignore[arg-type]


def _row(report: Report, name: str) -> FunctionRow:
    row = report.row(TargetKey("Local"), name)
    assert row is not None, name
    return row


async def test_finds_exactly_each_problem(scenario: Scenario) -> None:
    events: list[Progress] = []
    report = await _report(scenario, on_progress=events.append)
    assert report.errors == ()
    assert {r.function: r.problem_codes for r in report.rows} == EXPECTED
    counts = report.counts()
    assert counts[ProblemCode.IMAGE_UNREADABLE] == 2
    assert sum(counts.values()) == 7  # web-fast is clean
    assert report.has_problems
    assert events[-1].phase == "report.functions"
    assert events[-1].done == events[-1].total == 8

    fast = _row(report, "web-fast")
    assert fast.runs_accelerated
    assert fast.twin_state is TwinState.READY
    assert fast.recorded_source_digest == fast.source_digest != ""
    assert fast.acceleration is True
    assert fast.function_state == ""  # ListFunctions does not return it: no GetFunction

    detailed = await _report(scenario, function_details=True)  # one GetFunction each
    assert {r.function: r.problem_codes for r in detailed.rows} == EXPECTED
    assert all(r.function_state for r in detailed.rows)
    assert _row(detailed, "web-fast").function_state == "Active"
    assert _row(detailed, "web-fast").last_update_status == "Successful"

    plain = _row(report, "web-plain")
    assert not plain.runs_accelerated
    assert plain.twin_state is TwinState.READY
    finding = plain.finding(ProblemCode.PLAIN_TAG_WITH_TWIN)
    assert finding is not None
    assert finding.fix is FixKind.SWITCH_TO_TWIN
    assert finding.since is not None
    assert abs(finding.since - report.created) < 600
    assert plain.twin_created is not None
    assert finding.since == plain.twin_created

    stale = _row(report, "api-fast")
    assert stale.runs_accelerated
    assert stale.twin_state is TwinState.STALE
    assert stale.recorded_source_digest == scenario.stale_recorded
    assert stale.source_digest == scenario.stale_current != scenario.stale_recorded
    finding = stale.finding(ProblemCode.STALE_TWIN)
    assert finding is not None
    assert finding.fix is FixKind.RECONVERT
    assert finding.detail == {
        "evidence": "digest",
        "recorded": scenario.stale_recorded,
        "current": scenario.stale_current,
    }

    off = _row(report, "batch")
    assert off.acceleration is False
    assert off.twin_state is TwinState.NONE

    failed = _row(report, "broken")
    finding = failed.finding(ProblemCode.TWIN_FAILED)
    assert failed.twin_state is TwinState.FAILED
    assert finding is not None
    assert finding.fix is None
    assert "UnsafeContent" in finding.reason
    assert "../escape.txt" in finding.reason
    assert finding.detail["task"].startswith("i2a-")

    legacy = _row(report, "legacy")
    assert legacy.twin_state is TwinState.NONE
    assert legacy.acceleration is True

    ghost = _row(report, "ghost").finding(ProblemCode.IMAGE_UNREADABLE)
    private = _row(report, "private").finding(ProblemCode.IMAGE_UNREADABLE)
    assert ghost is not None
    assert ghost.reason == UnreadableReason.NOT_FOUND
    assert private is not None
    assert private.reason == UnreadableReason.AUTH
    assert ghost.fix is None
    assert private.fix is None


async def test_json_and_csv_exports(scenario: Scenario) -> None:
    report = await _report(scenario)
    doc = json.loads(json.dumps(report.to_json()))
    assert doc["counts"]["image-unreadable"] == 2
    assert Report.from_json(doc) == report
    lines = report.to_csv().splitlines()
    assert lines[0].startswith("profile,region,function,image,runs_accelerated,twin_state")
    assert len(lines) == 1 + len(report.rows)
    by_name = {line.split(",")[2]: line for line in lines[1:]}
    assert ",stale-twin," in by_name["api-fast"]
    assert ",twin-failed," in by_name["broken"]
    assert "UnsafeContent" in by_name["broken"]


async def test_plans_say_exactly_what_changes(scenario: Scenario) -> None:
    report = await _report(scenario)
    host = scenario.host
    plan = plan_fix(_row(report, "web-plain"), ProblemCode.PLAIN_TAG_WITH_TWIN)
    assert plan is not None
    assert plan.automatic
    assert plan.registry == host
    assert plan.steps == (
        FixStep(
            StepAction.UPDATE_FUNCTION_IMAGE,
            function="web-plain",
            before=f"{host}/shop/web:v1",
            after=f"{host}/shop/web:v1_accelerated",
        ),
    )
    plan = plan_fix(_row(report, "api-fast"), ProblemCode.STALE_TWIN)
    assert plan is not None
    assert plan.steps == (
        FixStep(StepAction.CONVERT_TAG, repository="shop/api", tag="v1"),
        FixStep(
            StepAction.REDEPLOY_FUNCTION,
            function="api-fast",
            after=f"{host}/shop/api:v1_accelerated",
        ),
    )
    plan = plan_fix(_row(report, "batch"), ProblemCode.ACCELERATION_OFF)
    assert plan is not None
    assert plan.steps == (
        FixStep(StepAction.CREATE_BUILD_RULE, repository="shop/batch", scope="REPOSITORY"),
        FixStep(StepAction.CONVERT_TAG, repository="shop/batch", tag="v1"),
    )
    plan = plan_fix(_row(report, "legacy"), ProblemCode.TWIN_MISSING)
    assert plan is not None
    assert plan.steps == (FixStep(StepAction.CONVERT_TAG, repository="shop/legacy", tag="v1"),)
    # no fix: failed conversions and unreadable images; no plan for a problem a row lacks
    assert plan_fix(_row(report, "broken"), ProblemCode.TWIN_FAILED) is None
    assert plan_fix(_row(report, "ghost"), ProblemCode.IMAGE_UNREADABLE) is None
    assert plan_fix(_row(report, "web-fast"), ProblemCode.PLAIN_TAG_WITH_TWIN) is None
    assert [p.function for p in plan_fixes(report.rows, ProblemCode.ACCELERATION_OFF)] == ["batch"]
    # the same plans for a profile whose registry cannot convert on request (the cloud)
    cloud_row = replace(_row(report, "api-fast"), convert_on_request=False)
    plan = plan_fix(cloud_row, ProblemCode.STALE_TWIN)
    assert plan is not None
    assert not plan.automatic
    assert plan.manual_steps == (FixStep(StepAction.REPUSH_TAG, repository="shop/api", tag="v1"),)


async def test_a_plan_made_before_someone_else_changed_the_function_is_refused(
    scenario: Scenario,
) -> None:
    report = await _report(scenario)
    plan = plan_fix(_row(report, "web-plain"), ProblemCode.PLAIN_TAG_WITH_TWIN)
    assert plan is not None
    moved = replace(plan, steps=(replace(plan.steps[0], before=f"{scenario.host}/shop/web:v0"),))
    async with httpx.AsyncClient(timeout=30) as http:
        outcome = await apply_fix(moved, scenario.target(http))
        with pytest.raises(InvalidInput, match="plan is for"):
            await apply_fix(plan, ReportTarget(TargetKey("Other"), scenario.clients(http), http))
    assert not outcome.ok
    assert outcome.failed
    assert outcome.steps[0].status is StepStatus.FAILED
    assert outcome.steps[0].code == "FunctionChanged"
    again = await _report(scenario)
    assert _row(again, "web-plain").image == f"{scenario.host}/shop/web:v1"  # untouched


async def _fix(scenario: Scenario, name: str, code: ProblemCode) -> Report:
    report = await _report(scenario)
    plan = plan_fix(_row(report, name), code)
    assert plan is not None
    events: list[Progress] = []
    async with httpx.AsyncClient(timeout=30) as http:
        outcome = await apply_fix(
            plan, scenario.target(http), poll=0.1, max_wait=120, on_progress=events.append
        )
    assert outcome.ok, outcome.to_json()
    assert events
    assert all(e.phase.startswith("fix.") for e in events)
    after = await _report(scenario, function_details=True)  # the redeployed state too
    assert after.errors == ()
    # every other function is exactly as before
    for row in after.rows:
        if row.function != name:
            assert row.problem_codes == _row(report, row.function).problem_codes, row.function
    return after


async def test_fix_switch_to_twin(scenario: Scenario) -> None:
    after = await _fix(scenario, "web-plain", ProblemCode.PLAIN_TAG_WITH_TWIN)
    row = _row(after, "web-plain")
    assert row.problems == ()
    assert row.image == f"{scenario.host}/shop/web:v1_accelerated"
    assert row.runs_accelerated
    assert row.function_state == "Active"


async def test_fix_reconvert_stale_twin(scenario: Scenario) -> None:
    after = await _fix(scenario, "api-fast", ProblemCode.STALE_TWIN)
    row = _row(after, "api-fast")
    assert row.problems == ()
    assert row.twin_state is TwinState.READY
    assert row.recorded_source_digest == scenario.stale_current
    async with httpx.AsyncClient(timeout=30) as http:
        fn = await scenario.clients(http).fc.get_function("api-fast")
    # redeployed: the function now resolves the new twin
    assert fn.resolved_image_uri is not None
    assert fn.resolved_image_uri.endswith(row.twin_digest)


async def test_fix_enable_acceleration(scenario: Scenario) -> None:
    after = await _fix(scenario, "batch", ProblemCode.ACCELERATION_OFF)
    row = _row(after, "batch")
    assert row.acceleration is True
    assert row.twin_state is TwinState.READY
    # acceleration is on and the tag converted: what is left is switching to the twin
    assert row.problem_codes == {ProblemCode.PLAIN_TAG_WITH_TWIN}
    again = await _fix(scenario, "batch", ProblemCode.PLAIN_TAG_WITH_TWIN)
    assert _row(again, "batch").problems == ()


async def test_enable_acceleration_again_is_skipped(scenario: Scenario) -> None:
    plan = FixPlan(
        FixKind.ENABLE_ACCELERATION,
        ProblemCode.ACCELERATION_OFF,
        TargetKey("Local"),
        "batch",
        (FixStep(StepAction.CREATE_BUILD_RULE, repository="shop/batch", scope="REPOSITORY"),),
        registry=scenario.host,
    )
    async with httpx.AsyncClient(timeout=30) as http:
        outcome = await apply_fix(plan, scenario.target(http))
    assert outcome.ok  # the rule the fix above created is not created twice
    assert outcome.steps[0].status is StepStatus.SKIPPED
    assert outcome.steps[0].code == "RuleExists"


async def test_fix_convert_missing_twin(scenario: Scenario) -> None:
    after = await _fix(scenario, "legacy", ProblemCode.TWIN_MISSING)
    row = _row(after, "legacy")
    assert row.twin_state is TwinState.READY
    assert row.problem_codes == {ProblemCode.PLAIN_TAG_WITH_TWIN}


async def test_a_failing_conversion_is_reported_by_the_fix(scenario: Scenario) -> None:
    plan = FixPlan(
        FixKind.CONVERT_NOW,
        ProblemCode.TWIN_MISSING,
        TargetKey("Local"),
        "broken",
        (FixStep(StepAction.CONVERT_TAG, repository="shop/broken", tag="v1"),),
        registry=scenario.host,
    )
    async with httpx.AsyncClient(timeout=30) as http:
        outcome = await apply_fix(plan, scenario.target(http), poll=0.1, max_wait=120)
    assert outcome.failed
    assert outcome.steps[0].code == "ConvertFailed"
    assert "../escape.txt" in outcome.steps[0].message
    report = await _report(scenario)
    assert _row(report, "broken").problem_codes == {ProblemCode.TWIN_FAILED}
