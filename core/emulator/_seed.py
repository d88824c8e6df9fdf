"""First-start demo: namespace ``demo``, repository ``demo/hello`` with a plain tag ``v1`` and its
``v1_accelerated`` twin, acceleration switched on, and two functions (``demo-plain`` and
``demo-accelerated``) ready for a cold-start comparison.

The image is the small demo image of ``core.coldstart`` (the machine's ``python3`` and a tiny
web app, a few tens of MB), assembled from files on this machine and imported with
``core.registry.import_rootfs`` straight into the server's own registry; the twin is made by
the conversion worker like any other task. Seeding runs after the server is ready, takes
seconds, and is idempotent: each step checks what exists, and ``meta.seeded`` is written last.
The big image is ``fcaccel demo build --big`` (separately).
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import sqlite3
import tempfile
import time
from typing import Any

from core.coldstart._demo import build_demo_tree, merge_layers
from core.emulator._context import ServerContext, new_id
from core.emulator._errors import ApiError
from core.emulator._registry import ensure_repository
from core.errors import CoreError
from core.registry import ImportOptions, RegistryClient, import_rootfs

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
    host = ctx.registry_host
    creds = (ctx.credentials.access_key_id, ctx.credentials.access_key_secret)
    work = await asyncio.to_thread(
        tempfile.mkdtemp, prefix="seed-", dir=str(ctx.config.data_dir / "tmp")
    )
    try:
        image = await asyncio.to_thread(build_demo_tree, "small", f"{work}/tree")
        root = await asyncio.to_thread(merge_layers, image, f"{work}/rootfs")
        config: dict[str, Any] = image.config
        options = ImportOptions(
            entrypoint=config.get("Entrypoint"),
            cmd=config.get("Cmd"),
            env=config.get("Env") or (),
            working_dir=config.get("WorkingDir"),
            exposed_ports=tuple(config.get("ExposedPorts") or ()),
            labels=dict(config.get("Labels") or {}),
            split_paths=("app",),
            timestamp=1_700_000_000,
        )
        async with RegistryClient(host, credentials=creds) as client:
            await import_rootfs(
                root, f"{host}/{DEMO_REPO}:{DEMO_TAG}", options=options, client=client
            )
    finally:
        await asyncio.to_thread(shutil.rmtree, work, True)


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
    await ctx.db.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('seeded', ?)", (str(int(time.time())),)
    )
    ctx.bus.publish("seed.finished", seconds=round(time.monotonic() - started, 3))
