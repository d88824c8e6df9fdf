"""Fixes for the report's problems: a plan that says exactly what will change, and the step
that applies it.

* ``plain-tag-with-twin`` → *switch-to-twin*: UpdateFunction, image ``repo:T`` →
  ``repo:T_accelerated``;
* ``stale-twin`` → *reconvert*: Local: convert ``T`` again, then redeploy the function (it
  resolves the new twin digest); cloud: push ``T`` again (by hand, no API converts a tag);
* ``acceleration-off`` → *enable-acceleration*: CreateArtifactBuildRule on the repository,
  and for a plain tag without twin: Local: convert ``T``; cloud: push ``T`` again (by hand);
* ``twin-missing`` → *convert-now*: Local: convert ``T``; cloud: push ``T`` again (by hand);
* ``public-endpoint`` → *use-vpc-address*: UpdateFunction, the image through the instance's
  VPC host;
* ``redeploy-needed`` → *redeploy*: UpdateFunction with the same image, which records the
  tag's current digest.

``twin-failed`` and ``image-unreadable`` have no automatic fix: the reason is shown instead.
Applying is idempotent (a rule that exists is not created again) and checks that the function
still runs the image the plan was made for.
"""

from __future__ import annotations

import asyncio
import enum
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from core import twin_tag_of
from core._progress import Progress, ProgressCallback, emit
from core.cloud import READ_ONLY_FIELDS, Function
from core.errors import CloudError, CoreError, InvalidInput
from core.oci import ImageReference
from core.report._engine import Inspector, ReportTarget, _AcrSite, twin_image
from core.report._model import (
    FIX_FOR,
    FixKind,
    FixPlan,
    FixStep,
    FunctionRow,
    ProblemCode,
    StepAction,
    TwinState,
)

__all__ = ["FixOutcome", "StepOutcome", "StepStatus", "apply_fix", "plan_fix", "plan_fixes"]


class StepStatus(enum.StrEnum):
    DONE = "done"
    SKIPPED = "skipped"  # nothing to do (e.g. the rule exists already)
    MANUAL = "manual"  # left to the user (re-push a tag)
    FAILED = "failed"
    NOT_RUN = "not-run"  # an earlier step failed


@dataclass(frozen=True, slots=True)
class StepOutcome:
    step: FixStep
    status: StepStatus
    code: str = ""  # error code or skip reason code
    message: str = ""
    task_id: str = ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"step": self.step.to_json(), "status": self.status.value}
        for key, value in (("code", self.code), ("message", self.message)):
            if value:
                out[key] = value
        if self.task_id:
            out["taskId"] = self.task_id
        return out


@dataclass(frozen=True, slots=True)
class FixOutcome:
    plan: FixPlan
    steps: tuple[StepOutcome, ...]

    @property
    def ok(self) -> bool:
        return all(s.status in (StepStatus.DONE, StepStatus.SKIPPED) for s in self.steps)

    @property
    def failed(self) -> bool:
        return any(s.status is StepStatus.FAILED for s in self.steps)

    def to_json(self) -> dict[str, Any]:
        return {"plan": self.plan.to_json(), "steps": [s.to_json() for s in self.steps]}


# -- plans -----------------------------------------------------------------------------------


def _row_twin_image(row: FunctionRow) -> str:
    tag = row.tag or ""
    return twin_image(row.image, tag, row.twin_tag or twin_tag_of(tag))


def plan_fix(row: FunctionRow, problem: ProblemCode) -> FixPlan | None:
    """The fix for ``problem`` on ``row``, or ``None`` when the row has no such fixable problem."""
    finding = row.finding(problem)
    if finding is None or finding.fix is None or row.tag is None:
        return None
    kind = FIX_FOR.get(problem)
    if kind is None:
        return None
    repo, source = row.repository, row.source_tag or row.tag
    steps: list[FixStep] = []
    if kind is FixKind.SWITCH_TO_TWIN:
        steps.append(
            FixStep(
                StepAction.UPDATE_FUNCTION_IMAGE,
                function=row.function,
                before=row.image,
                after=_row_twin_image(row),
            )
        )
    elif kind is FixKind.RECONVERT:
        if row.convert_on_request:
            steps.append(FixStep(StepAction.CONVERT_TAG, repository=repo, tag=source))
            steps.append(
                FixStep(StepAction.REDEPLOY_FUNCTION, function=row.function, after=row.image)
            )
        else:
            steps.append(FixStep(StepAction.REPUSH_TAG, repository=repo, tag=source))
    elif kind is FixKind.ENABLE_ACCELERATION:
        steps.append(FixStep(StepAction.CREATE_BUILD_RULE, repository=repo, scope="REPOSITORY"))
        if row.twin_state is TwinState.NONE and row.tag == source:
            action = StepAction.CONVERT_TAG if row.convert_on_request else StepAction.REPUSH_TAG
            steps.append(FixStep(action, repository=repo, tag=source))
    elif kind is FixKind.CONVERT_NOW:
        action = StepAction.CONVERT_TAG if row.convert_on_request else StepAction.REPUSH_TAG
        steps.append(FixStep(action, repository=repo, tag=source))
    elif kind is FixKind.REDEPLOY:
        if not row.function:
            return None
        steps.append(FixStep(StepAction.REDEPLOY_FUNCTION, function=row.function, after=row.image))
    elif kind is FixKind.USE_VPC_ADDRESS:
        vpc_image = finding.detail.get("vpcImage", "")
        if not vpc_image or not row.function:
            return None
        steps.append(
            FixStep(
                StepAction.UPDATE_FUNCTION_IMAGE,
                function=row.function,
                before=row.image,
                after=vpc_image,
            )
        )
    return FixPlan(kind, problem, row.target, row.function, tuple(steps), registry=row.registry)


def plan_fixes(rows: Sequence[FunctionRow], problem: ProblemCode) -> list[FixPlan]:
    """Plans for every row with ``problem`` that has a fix."""
    return [p for p in (plan_fix(r, problem) for r in rows) if p is not None]


# -- applying --------------------------------------------------------------------------------


def _writable_container_config(fn: Function) -> dict[str, Any]:
    ccc = fn.custom_container_config
    data = dict(ccc.to_json()) if ccc is not None else {}
    for key in ("resolvedImageUri", "accelerationInfo", *READ_ONLY_FIELDS):
        data.pop(key, None)
    for key in ("accelerationType", "acrInstanceId"):
        value = data.get(key)
        if value is None or str(value).strip().lower() in ("", "deprecated"):
            data.pop(key, None)
    return data


class _Applier:
    def __init__(
        self,
        target: ReportTarget,
        plan: FixPlan,
        *,
        wait: bool,
        max_wait: float,
        poll: float,
        on_progress: ProgressCallback | None,
    ) -> None:
        self.target = target
        self.plan = plan
        self.wait = wait
        self.max_wait = max_wait
        self.poll = poll
        self.on_progress = on_progress
        self.inspector = Inspector(target)

    def _emit(self, phase: str, item: str, **extra: Any) -> None:
        emit(self.on_progress, Progress(phase, item=item, extra=extra))

    async def _site(self) -> _AcrSite:
        if not self.plan.registry:
            raise InvalidInput("the plan names no registry", code="PlanIncomplete")
        site = await self.inspector.site_for(self.plan.registry)
        if not isinstance(site, _AcrSite):
            raise CloudError(
                f"{self.plan.registry} is not a registry instance of this profile",
                code="NotAnInstance",
            )
        return site

    async def _update_image(self, name: str, expect: str, image: str) -> None:
        fc = self.target.clients.fc
        fn = await fc.get_function(name)
        if expect and fn.image != expect:
            raise CloudError(
                f"function {name} runs {fn.image!r} now, not {expect!r}; run the report again",
                code="FunctionChanged",
            )
        ccc = _writable_container_config(fn)
        ccc["image"] = image
        await fc.update_function(name, {"customContainerConfig": ccc})
        self._emit("fix.function-updated", name, image=image)
        if self.wait:
            await fc.wait_until_ready(name, interval=self.poll, max_wait=self.max_wait)

    async def _create_rule(self, step: FixStep) -> StepOutcome:
        site = await self._site()
        repo = await self.inspector.repository(site, step.repository)
        assert repo.repo_id is not None
        acr = self.target.clients.acr
        if await acr.get_acceleration_rule(site.instance_id, repo.repo_id) is not None:
            return StepOutcome(step, StepStatus.SKIPPED, "RuleExists")
        await acr.create_acceleration_rule(site.instance_id, repo.repo_id)
        self._emit("fix.rule-created", step.repository)
        return StepOutcome(step, StepStatus.DONE)

    async def _convert(self, step: FixStep) -> StepOutcome:
        local = self.target.clients.local
        if local is None:
            return StepOutcome(step, StepStatus.MANUAL, "ConvertNotSupported")
        result = await local.convert(repo=step.repository, tags=[step.tag], force=True)
        entries = [e for e in result.get("tasks") or [] if isinstance(e, dict)]
        entry = next(
            (e for e in entries if e.get("tag") == step.tag), entries[0] if entries else {}
        )
        task_id = str(entry.get("taskId") or "")
        if not task_id:
            # Already queued: follow the running conversion of this tag.
            running = await local.list_tasks(
                repo=step.repository, tag=step.tag, status=["PENDING", "BUILDING"], limit=1
            )
            if not running:
                return StepOutcome(
                    step, StepStatus.FAILED, "ConvertRefused", str(entry.get("skipped") or "")
                )
            task_id = running[0].build_task_id or ""
        self._emit("fix.convert-queued", f"{step.repository}:{step.tag}", task=task_id)
        deadline = time.monotonic() + self.max_wait
        while True:
            task = await local.get_task(task_id)
            progress = (task.extra or {}).get("Progress")
            self._emit(
                "fix.converting",
                f"{step.repository}:{step.tag}",
                task=task_id,
                status=task.task_status,
                progress=progress,
            )
            if task.finished:
                if task.task_status == "SUCCESS":
                    return StepOutcome(step, StepStatus.DONE, task_id=task_id)
                reason = str((task.extra or {}).get("Reason") or task.task_status or "")
                return StepOutcome(
                    step, StepStatus.FAILED, "ConvertFailed", reason, task_id=task_id
                )
            if time.monotonic() >= deadline:
                return StepOutcome(
                    step,
                    StepStatus.FAILED,
                    "Timeout",
                    f"conversion not finished after {self.max_wait:.0f} s",
                    task_id=task_id,
                )
            await asyncio.sleep(self.poll)

    async def run_step(self, step: FixStep) -> StepOutcome:
        if step.action is StepAction.UPDATE_FUNCTION_IMAGE:
            await self._update_image(step.function, step.before, step.after)
            return StepOutcome(step, StepStatus.DONE)
        if step.action is StepAction.REDEPLOY_FUNCTION:
            await self._update_image(step.function, step.after, step.after)
            return StepOutcome(step, StepStatus.DONE)
        if step.action is StepAction.CREATE_BUILD_RULE:
            return await self._create_rule(step)
        if step.action is StepAction.CONVERT_TAG:
            return await self._convert(step)
        return StepOutcome(step, StepStatus.MANUAL, "RepushRequired")

    async def run(self) -> FixOutcome:
        outcomes: list[StepOutcome] = []
        failed = False
        for step in self.plan.steps:
            if failed:
                outcomes.append(StepOutcome(step, StepStatus.NOT_RUN))
                continue
            try:
                outcome = await self.run_step(step)
            except CoreError as exc:
                outcome = StepOutcome(step, StepStatus.FAILED, exc.code, str(exc))
            outcomes.append(outcome)
            failed = outcome.status is StepStatus.FAILED
        return FixOutcome(self.plan, tuple(outcomes))


async def apply_fix(
    plan: FixPlan,
    target: ReportTarget,
    *,
    wait: bool = True,
    max_wait: float = 600.0,
    poll: float = 0.5,
    on_progress: ProgressCallback | None = None,
) -> FixOutcome:
    """Apply ``plan``'s automatic steps on ``target`` in order; manual steps are reported as
    `StepStatus.MANUAL`. A conversion step waits for its task to end (a redeploy after it
    must see the new twin); with ``wait`` a function update also waits until the function is
    ready again. Each wait is bounded by ``max_wait`` seconds.

    Service errors end the plan with a `StepStatus.FAILED` step (later steps `NOT_RUN`); only
    cancellation propagates. Emits ``Progress("fix.*", item=…)`` events.
    """
    if plan.target != target.key:
        raise InvalidInput(f"the plan is for {plan.target}, not {target.key}", code="WrongTarget")
    if plan.function and plan.steps and plan.steps[0].action is StepAction.UPDATE_FUNCTION_IMAGE:
        ImageReference.parse(plan.steps[0].after)  # never send an unparsable image
    return await _Applier(
        target, plan, wait=wait, max_wait=max_wait, poll=poll, on_progress=on_progress
    ).run()
