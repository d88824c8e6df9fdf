"""First-start demo: namespace ``demo``, repository ``demo/hello`` with a plain tag ``v1`` and its
``v1_accelerated`` twin, acceleration switched on, and two functions (``demo-plain`` and
``demo-accelerated``) ready for a cold-start comparison.

The image is the small demo image of ``core.coldstart`` (the machine's ``python3`` and a tiny
web app, a few tens of MB), assembled from files on this machine by
``core.coldstart.build_demo_image`` and pushed straight into the server's own registry; the
twin is made by the conversion worker like any other task. The namespace, repository and
rule exist before the ready line; the rest runs in the background (seconds) and ends with
``seed.finished`` once the twin is converted. Seeding is idempotent: each step checks what
exists, and ``meta.seeded`` is written last. The big image: ``fcaccel demo build --kind bloated``.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import sqlite3
import tempfile
import time

from core.coldstart import build_demo_image
from core.emulator._context import ServerContext, new_id
from core.emulator._errors import ApiError
from core.emulator._registry import ensure_repository
from core.errors import CoreError
from core.registry import RegistryClient

__all__ = [
    "DEMO_FUNCTIONS",
    "DEMO_REPO",
    "DEMO_TAG",
    "seed_demo",
    "seed_if_first_start",
    "seed_structure",
]

log = logging.getLogger(__name__)

DEMO_REPO = "demo/hello"
DEMO_TAG = "v1"
DEMO_FUNCTIONS = {"demo-plain": DEMO_TAG, "demo-accelerated": DEMO_TAG + "_accelerated"}


async def seed_if_first_start(ctx: ServerContext) -> None:
    row = await ctx.db.fetchone("SELECT value FROM meta WHERE key = 'seeded'")
    if row is not None:
        return
    try:
        await seed_demo(ctx)
    except CoreError as exc:
        log.error("seeding the demo failed: %s", exc)
        ctx.bus.publish("seed.failed", reason=f"{exc.code}: {exc}")
    except ApiError as exc:
        log.error("seeding the demo failed: %s", exc.message)
        ctx.bus.publish("seed.failed", reason=f"{exc.code}: {exc.message}")
    except OSError as exc:
        log.error("seeding the demo failed: %s", exc)
        ctx.bus.publish("seed.failed", reason=f"{type(exc).__name__}: {exc}")


async def _build_and_push(ctx: ServerContext) -> None:
    """The small demo image from core.coldstart's builder, imported into our registry (the
    ``_accelerated`` twin is left to the conversion worker, as for any push)."""
    host = ctx.registry_host
    creds = (ctx.credentials.access_key_id, ctx.credentials.access_key_secret)
    work = await asyncio.to_thread(
        tempfile.mkdtemp, prefix="seed-", dir=str(ctx.config.data_dir / "tmp")
    )
    try:
        async with RegistryClient(host, credentials=creds) as client:
            await build_demo_image(
                client, "small", f"{host}/{DEMO_REPO}:{DEMO_TAG}", work, accelerate=False
            )
    finally:
        await asyncio.to_thread(shutil.rmtree, work, True)


async def _wait_for_twin(ctx: ServerContext, limit: float = 600) -> None:
    """Until the demo tag's conversion task has ended (the functions then settle)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        row = await ctx.db.fetchone(
            "SELECT status, reason FROM tasks WHERE repo = ? AND source_tag = ? "
            "ORDER BY created DESC LIMIT 1",
            (DEMO_REPO, DEMO_TAG),
        )
        if row is None or row["status"] not in ("PENDING", "BUILDING"):
            if row is not None and row["status"] != "SUCCESS":
                raise CoreError(f"converting the demo image ended {row['status']}: {row['reason']}")
            return
        await asyncio.sleep(0.2)
    raise CoreError("converting the demo image took too long")


async def seed_structure(ctx: ServerContext) -> bool:
    """The instant part, done before the ready line: namespace ``demo``, repository
    ``demo/hello`` and its acceleration rule, so the console sees them at once. Returns
    whether the demo still needs seeding."""
    if await ctx.db.fetchone("SELECT value FROM meta WHERE key = 'seeded'") is not None:
        return False
    now = int(time.time() * 1000)

    def write(conn: sqlite3.Connection) -> str:
        ensure_repository(conn, DEMO_REPO)
        conn.execute(
            "UPDATE repositories SET summary = ? WHERE namespace = 'demo' AND name = 'hello' "
            "AND summary = ''",
            ("fcdesk demo: a small web app on the machine's python3",),
        )
        row = conn.execute(
            "SELECT id FROM repositories WHERE namespace = 'demo' AND name = 'hello'"
        ).fetchone()
        repo_id = str(row["id"])
        conn.execute(
            "INSERT OR IGNORE INTO build_rules (id, scope_type, scope_id, artifact_type, "
            "parameters, created) VALUES (?, 'REPOSITORY', ?, 'ACCELERATED_IMAGE', '{}', ?)",
            (new_id("crabr-"), repo_id, now),
        )
        return repo_id

    await ctx.db.run(write, "seed")
    return True


async def seed_demo(ctx: ServerContext) -> None:
    started = time.monotonic()
    ctx.bus.publish("seed.started", repo=DEMO_REPO)
    await seed_structure(ctx)
    tag = await ctx.db.fetchone(
        "SELECT digest FROM tags WHERE repo = ? AND tag = ?", (DEMO_REPO, DEMO_TAG)
    )
    if tag is None:
        await _build_and_push(ctx)
    await ctx.services["worker"].convert_existing(DEMO_REPO, [DEMO_TAG])
    vpc_host = f"localhost:{ctx.registry_host.rsplit(':', 1)[-1]}"
    fc = ctx.services["fc"]
    for name, image_tag in DEMO_FUNCTIONS.items():
        doc = {
            "functionName": name,
            "description": "demo: "
            + ("accelerated image (lazy pull)" if "accel" in image_tag else "plain image"),
            "runtime": "custom-container",
            "handler": "index.handler",
            "memorySize": 512,
            "timeout": 30,
            "customContainerConfig": {
                "image": f"{vpc_host}/{DEMO_REPO}:{image_tag}",
                "port": 9000,
            },
        }
        try:
            await fc.create(doc)
        except ApiError as exc:
            if exc.code != "FunctionAlreadyExists":
                raise CoreError(f"creating demo function {name}: {exc.message}") from exc
    await _wait_for_twin(ctx)
    await ctx.db.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('seeded', ?)", (str(int(time.time())),)
    )
    ctx.bus.publish("seed.finished", seconds=round(time.monotonic() - started, 3))
