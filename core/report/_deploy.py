"""Deploying only when accelerated: wait until an image's ``_accelerated`` twin is ready.

`wait_for_twin` looks at the image with the report's checker (`check_image`) every ``poll``
seconds until the twin is *ready* (it exists and was converted from the tag's current digest),
and stops early when it never will be: the conversion failed, or something stands in the way
(acceleration off, a Basic edition, a multi-architecture or too large image, an index-only
rule, an unreadable image, a tag nobody converts). The Serverless Devs fc3 component waits up
to 40 minutes without saying why; this says why, at once or when ``max_wait`` runs out.

While a conversion runs on the Local server its task's progress is reported with a rate and
an ETA; on Alibaba Cloud (no API lists conversion tasks) the wait reports the time elapsed.
Deploying is left to the caller (create or update the function with `TwinWait.image`, or
with the plain image when it chose to), so the function is untouched unless it decides.
"""

from __future__ import annotations

import asyncio
import enum
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core import is_accelerated_tag, source_tag_of, twin_tag_of
from core._progress import Progress, ProgressCallback, emit
from core.cloud import Function
from core.errors import CloudError, InvalidInput, InvalidReference
from core.oci import ImageReference
from core.report._engine import ReportTarget, check_image
from core.report._model import FunctionRow, ProblemCode, TwinState

__all__ = ["TwinWait", "WaitOutcome", "accelerated_pair", "wait_for_twin"]

#: Problems that mean the twin will not appear by waiting.
_BLOCKING = frozenset(
    {
        ProblemCode.ACCELERATION_OFF,
        ProblemCode.TWIN_FAILED,
        ProblemCode.IMAGE_UNREADABLE,
        ProblemCode.EDITION_UNSUPPORTED,
        ProblemCode.MULTI_ARCH,
        ProblemCode.TOO_LARGE,
        ProblemCode.INDEX_ONLY,
        ProblemCode.REGION_MISMATCH,
        ProblemCode.NOT_ENTERPRISE,
    }
)


#: A tag pushed this recently without a conversion yet may still be queued for one.
JUST_PUSHED = 120.0


class WaitOutcome(enum.StrEnum):
    READY = "ready"  # the twin is ready: deploy TwinWait.image
    FAILED = "failed"  # the conversion failed (the row's twin-failed finding has the reason)
    BLOCKED = "blocked"  # it will not be converted: the row's findings say why
    TIMEOUT = "timeout"  # still not ready after the timeout (the row: the last look)


@dataclass(frozen=True, slots=True)
class TwinWait:
    """How the wait ended. ``image`` is the twin's address, ``plain`` the source tag's;
    ``row`` the last check (its findings say why when not ready); ``seconds`` waited."""

    outcome: WaitOutcome
    image: str
    plain: str
    row: FunctionRow
    seconds: float

    @property
    def ready(self) -> bool:
        return self.outcome is WaitOutcome.READY

    @property
    def reasons(self) -> tuple[ProblemCode, ...]:
        return tuple(p.code for p in self.row.problems)

    def to_json(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome.value,
            "image": self.image,
            "plainImage": self.plain,
            "seconds": round(self.seconds, 3),
            "check": self.row.to_json(),
        }


def accelerated_pair(image: str) -> tuple[str, str]:
    """``(plain, twin)`` addresses for ``host/repo:tag`` or ``host/repo:tag_accelerated``."""
    try:
        ref = ImageReference.parse(image, default_tag=None)
    except InvalidReference as exc:
        raise InvalidInput(f"not an image reference: {image!r}", code="InvalidImage") from exc
    if ref.digest is not None or ref.tag is None:
        raise InvalidInput(
            f"{image}: waiting for the accelerated image needs a tag, not a digest",
            code="InvalidImage",
        )
    base = image[: len(image) - len(ref.tag)]
    source = source_tag_of(ref.tag) if is_accelerated_tag(ref.tag) else ref.tag
    return base + source, base + twin_tag_of(source)


async def _task_progress(target: ReportTarget, row: FunctionRow) -> float | None:
    local = target.clients.local
    if local is None or not row.repository or not row.source_tag:
        return None
    try:
        tasks = await local.list_tasks(repo=row.repository, tag=row.source_tag, limit=1)
    except CloudError:
        return None
    if not tasks or tasks[0].finished:
        return None
    value = (tasks[0].extra or {}).get("Progress")
    return float(value) if isinstance(value, int | float) else None


async def wait_for_twin(
    target: ReportTarget,
    image: str,
    *,
    max_wait: float = 600.0,
    poll: float = 2.0,
    function: Function | None = None,
    on_progress: ProgressCallback | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> TwinWait:
    """Wait until the twin of ``image`` (a plain tag or its ``_accelerated`` twin) is ready,
    at most ``max_wait`` seconds; see the module docs. ``function``: check as that function
    would run it. Progress phase ``accelerate``: ``done``/``total`` in thousandths of the
    conversion when known, ``extra``: ``state`` (a `TwinState` value), ``elapsed_s``,
    ``eta_s``, ``bytes_per_second`` (thousandths per second).
    """
    if max_wait < 0 or poll <= 0:
        raise InvalidInput("max_wait must be ≥ 0 and poll > 0", code="InvalidArgument")
    plain, twin = accelerated_pair(image)
    started = clock()
    from core.pull import TransferMeter  # the pull machinery only when deploying

    meter = TransferMeter(1000, clock=clock)
    while True:
        row = await check_image(target, plain, function=function)
        elapsed = clock() - started
        codes = row.problem_codes
        if row.twin_state is TwinState.READY:
            outcome: WaitOutcome | None = WaitOutcome.READY
        elif row.twin_state is TwinState.FAILED or ProblemCode.TWIN_FAILED in codes:
            outcome = WaitOutcome.FAILED
        elif codes & _BLOCKING:
            outcome = WaitOutcome.BLOCKED
        elif ProblemCode.TWIN_MISSING in codes and row.twin_state is TwinState.NONE:
            missing = row.finding(ProblemCode.TWIN_MISSING)
            pushed = missing.since if missing is not None else None
            if pushed is not None and time.time() - pushed < JUST_PUSHED:
                outcome = None  # pushed a moment ago: the registry may not have queued it yet
            else:
                outcome = WaitOutcome.BLOCKED  # nothing converts it (pushed before the rule)
        elif row.twin_state is TwinState.SOURCE_GONE:
            outcome = WaitOutcome.BLOCKED
        elif row.twin_state is TwinState.STALE and target.is_local:
            # nothing re-converts it (no task runs): the twin's own check says so, with the fix
            row = await check_image(target, twin, function=function)
            outcome = WaitOutcome.BLOCKED
        else:
            outcome = None  # converting, stale and re-converting, or the cloud still busy
        if outcome is not None:
            emit(
                on_progress,
                Progress("accelerate", 1000 if outcome is WaitOutcome.READY else 0, 1000, twin,
                         {"state": row.twin_state.value, "elapsed_s": elapsed, "done": True}),
            )  # fmt: skip
            return TwinWait(outcome, twin, plain, row, elapsed)
        if elapsed >= max_wait:
            return TwinWait(WaitOutcome.TIMEOUT, twin, plain, row, elapsed)
        fraction = await _task_progress(target, row)
        extra: dict[str, Any] = {"state": row.twin_state.value, "elapsed_s": elapsed}
        done = 0
        if fraction is not None:
            done = int(min(1.0, max(0.0, fraction)) * 1000)
            extra.update(meter.update(done))
        emit(on_progress, Progress("accelerate", done, 1000 if fraction is not None else None,
                                   twin, extra))  # fmt: skip
        await asyncio.sleep(min(poll, max(0.05, max_wait - elapsed)))
