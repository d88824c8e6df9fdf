"""First-start demo: namespace ``demo``, two demo functions and the images they run.

Stage 1, *small* (seconds): repository ``demo/hello`` with the small demo image (the
machine's ``python3`` and a tiny web app, ~12 MB) as ``v1``, its ``v1_accelerated`` twin made
by the conversion worker like any other task, and the functions ``demo-plain`` and
``demo-accelerated`` on them, so a fresh server has working functions at once.

Stage 2, *realistic* (a few minutes, when the seed kind is ``medium`` or ``bloated``;
``medium`` by default): repository ``demo/python-app`` with a realistic image, the same web app
beside a Python runtime and a few hundred MB of libraries and assets that start-up barely
reads (``core.coldstart.build_demo_tree``, assembled from files on this machine). Acceleration
runs in its two stages, as on the cloud: the worker converts the pushed ``v1`` (on-demand
loading); the accelerated image is started once over a lazy mount to record which files
start-up reads; the profile becomes the repository rule's ``PriorityFile`` and the worker
converts ``v1`` again in optimized order (start-up prefetch). The demo functions are then
switched to ``demo/python-app:v1`` and ``v1_accelerated``. A cold-start comparison of the two
on the Local server now shows what acceleration buys on an image worth accelerating; on the
small image there is nothing to save.

The realistic image comes in two variants, reported as ``variant`` in the status and in every
realistic-stage ``seed.progress`` event: ``runtime+site-packages`` (the web app importing
httpx and friends from a Python environment's ``site-packages`` found on this machine, plus
fonts) and, where there is none (the packaged console started from a clean environment),
``runtime+assets``: the small demo app (it imports nothing beyond the standard library) with
Debian's python3 and a few hundred MB of the machine's fonts and shared libraries in a layer
that start-up never reads. ``FCDESK_SEED_SITE_PACKAGES`` names the environment to use
(``none``: take the fallback); ``FCDESK_SEED_ASSETS`` the fallback's bulk data
(absolute paths separated by ``:``).

A failed seeding is retried on the next start, at most ``_MAX_ATTEMPTS`` times in all; the
failure (reason, attempts, whether it will be retried) is kept in ``meta`` and shown in
``/x-fcdesk/info`` (``seed``) on every later start. Asking for another seed kind starts a
fresh set of attempts.

Which kind is seeded: ``ServerConfig.seed_image`` (``fcaccel serve --seed``), by default
``FCDESK_SEED`` from the environment, else ``medium``. Progress is published on the event
stream (``seed.started``, ``seed.progress`` with ``stage``/``step``/``done``/``total``,
``seed.finished``/``seed.failed``) and kept for ``/x-fcdesk/info`` (``seed``); the conversions
are ordinary tasks. Namespace, repositories and rules exist before the ready line. Seeding is
idempotent and resumes after a restart: each step checks what exists, and ``meta.seeded`` is
written last.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import shutil
import site
import sqlite3
import sysconfig
import tempfile
import time
from pathlib import Path
from typing import Any

from core import twin_tag_of
from core._progress import Progress
from core.cloud import (
    LOCAL_DEMO_FUNCTIONS,
    LOCAL_DEMO_REPO,
    LOCAL_DEMO_TAG,
    LOCAL_REALISTIC_DEMO_REPO,
    encode_priority_file,
)
from core.coldstart import (
    build_demo_image,
    exec_available,
    has_prefetch_regions,
)
from core.emulator._context import SEED_KINDS, ServerContext, new_id
from core.emulator._errors import ApiError
from core.emulator._registry import ensure_repository
from core.errors import CoreError
from core.pull import resolve_image
from core.registry import RegistryClient

__all__ = [
    "DEMO_FUNCTIONS",
    "SEED_KINDS",
    "VARIANT_ASSETS",
    "VARIANT_SITE_PACKAGES",
    "seed_demo",
    "seed_if_first_start",
    "seed_structure",
]

log = logging.getLogger(__name__)

#: Function name → the tag it runs (the plain image, its accelerated twin).
DEMO_FUNCTIONS = dict(
    zip(LOCAL_DEMO_FUNCTIONS, (LOCAL_DEMO_TAG, twin_tag_of(LOCAL_DEMO_TAG)), strict=True)
)
_SUMMARIES = {
    LOCAL_DEMO_REPO: "fcdesk demo: a small web app on the machine's python3",
    LOCAL_REALISTIC_DEMO_REPO: (
        "fcdesk demo: a Python web app beside a runtime and libraries it barely reads at start-up"
    ),
}
_PROGRESS_EVERY = 1.0
#: Realistic-image variants (see the module docstring).
VARIANT_SITE_PACKAGES = "runtime+site-packages"
VARIANT_ASSETS = "runtime+assets"
#: Bulk data of the ``runtime+assets`` variant, taken in this order up to the kind's budget.
_FALLBACK_ASSETS: tuple[str, ...] = ("/usr/share/fonts", "/usr/lib/x86_64-linux-gnu")
_FALLBACK_BUDGET = {"medium": 320 << 20, "bloated": None}
#: Seeding attempts (one per start) before a failure is left standing.
_MAX_ATTEMPTS = 3


class _Seeding:
    """Progress of one seeding run: events on the bus and a status for ``/x-fcdesk/info``."""

    def __init__(self, ctx: ServerContext, kind: str) -> None:
        self.ctx = ctx
        self.status: dict[str, Any] = {"kind": kind, "state": "running", "stage": "small"}
        ctx.services["seed_status"] = self.status
        self._last = 0.0
        #: The realistic image's variant once chosen (added to that stage's events).
        self.variant: str | None = None

    def _variant(self, stage: str) -> dict[str, str]:
        return {"variant": self.variant} if stage != "small" and self.variant else {}

    def step(self, stage: str, step: str, done: int, total: int, **extra: Any) -> None:
        self.status.update(stage=stage, step=step, done=done, total=total)
        extra.update(self._variant(stage))
        self.ctx.bus.publish(
            "seed.progress", stage=stage, step=step, done=done, total=total, **extra
        )

    def detail(self, stage: str, step: str, event: Progress) -> None:
        """Throttled progress inside a long step (image import and conversion bytes).

        The demo builder's own step counter (phase ``demo``: step N of 5, not bytes) is left
        out: the seeding's steps are reported by :meth:`step`."""
        if event.phase == "demo":
            return
        now = time.monotonic()
        if now - self._last < _PROGRESS_EVERY:
            return
        self._last = now
        self.ctx.bus.publish(
            "seed.progress",
            stage=stage,
            step=step,
            phase=event.phase,
            bytes=event.done,
            totalBytes=event.total,
            **self._variant(stage),
        )


async def seed_if_first_start(ctx: ServerContext) -> None:
    row = await ctx.db.fetchone("SELECT value FROM meta WHERE key = 'seeded'")
    if row is not None:
        return
    kind = ctx.config.seed_image
    previous = await _previous_failure(ctx)
    if previous is not None and previous.get("kind") != kind:
        previous = None  # another kind asked for: a fresh set of attempts
    if previous is not None and int(previous.get("attempts", 0)) >= _MAX_ATTEMPTS:
        # Given up: no rebuild on every start, but the reason stays visible.
        status = {**previous, "state": "failed", "willRetry": False}
        ctx.services["seed_status"] = status
        log.warning(
            "the demo seeding failed %s times, not retried (start with another --seed "
            "kind, or --no-seed): %s",
            previous.get("attempts"),
            previous.get("reason"),
        )
        return
    attempts = 1 + (int(previous.get("attempts", 0)) if previous else 0)
    try:
        await seed_demo(ctx)
    except CoreError as exc:
        await _failed(ctx, kind, f"{exc.code}: {exc}", attempts)
    except ApiError as exc:
        await _failed(ctx, kind, f"{exc.code}: {exc.message}", attempts)
    except OSError as exc:
        await _failed(ctx, kind, f"{type(exc).__name__}: {exc}", attempts)


async def _previous_failure(ctx: ServerContext) -> dict[str, Any] | None:
    row = await ctx.db.fetchone("SELECT value FROM meta WHERE key = 'seed_failed'")
    if row is None:
        return None
    try:
        value = json.loads(row["value"])
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


async def _failed(ctx: ServerContext, kind: str, reason: str, attempts: int) -> None:
    will_retry = attempts < _MAX_ATTEMPTS
    log.error(
        "seeding the demo failed (attempt %d of %d%s): %s",
        attempts,
        _MAX_ATTEMPTS,
        ", retried on the next start" if will_retry else ", not retried",
        reason,
    )
    status = ctx.services.get("seed_status")
    if isinstance(status, dict):
        status.update(state="failed", reason=reason, attempts=attempts, willRetry=will_retry)
        record = dict(status)
    else:
        record = {"kind": kind, "state": "failed", "reason": reason, "attempts": attempts}
    record.update(failedAt=int(time.time()))
    with contextlib.suppress(CoreError, OSError):
        await ctx.db.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('seed_failed', ?)",
            (json.dumps(record),),
        )
    ctx.bus.publish(
        "seed.failed", kind=kind, reason=reason, attempts=attempts, willRetry=will_retry
    )


async def _build_and_push(
    ctx: ServerContext,
    kind: str,
    repo: str,
    seeding: _Seeding,
    stage: str,
    variant: str | None = None,
) -> None:
    """Demo image ``kind`` from core.coldstart's builder, pushed plain as ``repo:v1`` into our
    own registry (the ``_accelerated`` twin is left to the conversion worker, as for any push).
    ``variant`` ``runtime+assets``: the small app with the machine's bulk data beside it."""
    host = ctx.registry_host
    creds = (ctx.credentials.access_key_id, ctx.credentials.access_key_secret)
    site_packages: str | None = None
    assets: tuple[str, ...] = ()
    budget: int | None = None
    build_kind = kind
    if variant == VARIANT_ASSETS:
        build_kind = "small"
        sources = _FALLBACK_ASSETS
        override = os.environ.get("FCDESK_SEED_ASSETS", "").strip()
        if override:
            sources = tuple(p for p in override.split(os.pathsep) if p)
        assets = await asyncio.to_thread(_existing, sources)
        if not assets:
            raise CoreError(
                "the realistic demo image needs a Python environment with httpx in it or the "
                f"machine's bulk files ({', '.join(_FALLBACK_ASSETS)}); neither was found "
                "(the small demo stays seeded)",
                code="DemoSourcesMissing",
            )
        budget = _FALLBACK_BUDGET.get(kind)
    elif kind != "small":
        site_packages = await asyncio.to_thread(_site_packages)
        if site_packages is None:
            raise CoreError("no Python environment with httpx in it", code="DemoSourcesMissing")
    work = await asyncio.to_thread(
        tempfile.mkdtemp, prefix="seed-", dir=str(ctx.config.data_dir / "tmp")
    )
    try:
        async with RegistryClient(host, credentials=creds) as client:
            await build_demo_image(
                client,
                build_kind,
                f"{host}/{repo}:{LOCAL_DEMO_TAG}",
                work,
                accelerate=False,
                site_packages=site_packages,
                assets=assets,
                assets_budget=budget,
                on_progress=lambda p: seeding.detail(stage, "build", p),
            )
    finally:
        await asyncio.to_thread(shutil.rmtree, work, True)


def _existing(paths: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(p for p in paths if os.path.exists(p))


def _site_packages() -> str | None:
    """A Python 3 environment to assemble the realistic image's libraries from:
    ``FCDESK_SEED_SITE_PACKAGES`` (``none``: no environment), else this one's, else the
    system's; it must hold httpx, which that variant's app imports. ``None`` when there is
    none (the packaged console): the ``runtime+assets`` variant is built instead."""
    override = os.environ.get("FCDESK_SEED_SITE_PACKAGES", "").strip()
    if override:
        if override.lower() == "none" or not (Path(override) / "httpx").is_dir():
            return None
        return override
    candidates = [sysconfig.get_paths().get("purelib", "")]
    with contextlib.suppress(AttributeError):
        candidates += site.getsitepackages()
    candidates += ["/usr/lib/python3/dist-packages", "/usr/local/lib/python3.11/dist-packages"]
    for path in candidates:
        if path and (Path(path) / "httpx").is_dir():
            return path
    return None


async def _wait_for_task(ctx: ServerContext, repo: str, tag: str, limit: float = 1800) -> None:
    """Until the latest conversion task of ``repo:tag`` has ended (SUCCESS, else an error)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        row = await ctx.db.fetchone(
            "SELECT status, reason FROM tasks WHERE repo = ? AND source_tag = ? "
            "ORDER BY created DESC LIMIT 1",
            (repo, tag),
        )
        if row is None or row["status"] not in ("PENDING", "BUILDING"):
            if row is not None and row["status"] != "SUCCESS":
                raise CoreError(
                    f"converting {repo}:{tag} ended {row['status']}: {row['reason']}",
                    code="SeedConversionFailed",
                )
            return
        await asyncio.sleep(0.2)
    raise CoreError(f"converting {repo}:{tag} took too long", code="SeedConversionTimeout")


async def _tag_digest(ctx: ServerContext, repo: str, tag: str) -> str | None:
    row = await ctx.db.fetchone("SELECT digest FROM tags WHERE repo = ? AND tag = ?", (repo, tag))
    return None if row is None else str(row["digest"])


def _ensure_repo_with_rule(conn: sqlite3.Connection, repo: str, now: int) -> str:
    ensure_repository(conn, repo)
    namespace, _, name = repo.partition("/")
    conn.execute(
        "UPDATE repositories SET summary = ? WHERE namespace = ? AND name = ? AND summary = ''",
        (_SUMMARIES[repo], namespace, name),
    )
    row = conn.execute(
        "SELECT id FROM repositories WHERE namespace = ? AND name = ?", (namespace, name)
    ).fetchone()
    repo_id = str(row["id"])
    exists = conn.execute(
        "SELECT 1 FROM build_rules WHERE scope_type = 'REPOSITORY' AND scope_id = ? "
        "AND artifact_type = 'ACCELERATED_IMAGE'",
        (repo_id,),
    ).fetchone()
    if exists is None:
        conn.execute(
            "INSERT INTO build_rules (id, scope_type, scope_id, artifact_type, parameters, "
            "created) VALUES (?, 'REPOSITORY', ?, 'ACCELERATED_IMAGE', '{}', ?)",
            (new_id("crabr-"), repo_id, now),
        )
    return repo_id


async def seed_structure(ctx: ServerContext) -> bool:
    """The instant part, done before the ready line: namespace ``demo``, its repositories and
    their acceleration rules, so the console sees them at once. Returns whether the demo still
    needs seeding."""
    if await ctx.db.fetchone("SELECT value FROM meta WHERE key = 'seeded'") is not None:
        return False
    now = int(time.time() * 1000)
    repos = (
        [LOCAL_DEMO_REPO]
        if ctx.config.seed_image == "small"
        else [LOCAL_DEMO_REPO, LOCAL_REALISTIC_DEMO_REPO]
    )

    def write(conn: sqlite3.Connection) -> None:
        for repo in repos:
            _ensure_repo_with_rule(conn, repo, now)

    await ctx.db.run(write, "seed")
    return True


def _function_doc(
    name: str, repo: str, image_tag: str, vpc_host: str, kind: str, variant: str | None = None
) -> dict[str, Any]:
    what = {
        "small": "the small demo image",
        "medium": "a Python web app image of a few hundred MB",
        "bloated": "a Python web app image of over 1 GB",
    }[kind]
    if variant == VARIANT_ASSETS:
        what = "a web app image with a few hundred MB of data it does not read at start-up"
    return {
        "functionName": name,
        "description": "demo: "
        + ("accelerated image (lazy pull)" if "accel" in image_tag else "plain image (full pull)")
        + f", {what}",
        "runtime": "custom-container",
        "handler": "index.handler",
        "memorySize": 512,
        "timeout": 30,
        "customContainerConfig": {"image": f"{vpc_host}/{repo}:{image_tag}", "port": 9000},
    }


async def seed_demo(ctx: ServerContext) -> None:
    started = time.monotonic()
    kind = ctx.config.seed_image
    seeding = _Seeding(ctx, kind)
    ctx.bus.publish("seed.started", repo=LOCAL_DEMO_REPO, kind=kind)
    await seed_structure(ctx)
    vpc_host = f"localhost:{ctx.registry_host.rsplit(':', 1)[-1]}"
    fc = ctx.services["fc"]
    worker = ctx.services["worker"]

    # -- stage 1: the small image and the functions on it ----------------------------------
    seeding.step("small", "build", 0, 3)
    if await _tag_digest(ctx, LOCAL_DEMO_REPO, LOCAL_DEMO_TAG) is None:
        await _build_and_push(ctx, "small", LOCAL_DEMO_REPO, seeding, "small")
    seeding.step("small", "convert", 1, 3)
    await worker.convert_existing(LOCAL_DEMO_REPO, [LOCAL_DEMO_TAG])
    for name, image_tag in DEMO_FUNCTIONS.items():
        try:
            await fc.create(_function_doc(name, LOCAL_DEMO_REPO, image_tag, vpc_host, "small"))
        except ApiError as exc:
            if exc.code != "FunctionAlreadyExists":
                raise CoreError(f"creating demo function {name}: {exc.message}") from exc
    await _wait_for_task(ctx, LOCAL_DEMO_REPO, LOCAL_DEMO_TAG)
    seeding.step("small", "ready", 3, 3, functions=sorted(DEMO_FUNCTIONS))

    # -- stage 2: the realistic image, accelerated in two stages ---------------------------
    if kind != "small":
        await _seed_realistic(ctx, kind, seeding, vpc_host)

    await ctx.db.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('seeded', ?)", (str(int(time.time())),)
    )
    await ctx.db.execute("DELETE FROM meta WHERE key = 'seed_failed'")
    seconds = round(time.monotonic() - started, 3)
    seeding.status.update(state="finished", seconds=seconds)
    ctx.bus.publish("seed.finished", kind=kind, seconds=seconds)


async def _seed_realistic(ctx: ServerContext, kind: str, seeding: _Seeding, vpc_host: str) -> None:
    stage = kind
    total = 5
    worker = ctx.services["worker"]
    repo, tag, twin = LOCAL_REALISTIC_DEMO_REPO, LOCAL_DEMO_TAG, twin_tag_of(LOCAL_DEMO_TAG)
    host = ctx.registry_host
    creds = (ctx.credentials.access_key_id, ctx.credentials.access_key_secret)

    row = await ctx.db.fetchone("SELECT value FROM meta WHERE key = 'seed_variant'")
    built = await _tag_digest(ctx, repo, tag) is not None
    if built and row is not None:
        variant = str(row["value"])  # resumed after a restart: what was built then
    else:
        variant = (
            VARIANT_SITE_PACKAGES
            if await asyncio.to_thread(_site_packages) is not None
            else VARIANT_ASSETS
        )
    seeding.variant = variant
    seeding.status["variant"] = variant
    seeding.step(stage, "build", 0, total)
    if not built:
        await _build_and_push(ctx, kind, repo, seeding, stage, variant)
    await ctx.db.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('seed_variant', ?)", (variant,)
    )

    async with RegistryClient(host, credentials=creds) as client:
        optimized = False
        if await _tag_digest(ctx, repo, twin) is not None:
            with contextlib.suppress(CoreError):
                optimized = has_prefetch_regions(
                    await resolve_image(client, f"{host}/{repo}:{twin}")
                )
        if not optimized:
            # Stage one of acceleration: on-demand loading (the push queued this conversion;
            # queueing again is a no-op when it is pending or running).
            seeding.step(stage, "convert", 1, total)
            await worker.convert_existing(repo, [tag])
            await _wait_for_task(ctx, repo, tag)
            # Stage two: the files start-up reads, recorded over a lazy mount, become the
            # image's profile (and the rule's priority file, as on the cloud), and the image
            # is converted again in optimized order (queued by the profiler).
            seeding.step(stage, "record-profile", 2, total)
            profile = await _record_profile(ctx, repo, tag)
            if profile:
                await _set_priority_file(ctx, repo, profile)
                seeding.step(stage, "optimize", 3, total, profileFiles=len(profile))
                await worker.convert_existing(repo, [tag], force=True)
                await _wait_for_task(ctx, repo, tag)
    seeding.step(stage, "switch-functions", 4, total)
    await _switch_functions(ctx, kind, vpc_host, variant)
    seeding.step(stage, "ready", total, total, functions=sorted(DEMO_FUNCTIONS))


async def _record_profile(ctx: ServerContext, repo: str, tag: str) -> list[str]:
    """The start-up profile of ``repo:tag``, recorded by the server's profiler (the second
    stage of acceleration; its twin started once over a lazy mount; the profiler queues the
    optimized conversion), as absolute paths in order; an empty list (with a
    ``seed.progress`` warning) where exec mode cannot run."""
    reason = exec_available()
    if reason is not None:
        ctx.bus.publish(
            "seed.progress",
            stage=ctx.config.seed_image,
            step="record-profile",
            warning=f"start-up profile not recorded ({reason}); the image keeps its "
            "original file order",
        )
        return []
    profiler = ctx.services["profiler"]
    queued = await profiler.request_tag(repo, tag, trigger="seed")
    done = await profiler.wait(repo, str(queued["digest"]))
    if done["state"] != "RECORDED":
        raise CoreError(
            f"recording the start-up profile of {repo}:{tag} failed: {done.get('reason')}",
            code="SeedProfileFailed",
        )
    return ["/" + p for p in await profiler.recorded_paths(repo, str(queued["digest"]))]


async def _set_priority_file(ctx: ServerContext, repo: str, profile: list[str]) -> None:
    """The start-up profile as the repository rule's ``PriorityFile`` (base64 list of absolute
    paths, one per line), as ACR's accelerated-image rules take it."""
    namespace, _, name = repo.partition("/")
    priority = encode_priority_file(profile)

    def write(conn: sqlite3.Connection) -> None:
        row = conn.execute(
            "SELECT id FROM repositories WHERE namespace = ? AND name = ?", (namespace, name)
        ).fetchone()
        if row is None:
            raise CoreError(f"repository {repo} vanished while it was seeded")
        rule = conn.execute(
            "SELECT id, parameters FROM build_rules WHERE scope_type = 'REPOSITORY' AND "
            "scope_id = ? AND artifact_type = 'ACCELERATED_IMAGE'",
            (row["id"],),
        ).fetchone()
        if rule is None:
            raise CoreError(f"the acceleration rule of {repo} vanished while it was seeded")
        try:
            parameters = json.loads(rule["parameters"] or "{}")
        except ValueError:
            parameters = {}
        if not isinstance(parameters, dict):
            parameters = {}
        parameters["PriorityFile"] = priority
        conn.execute(
            "UPDATE build_rules SET parameters = ? WHERE id = ?",
            (json.dumps(parameters), rule["id"]),
        )

    await ctx.db.run(write, "seed")


async def _switch_functions(
    ctx: ServerContext, kind: str, vpc_host: str, variant: str | None = None
) -> None:
    """Point the demo functions at the realistic image (an ordinary function update: Pending
    preparation, then Active) unless they already are."""
    fc = ctx.services["fc"]
    for name, image_tag in DEMO_FUNCTIONS.items():
        doc = _function_doc(name, LOCAL_REALISTIC_DEMO_REPO, image_tag, vpc_host, kind, variant)
        try:
            current = await fc.get(name)
        except ApiError as exc:
            if exc.code != "FunctionNotFound":
                raise
            await fc.create(doc)
            continue
        if (current.get("customContainerConfig") or {}).get("image") == doc[
            "customContainerConfig"
        ]["image"]:
            continue
        await fc.update(
            name,
            {
                "description": doc["description"],
                "customContainerConfig": doc["customContainerConfig"],
            },
        )
