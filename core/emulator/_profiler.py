"""The second stage of acceleration: start-up profiles recorded by the Local server itself.

After a tag's first conversion (preserve order: files where the image had them), the server
starts the accelerated twin once over a lazy mount, as a function instance would start (with
the environment, entrypoint, command and port of a function that runs the image, if one
does), and
records which files start-up opens (`core.coldstart.record_startup_profile`: exec mode where
FUSE and bubblewrap run, a static profile of the entrypoint and its libraries elsewhere). The
profile is kept per image (repository and plain manifest digest, table ``startup_profiles``),
and every tag of that image is converted again, in optimized order with it: the twin then
starts with one prefetch of its start-up files instead of a round trip per file. Alibaba
Cloud's registry runs the same second stage for its accelerated images.

A recording runs automatically after a first conversion (``ServerConfig.auto_profile``,
``fcaccel serve --no-auto-profile``) and on request (``POST /x-fcdesk/profiles/record``, the
console's Record action), one at a time. States: ``QUEUED`` → ``RECORDING`` → ``RECORDED`` or
``FAILED`` (with the reason). A recording interrupted by a stop is queued again on the next
start. Events: ``profile.queued``, ``profile.recording``, ``profile.recorded``,
``profile.failed`` (``repo``, ``digest``, ``tags``, ``state`` and, once recorded, ``files``,
``bytes``, ``recordedAt``, ``mode``).

A profile pushed next to the image (``fcaccel profile record --push``: an artifact tagged
``sha256-<digest>.profile``) counts as recorded too (trigger ``pushed``): nothing is recorded
over it, and conversions use it.

The conversion worker asks :meth:`StartupProfiler.recorded_paths` for an image's profile; it
takes precedence over the repository rule's ``PriorityFile`` (which applies to every image of
the repository).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import json
import logging
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

from core._accelerated import is_accelerated_tag, twin_tag_of
from core.coldstart import record_startup_profile
from core.convert import ANNOTATION_SOURCE_DIGEST, Order
from core.emulator._context import ServerContext
from core.emulator._errors import ApiError
from core.errors import CoreError
from core.pull import StartupProfile, fetch_profile, is_profile_tag, profile_tag, resolve_image
from core.registry import RegistryClient

__all__ = ["PROFILE_STATES", "StartupProfiler"]

log = logging.getLogger(__name__)

PROFILE_STATES = ("QUEUED", "RECORDING", "RECORDED", "FAILED")
_EVENT = {
    "QUEUED": "profile.queued",
    "RECORDING": "profile.recording",
    "RECORDED": "profile.recorded",
    "FAILED": "profile.failed",
}


def _now() -> int:
    return int(time.time() * 1000)


def profile_doc(row: sqlite3.Row | None, tag: str | None = None) -> dict[str, Any]:
    """A profile row as the API shows it (``state`` ``NONE`` when there is no row)."""
    if row is None:
        return {"tag": tag, "state": "NONE"}
    return {
        "tag": tag,
        "repo": row["repo"],
        "digest": row["digest"],
        "state": row["state"],
        "trigger": row["trigger"],
        "mode": row["mode"],
        "files": row["files"],
        "bytes": row["bytes"],
        "reason": row["reason"] or None,
        "twinDigest": row["twin_digest"],
        "recordedAt": row["recorded"],
        "updatedAt": row["updated"],
    }


def _pushed_doc(profile: StartupProfile, repo: str, digest: str, tag: str) -> dict[str, Any]:
    recorded: int | None = None
    with contextlib.suppress(ValueError):
        recorded = int(datetime.datetime.fromisoformat(profile.recorded_at).timestamp() * 1000)
    return {
        "tag": tag,
        "repo": repo,
        "digest": digest,
        "state": "RECORDED",
        "trigger": "pushed",
        "mode": None,
        "files": len(profile.paths),
        "bytes": profile.size,
        "reason": None,
        "twinDigest": profile.image or None,
        "recordedAt": recorded,
        "updatedAt": recorded,
    }


class StartupProfiler:
    """Records start-up profiles one at a time; see the module documentation."""

    def __init__(self, ctx: ServerContext, *, auto: bool) -> None:
        self.ctx = ctx
        self.auto = auto
        self._queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
        self._done: dict[tuple[str, str], asyncio.Event] = {}
        self._runner: asyncio.Task[None] | None = None
        #: Pushed profiles read so far, by (repo, image digest, artifact digest).
        self._pushed: dict[tuple[str, str, str], StartupProfile | None] = {}

    def info(self) -> dict[str, Any]:
        return {"auto": self.auto, "queued": self._queue.qsize()}

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        def sweep(conn: sqlite3.Connection) -> list[tuple[str, str]]:
            rows = conn.execute(
                "SELECT repo, digest FROM startup_profiles WHERE state IN ('QUEUED', "
                "'RECORDING') ORDER BY updated"
            ).fetchall()
            conn.execute("UPDATE startup_profiles SET state = 'QUEUED' WHERE state = 'RECORDING'")
            return [(str(r["repo"]), str(r["digest"])) for r in rows]

        for key in await self.ctx.db.run(sweep, "profiles"):
            self._queue.put_nowait(key)
        self._runner = asyncio.create_task(self._run(), name="startup-profiler")

    async def close(self) -> None:
        if self._runner is not None:
            self._runner.cancel()
            await asyncio.gather(self._runner, return_exceptions=True)
            self._runner = None

    # -- requests --------------------------------------------------------------------------

    async def on_converted(self, repo: str, source_digest: str, order: Order) -> None:
        """Worker hook: a conversion of ``repo@source_digest`` succeeded in ``order``."""
        if not self.auto or order is not Order.PRESERVE:
            return
        row = await self._row(repo, source_digest)
        if row is None and await self.pushed_profile(repo, source_digest) is None:
            await self.request(repo, source_digest, trigger="auto")

    async def request(self, repo: str, digest: str, *, trigger: str) -> dict[str, Any]:
        """Queue a recording of the image ``repo@digest`` (joins one queued or running)."""
        now = _now()

        def write(conn: sqlite3.Connection) -> tuple[sqlite3.Row, bool]:
            row = conn.execute(
                "SELECT * FROM startup_profiles WHERE repo = ? AND digest = ?", (repo, digest)
            ).fetchone()
            if row is not None and row["state"] in ("QUEUED", "RECORDING"):
                return row, False
            conn.execute(
                "INSERT INTO startup_profiles (repo, digest, state, trigger, updated) "
                "VALUES (?, ?, 'QUEUED', ?, ?) ON CONFLICT (repo, digest) DO UPDATE SET "
                "state = 'QUEUED', trigger = excluded.trigger, reason = '', "
                "updated = excluded.updated",
                (repo, digest, trigger, now),
            )
            fresh: sqlite3.Row = conn.execute(
                "SELECT * FROM startup_profiles WHERE repo = ? AND digest = ?", (repo, digest)
            ).fetchone()
            return fresh, True

        row, queued = await self.ctx.db.run(write, "profiles")
        if queued:
            self._done.setdefault((repo, digest), asyncio.Event()).clear()
            self._queue.put_nowait((repo, digest))
            await self._publish(row)
        return profile_doc(row)

    async def request_tag(self, repo: str, tag: str, *, trigger: str) -> dict[str, Any]:
        """Queue a recording of the image ``repo:tag`` names (its twin must exist)."""
        if is_accelerated_tag(tag):
            raise ApiError(
                400, "InvalidArgument", "name the plain tag; its accelerated twin is started"
            )
        digest = await self._tag_digest(repo, tag)
        if digest is None:
            raise ApiError(404, "TagNotFound", f"{repo}:{tag} does not exist")
        if await self._tag_digest(repo, twin_tag_of(tag)) is None:
            raise ApiError(
                409,
                "TwinMissing",
                f"{repo}:{tag} has no accelerated twin yet: a profile is recorded by starting "
                "it (convert the tag first)",
            )
        return {**await self.request(repo, digest, trigger=trigger), "tag": tag}

    async def wait(self, repo: str, digest: str) -> dict[str, Any]:
        """Until the recording of ``repo@digest`` ended (its final state)."""
        event = self._done.setdefault((repo, digest), asyncio.Event())
        row = await self._row(repo, digest)
        if row is not None and row["state"] in ("RECORDED", "FAILED"):
            return profile_doc(row)
        await event.wait()
        return profile_doc(await self._row(repo, digest))

    async def recorded_paths(self, repo: str, digest: str) -> tuple[str, ...]:
        """The profile of ``repo@digest``: recorded here, else pushed next to the image
        (empty when there is none)."""
        row = await self.ctx.db.fetchone(
            "SELECT paths FROM startup_profiles WHERE repo = ? AND digest = ? AND "
            "state = 'RECORDED'",
            (repo, digest),
        )
        if row is not None and row["paths"]:
            return tuple(p for p in str(row["paths"]).split("\n") if p)
        pushed = await self.pushed_profile(repo, digest)
        return pushed.paths if pushed is not None else ()

    async def pushed_profile(self, repo: str, digest: str) -> StartupProfile | None:
        """The profile pushed next to ``repo@digest`` (tag ``sha256-<hex>.profile``)."""
        artifact = await self._tag_digest(repo, profile_tag(digest))
        if artifact is None:
            return None
        key = (repo, digest, artifact)
        if key not in self._pushed:
            creds = (self.ctx.credentials.access_key_id, self.ctx.credentials.access_key_secret)
            try:
                async with RegistryClient(self.ctx.registry_host, credentials=creds) as client:
                    self._pushed[key] = await fetch_profile(client, repo, digest)
            except CoreError as exc:
                log.warning("the profile pushed for %s@%s is unreadable: %s", repo, digest, exc)
                self._pushed[key] = None
        return self._pushed[key]

    async def status(self, repo: str) -> list[dict[str, Any]]:
        """One entry per plain tag of ``repo``: its image's profile, or state ``NONE``."""
        rows = await self.ctx.db.fetchall(
            "SELECT t.tag AS tag, t.digest AS tag_digest, p.* FROM tags t "
            "LEFT JOIN startup_profiles p ON p.repo = t.repo AND p.digest = t.digest "
            "WHERE t.repo = ? ORDER BY t.tag",
            (repo,),
        )
        out = []
        for row in rows:
            tag = str(row["tag"])
            if is_accelerated_tag(tag) or is_profile_tag(tag):
                continue
            if row["state"] is not None:
                out.append(profile_doc(row, tag))
                continue
            digest = str(row["tag_digest"])
            pushed = await self.pushed_profile(repo, digest)
            if pushed is None:
                out.append({"tag": tag, "digest": digest, "state": "NONE"})
            else:
                out.append(_pushed_doc(pushed, repo, digest, tag))
        return out

    # -- recording -------------------------------------------------------------------------

    async def _row(self, repo: str, digest: str) -> sqlite3.Row | None:
        return await self.ctx.db.fetchone(
            "SELECT * FROM startup_profiles WHERE repo = ? AND digest = ?", (repo, digest)
        )

    async def _tag_digest(self, repo: str, tag: str) -> str | None:
        row = await self.ctx.db.fetchone(
            "SELECT digest FROM tags WHERE repo = ? AND tag = ?", (repo, tag)
        )
        return None if row is None else str(row["digest"])

    async def _tags_of(self, repo: str, digest: str) -> list[str]:
        rows = await self.ctx.db.fetchall(
            "SELECT tag FROM tags WHERE repo = ? AND digest = ? ORDER BY tag", (repo, digest)
        )
        return [
            str(r["tag"])
            for r in rows
            if not is_accelerated_tag(str(r["tag"])) and not is_profile_tag(str(r["tag"]))
        ]

    async def _publish(self, row: sqlite3.Row) -> None:
        doc = profile_doc(row)
        doc.pop("tag", None)
        doc["tags"] = await self._tags_of(str(row["repo"]), str(row["digest"]))
        self.ctx.bus.publish(_EVENT[str(row["state"])], **doc)

    async def _set(self, repo: str, digest: str, **fields: Any) -> sqlite3.Row:
        fields["updated"] = _now()
        names = ", ".join(f"{k} = ?" for k in fields)

        def write(conn: sqlite3.Connection) -> sqlite3.Row:
            conn.execute(
                f"UPDATE startup_profiles SET {names} WHERE repo = ? AND digest = ?",
                (*fields.values(), repo, digest),
            )
            row: sqlite3.Row = conn.execute(
                "SELECT * FROM startup_profiles WHERE repo = ? AND digest = ?", (repo, digest)
            ).fetchone()
            return row

        row = await self.ctx.db.run(write, "profiles")
        await self._publish(row)
        return row

    async def _run(self) -> None:
        while True:
            repo, digest = await self._queue.get()
            try:
                await self._record(repo, digest)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.exception("recording the start-up profile of %s@%s failed", repo, digest)
                with contextlib.suppress(CoreError, sqlite3.Error):
                    await self._set(
                        repo, digest, state="FAILED", reason=f"{type(exc).__name__}: {exc}"
                    )
            finally:
                event = self._done.get((repo, digest))
                if event is not None:
                    row = await self._row(repo, digest)
                    if row is None or row["state"] in ("RECORDED", "FAILED"):
                        event.set()

    async def _twin(self, client: RegistryClient, repo: str, digest: str) -> str | None:
        """The digest of an accelerated twin converted from ``repo@digest``."""
        host = self.ctx.registry_host
        for tag in await self._tags_of(repo, digest):
            twin = await self._tag_digest(repo, twin_tag_of(tag))
            if twin is None:
                continue
            with contextlib.suppress(CoreError):
                resolved = await resolve_image(client, f"{host}/{repo}@{twin}")
                if (resolved.manifest.annotations or {}).get(ANNOTATION_SOURCE_DIGEST) == digest:
                    return twin
        return None

    async def _record(self, repo: str, digest: str) -> None:
        host = self.ctx.registry_host
        creds = (self.ctx.credentials.access_key_id, self.ctx.credentials.access_key_secret)
        async with RegistryClient(host, credentials=creds) as client:
            twin = await self._twin(client, repo, digest)
            if twin is None:
                await self._set(
                    repo,
                    digest,
                    state="FAILED",
                    reason="no accelerated twin converted from this image to start",
                )
                return
            await self._set(repo, digest, state="RECORDING", twin_digest=twin)
            how = await self._function_config(repo, digest, twin)
            work = await asyncio.to_thread(
                tempfile.mkdtemp, prefix="profile-", dir=str(self.ctx.config.data_dir / "tmp")
            )
            try:
                recording = await record_startup_profile(
                    client,
                    f"{host}/{repo}@{twin}",
                    workdir=Path(work),
                    function_name=str(how.get("name") or "profile-recording"),
                    env=how.get("env") or {},
                    entrypoint=how.get("entrypoint"),
                    command=how.get("command"),
                    port=int(how.get("port") or 9000),
                )
            except CoreError as exc:
                await self._set(repo, digest, state="FAILED", reason=f"{exc.code}: {exc}")
                return
            finally:
                await asyncio.to_thread(shutil.rmtree, work, True)
                await self._warm_runtime()
        paths = "\n".join(recording.profile.paths)
        # The optimized conversions are queued before anyone hears of the new profile, so
        # that whoever waits for it finds them queued.
        await self.ctx.db.run(
            lambda conn: conn.execute(
                "UPDATE startup_profiles SET paths = ?, files = ?, bytes = ?, mode = ? "
                "WHERE repo = ? AND digest = ?",
                (paths, recording.files, recording.size, recording.mode, repo, digest),
            ),
            "profiles",
        )
        await self._reconvert(repo, digest)
        await self._set(repo, digest, state="RECORDED", recorded=_now(), reason="")

    async def _function_config(self, repo: str, digest: str, twin: str) -> dict[str, Any]:
        """How a function that runs this image starts it (its environment, entrypoint,
        command and port), so that the recording starts it the same way; ``{}`` when no
        function runs it (the image's own ``Entrypoint`` and ``Cmd``)."""
        tags = await self._tags_of(repo, digest)
        refs = {f"/{repo}@{digest}", f"/{repo}@{twin}"}
        refs |= {f"/{repo}:{t}" for t in tags} | {f"/{repo}:{twin_tag_of(t)}" for t in tags}
        for row in await self.ctx.db.fetchall("SELECT name, doc FROM functions ORDER BY name"):
            try:
                doc = json.loads(row["doc"])
            except ValueError:
                continue
            ccc = doc.get("customContainerConfig") or {}
            image = str(ccc.get("image") or "")
            if not any(image.endswith(ref) for ref in refs):
                continue
            env = doc.get("environmentVariables") or {}
            return {
                "name": row["name"],
                "env": {str(k): str(v) for k, v in env.items()} if isinstance(env, dict) else {},
                "entrypoint": ccc.get("entrypoint") or None,
                "command": ccc.get("command") or None,
                "port": ccc.get("port") or 9000,
            }
        return {}

    async def _reconvert(self, repo: str, digest: str) -> None:
        worker = self.ctx.services.get("worker")
        if worker is None:
            return
        rule = await worker.rule_for(repo)
        for tag in await self._tags_of(repo, digest):
            await worker.enqueue(
                repo, tag, digest, trigger="profile", rule_id=str(rule["id"]) if rule else None
            )

    async def _warm_runtime(self) -> None:
        """A recording takes the runtime's spare FUSE helper: have the next one ready."""
        runtime = self.ctx.services.get("runtime")
        warm_up = getattr(getattr(runtime, "backend", None), "warm_up", None)
        if warm_up is not None:
            with contextlib.suppress(CoreError, OSError):
                await warm_up()
