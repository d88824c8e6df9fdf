"""The conversion worker: ``ACCELERATED_IMAGE`` build rules → tasks → ``<tag>_accelerated``.

A tag pushed into a repository with an active rule (repository or namespace scope) queues a
task (``i2a-…``). Tasks run with bounded concurrency through ``core.convert``, which pulls the
source from this server's own registry and pushes ``<tag>_accelerated`` back through it. The
target tag is written last, together with its manifest, in one sqlite transaction by the
registry, so there is never a partial ``_accelerated`` tag. Pushes of ``*_accelerated`` tags
never trigger tasks.

Status: PENDING → BUILDING → SUCCESS / FAILED / CANCELED. Progress goes to the task log
(``ListArtifactBuildTaskLog``) and the event stream. After a crash, a task that was BUILDING is
resumed (queued again) up to `MAX_ATTEMPTS` times, then failed with a reason; one whose target
tag was already written is marked SUCCESS.
"""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import sqlite3
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from core import ACCELERATED_SUFFIX, twin_tag_of
from core._progress import Progress, ProgressCallback, human_bytes
from core.cloud import decode_priority_file
from core.convert import ConvertOptions, Order, convert_image
from core.emulator import _faults
from core.emulator._context import ServerContext, new_id
from core.errors import CoreError
from core.pull import is_profile_tag
from core.registry import RegistryClient

__all__ = [
    "MAX_ATTEMPTS",
    "ConversionJob",
    "ConversionWorker",
    "Converter",
    "convert_with_core",
    "options_for",
]

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
_PROGRESS_INTERVAL = 0.25


@dataclass(frozen=True, slots=True)
class ConversionJob:
    task_id: str
    registry: str  # host:port of this server
    repo: str
    source_tag: str
    source_digest: str
    target_tag: str
    credentials: tuple[str, str]
    parameters: dict[str, Any]
    spool_dir: str | None = None
    #: The image's own start-up profile recorded by the server (empty: none), which takes
    #: precedence over the rule's ``PriorityFile``.
    profile: tuple[str, ...] = ()


#: ``await converter(job, on_progress)`` converts and pushes ``job.target_tag``.
Converter = Callable[[ConversionJob, ProgressCallback], Awaitable[None]]


def options_for(job: ConversionJob, spool_dir: str | None = None) -> ConvertOptions:
    """Conversion options: the image's own start-up profile, else the rule's ``PriorityFile``
    (base64 list of absolute paths, one per line), selects the optimized order with it."""
    profile = job.profile or decode_priority_file(str(job.parameters.get("PriorityFile") or ""))
    return ConvertOptions(
        order=Order.OPTIMIZED if profile else Order.PRESERVE,
        profile=profile,
        threads=2,
        spool_dir=spool_dir,
    )


async def convert_with_core(job: ConversionJob, on_progress: ProgressCallback) -> None:
    """The default converter: `core.convert.convert_image` against this server's registry."""
    src = f"{job.registry}/{job.repo}@{job.source_digest}"
    dst = f"{job.registry}/{job.repo}:{job.target_tag}"
    options = options_for(job, job.spool_dir)
    async with RegistryClient(job.registry, credentials=job.credentials) as client:
        await convert_image(client, src, dst, options, on_progress)


class ConversionWorker:
    def __init__(
        self, ctx: ServerContext, *, concurrency: int = 1, converter: Converter | None = None
    ) -> None:
        self.ctx = ctx
        self.concurrency = max(1, concurrency)
        self._converter = converter or convert_with_core
        self._queue: asyncio.Queue[str] = asyncio.Queue()
        self._running: dict[str, asyncio.Task[None]] = {}
        self._runners: list[asyncio.Task[None]] = []
        self._finished_hooks: list[Callable[[str], Awaitable[None]]] = []
        self._converted_hooks: list[Callable[[str, str, Order], Awaitable[None]]] = []
        self._closing = False

    def info(self) -> dict[str, Any]:
        return {
            "concurrency": self.concurrency,
            "running": sorted(self._running),
            "queued": self._queue.qsize(),
        }

    def on_finished(self, hook: Callable[[str], Awaitable[None]]) -> None:
        """``hook(repo)`` runs after each task of ``repo`` ends."""
        self._finished_hooks.append(hook)

    def on_converted(self, hook: Callable[[str, str, Order], Awaitable[None]]) -> None:
        """``hook(repo, source_digest, order)`` runs after each successful conversion."""
        self._converted_hooks.append(hook)

    # -- lifecycle -----------------------------------------------------------------------------

    @property
    def _spool(self) -> Path:
        return self.ctx.config.data_dir / "spool"

    async def start(self) -> None:
        def clean() -> None:
            shutil.rmtree(self._spool, ignore_errors=True)
            self._spool.mkdir(parents=True, exist_ok=True)

        await asyncio.to_thread(clean)
        await self._recover()
        for i in range(self.concurrency):
            self._runners.append(asyncio.create_task(self._run(), name=f"convert-{i}"))

    async def close(self) -> None:
        self._closing = True
        for task in self._runners:
            task.cancel()
        running = list(self._running.values())
        for task in running:
            task.cancel()
        await asyncio.gather(*self._runners, *running, return_exceptions=True)
        self._runners.clear()

    async def _recover(self) -> None:
        """Re-queue or fail what a stop interrupted."""
        now = int(time.time() * 1000)

        def sweep(conn: sqlite3.Connection) -> list[str]:
            queue: list[str] = []
            rows = conn.execute(
                "SELECT * FROM tasks WHERE status IN ('PENDING', 'BUILDING') ORDER BY created"
            ).fetchall()
            for row in rows:
                if row["status"] == "BUILDING":
                    done = conn.execute(
                        "SELECT digest FROM tags WHERE repo = ? AND tag = ? AND updated >= ?",
                        (row["repo"], row["target_tag"], row["started"] or 0),
                    ).fetchone()
                    if done is not None:
                        _log_line(
                            conn,
                            row["id"],
                            "server restarted after the accelerated tag was written",
                        )
                        conn.execute(
                            "UPDATE tasks SET status = 'SUCCESS', target_digest = ?, "
                            "progress = 1, ended = ? WHERE id = ?",
                            (done["digest"], now, row["id"]),
                        )
                        continue
                    if row["attempts"] >= MAX_ATTEMPTS:
                        reason = (
                            f"interrupted by server restarts {row['attempts']} times; giving up"
                        )
                        _log_line(conn, row["id"], reason)
                        conn.execute(
                            "UPDATE tasks SET status = 'FAILED', reason = ?, ended = ? "
                            "WHERE id = ?",
                            (reason, now, row["id"]),
                        )
                        continue
                    _log_line(
                        conn,
                        row["id"],
                        "server restarted during the conversion; the task is resumed",
                    )
                    conn.execute(
                        "UPDATE tasks SET status = 'PENDING', progress = 0 WHERE id = ?",
                        (row["id"],),
                    )
                queue.append(str(row["id"]))
            return queue

        for task_id in await self.ctx.db.run(sweep, "recover"):
            self._queue.put_nowait(task_id)
        await self._requeue_lost_pushes()

    async def _requeue_lost_pushes(self) -> None:
        """Tags pushed after their repository's rule existed but without any task (the server
        died between writing the tag and queueing its conversion) get their task now."""
        rows = await self.ctx.db.fetchall(
            "SELECT t.repo, t.tag, t.digest, b.id AS rule_id FROM tags t "
            "JOIN repositories r ON t.repo = r.namespace || '/' || r.name "
            "JOIN namespaces n ON n.name = r.namespace "
            "JOIN build_rules b ON b.artifact_type = 'ACCELERATED_IMAGE' AND ("
            "(b.scope_type = 'REPOSITORY' AND b.scope_id = r.id) OR "
            "(b.scope_type = 'NAMESPACE' AND b.scope_id = n.id)) "
            "WHERE t.updated >= b.created AND t.tag NOT LIKE '%\\_accelerated' ESCAPE '\\' "
            "AND NOT EXISTS (SELECT 1 FROM tasks k WHERE k.repo = t.repo "
            "AND k.source_tag = t.tag AND k.source_digest = t.digest) "
            "AND NOT EXISTS (SELECT 1 FROM tags a WHERE a.repo = t.repo "
            "AND a.tag = t.tag || '_accelerated' AND a.updated >= t.updated)"
        )
        seen: set[tuple[str, str]] = set()
        for row in rows:
            key = (str(row["repo"]), str(row["tag"]))
            if key in seen:
                continue
            seen.add(key)
            log.warning("re-queueing the lost conversion of %s:%s", *key)
            await self.enqueue(
                key[0], key[1], str(row["digest"]), trigger="push", rule_id=str(row["rule_id"])
            )

    # -- queueing ------------------------------------------------------------------------------

    async def rule_for(self, repo: str) -> sqlite3.Row | None:
        """The active ACCELERATED_IMAGE rule covering ``repo`` (repository first)."""
        namespace, _, name = repo.partition("/")
        return await self.ctx.db.fetchone(
            "SELECT b.* FROM build_rules b "
            "LEFT JOIN repositories r ON b.scope_type = 'REPOSITORY' AND b.scope_id = r.id "
            "LEFT JOIN namespaces n ON b.scope_type = 'NAMESPACE' AND b.scope_id = n.id "
            "WHERE b.artifact_type = 'ACCELERATED_IMAGE' AND "
            "((r.namespace = ? AND r.name = ?) OR n.name = ?) "
            "ORDER BY b.scope_type = 'REPOSITORY' DESC LIMIT 1",
            (namespace, name, namespace),
        )

    async def on_tag(self, repo: str, tag: str, digest: str) -> None:
        """Registry hook: a push wrote ``repo:tag``."""
        if tag.endswith(ACCELERATED_SUFFIX) or tag.endswith("_containerd_accelerated"):
            return
        if is_profile_tag(tag):
            return  # a start-up profile pushed next to its image, not an image
        rule = await self.rule_for(repo)
        if rule is None:
            return
        await self.enqueue(repo, tag, digest, trigger="push", rule_id=str(rule["id"]))

    async def enqueue(
        self, repo: str, tag: str, digest: str, *, trigger: str, rule_id: str | None
    ) -> str | None:
        """Create a PENDING task unless an identical one is already pending or running."""
        namespace, _, name = repo.partition("/")
        task_id = new_id("i2a-", 12)
        now = int(time.time() * 1000)

        def write(conn: sqlite3.Connection) -> str | None:
            existing = conn.execute(
                "SELECT id FROM tasks WHERE repo = ? AND source_tag = ? AND source_digest = ? "
                "AND status IN ('PENDING', 'BUILDING')",
                (repo, tag, digest),
            ).fetchone()
            if existing is not None:
                return None
            repo_row = conn.execute(
                "SELECT id FROM repositories WHERE namespace = ? AND name = ?", (namespace, name)
            ).fetchone()
            if repo_row is None:
                return None
            conn.execute(
                "INSERT INTO tasks (id, repo_id, repo, source_tag, source_digest, target_tag, "
                "status, rule_id, trigger, created) VALUES (?, ?, ?, ?, ?, ?, 'PENDING', ?, ?, ?)",
                (
                    task_id,
                    repo_row["id"],
                    repo,
                    tag,
                    digest,
                    twin_tag_of(tag),
                    rule_id,
                    trigger,
                    now,
                ),
            )
            _log_line(conn, task_id, f"queued: {repo}:{tag} ({digest}) by {trigger}")
            return task_id

        created = await self.ctx.db.run(write, "task")
        if created is not None:
            self.ctx.bus.publish(
                "task.created",
                taskId=created,
                repo=repo,
                tag=tag,
                targetTag=twin_tag_of(tag),
                status="PENDING",
                trigger=trigger,
            )
            self._queue.put_nowait(created)
            await self._notify(repo)
        return created

    async def convert_existing(
        self, repo: str, tags: list[str] | None, *, force: bool = False
    ) -> list[dict[str, Any]]:
        """Queue conversions of tags already in ``repo`` (all plain tags when ``tags`` is None).

        Tags whose ``_accelerated`` twin exists are skipped unless ``force``.
        """
        rows = await self.ctx.db.fetchall("SELECT tag, digest FROM tags WHERE repo = ?", (repo,))
        present = {str(r["tag"]): str(r["digest"]) for r in rows}
        if not present and not tags:
            return []
        wanted = tags if tags is not None else sorted(t for t in present if not is_profile_tag(t))
        rule = await self.rule_for(repo)
        out: list[dict[str, Any]] = []
        for tag in wanted:
            if tag.endswith(ACCELERATED_SUFFIX):
                out.append({"tag": tag, "skipped": "accelerated tags are not converted"})
                continue
            if is_profile_tag(tag):
                out.append({"tag": tag, "skipped": "a start-up profile, not an image"})
                continue
            digest = present.get(tag)
            if digest is None:
                out.append({"tag": tag, "skipped": "tag does not exist"})
                continue
            if twin_tag_of(tag) in present and not force:
                out.append({"tag": tag, "skipped": "accelerated twin exists"})
                continue
            task_id = await self.enqueue(
                repo, tag, digest, trigger="manual", rule_id=str(rule["id"]) if rule else None
            )
            if task_id is None:
                out.append({"tag": tag, "skipped": "a conversion is already queued"})
            else:
                out.append({"tag": tag, "taskId": task_id})
        return out

    async def cancel(self, task_id: str) -> None:
        running = self._running.get(task_id)
        if running is not None:
            running.cancel()
            return
        now = int(time.time() * 1000)

        def write(conn: sqlite3.Connection) -> sqlite3.Row | None:
            cur = conn.execute(
                "UPDATE tasks SET status = 'CANCELED', reason = 'canceled by user', ended = ? "
                "WHERE id = ? AND status = 'PENDING'",
                (now, task_id),
            )
            if cur.rowcount:
                _log_line(conn, task_id, "canceled before it started")
            row: sqlite3.Row | None = conn.execute(
                "SELECT * FROM tasks WHERE id = ?", (task_id,)
            ).fetchone()
            return row

        row = await self.ctx.db.run(write, "task")
        if row is not None and row["status"] == "CANCELED":
            self._publish_finished(row)
            await self._notify(str(row["repo"]))

    # -- running -----------------------------------------------------------------------------

    async def _run(self) -> None:
        while True:
            task_id = await self._queue.get()
            runner = asyncio.create_task(self._execute(task_id), name=f"task-{task_id}")
            self._running[task_id] = runner
            try:
                # asyncio.wait never raises the runner's exception: the loop survives anything
                await asyncio.wait({runner})
            finally:
                self._running.pop(task_id, None)
            if runner.cancelled():
                continue
            error = runner.exception()
            if error is not None:
                log.error("conversion task %s crashed: %r", task_id, error)
                row = await self.ctx.db.fetchone(
                    "SELECT repo, target_tag FROM tasks WHERE id = ?", (task_id,)
                )
                if row is not None:
                    await self._finish(
                        task_id,
                        str(row["repo"]),
                        str(row["target_tag"]),
                        "FAILED",
                        f"internal error: {type(error).__name__}: {error}",
                    )

    async def _execute(self, task_id: str) -> None:
        now = int(time.time() * 1000)

        def begin(conn: sqlite3.Connection) -> sqlite3.Row | None:
            cur = conn.execute(
                "UPDATE tasks SET status = 'BUILDING', started = ?, attempts = attempts + 1 "
                "WHERE id = ? AND status = 'PENDING'",
                (now, task_id),
            )
            if not cur.rowcount:
                return None
            row: sqlite3.Row | None = conn.execute(
                "SELECT * FROM tasks WHERE id = ?", (task_id,)
            ).fetchone()
            if row is not None:
                _log_line(conn, task_id, f"building (attempt {row['attempts']})")
            return row

        row = await self.ctx.db.run(begin, "task")
        if row is None:
            return
        repo = str(row["repo"])
        self.ctx.bus.publish(
            "task.progress", taskId=task_id, repo=repo, status="BUILDING", progress=0.0
        )
        params: dict[str, Any] = {}
        if row["rule_id"]:
            rule = await self.ctx.db.fetchone(
                "SELECT parameters FROM build_rules WHERE id = ?", (row["rule_id"],)
            )
            if rule is not None:
                params = json.loads(rule["parameters"] or "{}")
        profiler = self.ctx.services.get("profiler")
        profile: tuple[str, ...] = ()
        if profiler is not None:
            profile = await profiler.recorded_paths(repo, str(row["source_digest"]))
        if profile:
            await self.add_log(
                task_id,
                f"optimized order with the image's start-up profile ({len(profile)} files)",
                None,
            )
        job = ConversionJob(
            task_id=task_id,
            registry=self.ctx.registry_host,
            repo=repo,
            source_tag=str(row["source_tag"]),
            source_digest=str(row["source_digest"]),
            target_tag=str(row["target_tag"]),
            credentials=(
                self.ctx.credentials.access_key_id,
                self.ctx.credentials.access_key_secret,
            ),
            parameters=params,
            spool_dir=str(self._spool),
            profile=profile,
        )
        reporter = _ProgressReporter(self, task_id, repo)
        status, reason = "SUCCESS", ""
        try:
            await self._converter(job, reporter)
            await reporter.flush()
        except asyncio.CancelledError:
            if self._closing:
                raise  # server stopping: stays BUILDING, resumed on the next start
            status, reason = "CANCELED", "canceled by user"
        except CoreError as exc:
            status, reason = "FAILED", f"{exc.code}: {exc}"
        except (OSError, ValueError, httpx.HTTPError) as exc:
            status, reason = "FAILED", f"{type(exc).__name__}: {exc}"
        final = await self._finish(task_id, repo, job.target_tag, status, reason)
        if final == "SUCCESS":
            order = options_for(job).order
            for hook in self._converted_hooks:
                try:
                    await hook(repo, job.source_digest, order)
                except (CoreError, OSError) as exc:
                    log.error("after converting %s: %s", task_id, exc)

    async def _finish(
        self, task_id: str, repo: str, target_tag: str, status: str, reason: str
    ) -> str | None:
        """Record the task's end; returns its final status."""
        now = int(time.time() * 1000)

        def write(conn: sqlite3.Connection) -> sqlite3.Row | None:
            digest = None
            final_status, final_reason = status, reason
            if status == "SUCCESS":
                tag = conn.execute(
                    "SELECT digest FROM tags WHERE repo = ? AND tag = ?", (repo, target_tag)
                ).fetchone()
                if tag is None:
                    final_status = "FAILED"
                    final_reason = f"the converter did not push {target_tag}"
                else:
                    digest = tag["digest"]
            conn.execute(
                "UPDATE tasks SET status = ?, reason = ?, target_digest = ?, ended = ?, "
                "progress = CASE WHEN ? = 'SUCCESS' THEN 1 ELSE progress END WHERE id = ?",
                (final_status, final_reason, digest, now, final_status, task_id),
            )
            message = {
                "SUCCESS": f"succeeded: pushed {repo}:{target_tag} ({digest})",
                "FAILED": f"failed: {final_reason}",
                "CANCELED": "canceled",
            }[final_status]
            _log_line(conn, task_id, message)
            row: sqlite3.Row | None = conn.execute(
                "SELECT * FROM tasks WHERE id = ?", (task_id,)
            ).fetchone()
            return row

        row = await asyncio.shield(self.ctx.db.run(write, "task"))
        if row is not None:
            self._publish_finished(row)
        await self._notify(repo)
        return None if row is None else str(row["status"])

    def _publish_finished(self, row: sqlite3.Row) -> None:
        self.ctx.bus.publish(
            "task.finished",
            taskId=row["id"],
            repo=row["repo"],
            tag=row["source_tag"],
            targetTag=row["target_tag"],
            status=row["status"],
            reason=row["reason"],
            targetDigest=row["target_digest"],
            trigger=row["trigger"],
        )

    async def _notify(self, repo: str) -> None:
        for hook in self._finished_hooks:
            await hook(repo)

    async def add_log(self, task_id: str, message: str, progress: float | None) -> None:
        def write(conn: sqlite3.Connection) -> None:
            _log_line(conn, task_id, message)
            if progress is not None:
                conn.execute("UPDATE tasks SET progress = ? WHERE id = ?", (progress, task_id))

        await self.ctx.db.run(write, "task-log")

    async def set_progress(self, task_id: str, progress: float) -> None:
        """Record a task's progress (0..1) without a log line."""

        def write(conn: sqlite3.Connection) -> None:
            conn.execute(
                "UPDATE tasks SET progress = ? WHERE id = ? AND status = 'BUILDING'",
                (progress, task_id),
            )

        await self.ctx.db.run(write, "task-progress")


def _short(item: str) -> str:
    """``sha256:0123456789ab…`` for a digest, the item itself otherwise."""
    if item.startswith("sha256:") and len(item) > 19:
        return item[:19] + "…"
    return item


def _log_line(conn: sqlite3.Connection, task_id: str, message: str) -> None:
    row = conn.execute(
        "SELECT COALESCE(MAX(line), 0) AS n FROM task_logs WHERE task_id = ?", (task_id,)
    ).fetchone()
    conn.execute(
        "INSERT INTO task_logs (task_id, line, ts, message) VALUES (?, ?, ?, ?)",
        (task_id, int(row["n"]) + 1, int(time.time() * 1000), message[:2000]),
    )


class _ProgressReporter:
    """Turns converter `Progress` events into the task's progress, stream events and log lines.

    The task's progress is the share of the image converted so far and never goes back: the
    converter's events interleave per-layer, per-upload and whole-image figures, whose own
    fractions jump back and forth (3 … 41 → 6 → 97 → 68 %). Log lines are sentences with sizes,
    durations and rates (``Converted layer 2 of 5: 41.2 MiB → 38.0 MiB in 3.1 s, 13.3 MiB/s``).
    """

    def __init__(self, worker: ConversionWorker, task_id: str, repo: str) -> None:
        self.worker = worker
        self.task_id = task_id
        self.repo = repo
        self._phase = ""
        self._last_emit = 0.0
        self._pending: list[asyncio.Task[None]] = []
        self._fraction = 0.0
        self._whole_image = False  # the converter reports the whole image ("image" events)
        self._begun: dict[tuple[str, str], float] = {}
        self._ended: set[tuple[str, str]] = set()
        # The converter works on one thing after the other: a layer or an upload began when
        # the event before its first one came (its first event may already be its last).
        self._last_seen = time.monotonic()
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()

    def __call__(self, event: Progress) -> None:
        _faults.hit("during-conversion")
        if threading.get_ident() != self._loop_thread:
            # a converter calling back from a worker thread: hop to the loop
            self._loop.call_soon_threadsafe(self._handle, event)
            return
        self._handle(event)

    def _overall(self, event: Progress) -> float | None:
        """The task's share done after ``event`` (None: the event does not say)."""
        if event.phase == "image":
            self._whole_image = True
            # Converting is most of the work; the uploads after the last layer the rest.
            share = 0.95 * event.fraction if event.fraction is not None else None
        elif self._whole_image or "layers" in event.extra or event.phase == "push":
            share = None  # a layer's or an upload's own share, not the task's
        else:
            share = event.fraction  # a converter that reports one figure only
        if share is None:
            return None
        self._fraction = max(self._fraction, min(1.0, share))
        return self._fraction

    def _sentence(self, event: Progress, now: float) -> str | None:
        """A log line when a layer or an upload begins or ends, else None."""
        key = (event.phase, event.item)
        if key in self._ended or event.phase == "image":
            return None
        first = key not in self._begun
        if first:
            self._begun[key] = self._last_seen
        finished = bool(event.total) and event.done >= (event.total or 0)
        digest = _short(event.item)
        which = ""
        if "layers" in event.extra:
            which = f" {int(event.extra.get('layer_index', 0)) + 1} of {event.extra['layers']}"
        if finished:
            self._ended.add(key)
            seconds = max(0.001, now - self._begun[key])
            took = f"{seconds:.1f} s" if seconds >= 1 else f"{seconds * 1000:.0f} ms"
            rate = human_bytes(event.done / seconds)
            size = human_bytes(event.done)
            if event.phase == "convert":
                out = event.extra.get("bytes_out")
                arrow = f" → {human_bytes(int(out))}" if out else ""
                return f"Converted layer{which} ({digest}): {size}{arrow} in {took}, {rate}/s"
            if event.phase == "push":
                return f"Uploaded {digest}: {size} in {took}, {rate}/s"
            return f"{event.phase} {digest}: {size} in {took}, {rate}/s".strip()
        if not first:
            return None
        total = f", {human_bytes(event.total)}" if event.total else ""
        if event.phase == "convert":
            return f"Converting layer{which} ({digest}{total})"
        if event.phase == "push":
            return f"Uploading {digest}{total}"
        return f"{event.phase} {digest}{total}".strip()

    def _handle(self, event: Progress) -> None:
        now = time.monotonic()
        overall = self._overall(event)
        sentence = self._sentence(event, now)
        self._last_seen = now
        phase_changed = event.phase != self._phase
        if sentence is None and not phase_changed and now - self._last_emit < _PROGRESS_INTERVAL:
            return
        self._last_emit = now
        self._phase = event.phase
        self.worker.ctx.bus.publish(
            "task.progress",
            taskId=self.task_id,
            repo=self.repo,
            status="BUILDING",
            phase=event.phase,
            item=event.item,
            done=event.done,
            total=event.total,
            progress=self._fraction,
        )
        if sentence is not None:
            self._pending.append(
                asyncio.ensure_future(self.worker.add_log(self.task_id, sentence, overall))
            )
        elif overall is not None:
            # between log lines too (at most every _PROGRESS_INTERVAL): what a client polling
            # GetArtifactBuildTask sees moves as the event stream does
            self._pending.append(
                asyncio.ensure_future(self.worker.set_progress(self.task_id, self._fraction))
            )
        self._pending = [t for t in self._pending if not t.done()]

    async def flush(self) -> None:
        if self._pending:
            await asyncio.gather(*self._pending)
        self._pending.clear()
