"""Local extensions under ``/x-fcdesk/``: what the cloud lacks and the console needs.

Everything here except ``health`` and the registry token realm is ACS3-signed like the cloud
APIs; errors use the FC error shape ``{"Code", "Message", "RequestId"}``.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import sqlite3
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from core._version import __version__
from core.coldstart import LinkSpec
from core.emulator._acr import task_doc
from core.emulator._auth import Principal, fc_endpoint
from core.emulator._context import INSTANCE_ID, ServerContext
from core.emulator._errors import ApiError, registry_error
from core.emulator._runtime import ColdStartSettings
from core.errors import InvalidInput

__all__ = ["ext_routes"]

Handler = Callable[[Request, bytes], Awaitable[Response]]

_KEEPALIVE = 15.0


class Extensions:
    def __init__(self, ctx: ServerContext) -> None:
        self.ctx = ctx

    def signed(self, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def with_id(request: Request, body: bytes, _request_id: str) -> Response:
            return await handler(request, body)

        return fc_endpoint(self.ctx.auth, with_id)

    # -- unsigned --------------------------------------------------------------------------

    async def health(self, request: Request) -> Response:
        return JSONResponse(
            {
                "status": "ok",
                "version": __version__,
                "pid": os.getpid(),
                "uptimeSeconds": round(time.time() - self.ctx.started, 3),
                "url": self.ctx.url,
            }
        )

    async def token(self, request: Request) -> Response:
        """Docker token realm: Basic auth with the local key pair → a short-lived Bearer token."""
        auth = self.ctx.auth
        params = dict(request.query_params)
        if request.method == "POST":
            form = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
            params.update(form)
        header = request.headers.get("authorization", "")
        principal: Principal | None = None
        if header.lower().startswith("basic ") and auth.check_basic(header):
            principal = Principal(auth.access_key_id, True)
        elif params.get("grant_type") == "password":
            raw = f"{params.get('username', '')}:{params.get('password', '')}"
            if auth.check_basic("Basic " + base64.b64encode(raw.encode()).decode()):
                principal = Principal(auth.access_key_id, True)
        elif not header and auth.anonymous_pull:
            principal = Principal("anonymous", False)
        if principal is None:
            return registry_error(
                401,
                "UNAUTHORIZED",
                "use the Local server's AccessKey id and secret as user name and password",
                headers={"WWW-Authenticate": 'Basic realm="fcdesk-local"'},
            )
        token, ttl = auth.issue_token(principal, params.get("scope", ""))
        return JSONResponse(
            {
                "token": token,
                "access_token": token,
                "expires_in": ttl,
                "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            }
        )

    # -- signed ----------------------------------------------------------------------------

    async def info(self, request: Request, body: bytes) -> Response:
        runtime = self.ctx.services.get("runtime")
        worker = self.ctx.services.get("worker")
        port = self.ctx.registry_host.rsplit(":", 1)[-1]
        return JSONResponse(
            {
                "version": __version__,
                "pid": os.getpid(),
                "url": self.ctx.url,
                "dataDir": str(self.ctx.config.data_dir),
                "accessKeyId": self.ctx.credentials.access_key_id,
                "secretStore": self.ctx.credentials.source,
                "instanceId": INSTANCE_ID,
                "registry": {
                    "internet": self.ctx.registry_host,
                    "vpc": f"localhost:{port}",
                    "anonymousPull": self.ctx.config.anonymous_pull,
                },
                "worker": worker.info() if worker is not None else None,
                "runtime": runtime.info() if runtime is not None else None,
                "profiler": (
                    self.ctx.services["profiler"].info()
                    if "profiler" in self.ctx.services
                    else None
                ),
                "seed": await self._seed_status(),
                "uptimeSeconds": round(time.time() - self.ctx.started, 3),
            }
        )

    async def _seed_status(self) -> dict[str, Any] | None:
        status = self.ctx.services.get("seed_status")
        if isinstance(status, dict):
            return dict(status)
        row = await self.ctx.db.fetchone("SELECT value FROM meta WHERE key = 'seeded'")
        return {"state": "finished"} if row is not None else None

    async def tasks(self, request: Request, body: bytes) -> Response:
        q = request.query_params
        sql = "SELECT * FROM tasks WHERE 1=1"
        args: list[Any] = []
        if q.get("repo"):
            sql += " AND repo = ?"
            args.append(q["repo"])
        if q.get("repoId"):
            sql += " AND repo_id = ?"
            args.append(q["repoId"])
        if q.get("status"):
            statuses = [s for s in q["status"].split(",") if s]
            sql += f" AND status IN ({','.join('?' * len(statuses))})"
            args.extend(statuses)
        if q.get("tag"):
            sql += " AND source_tag = ?"
            args.append(q["tag"])
        try:
            limit = max(1, min(int(q.get("limit", "100")), 1000))
        except ValueError:
            raise ApiError(400, "InvalidArgument", "limit must be an integer") from None
        rows = await self.ctx.db.fetchall(sql + " ORDER BY created DESC LIMIT ?", (*args, limit))
        docs = [{**task_doc(r), **_task_extra(r)} for r in rows]
        return JSONResponse({"tasks": docs, "count": len(docs)})

    async def task(self, request: Request, body: bytes) -> Response:
        task_id = request.path_params["task_id"]
        row = await self.ctx.db.fetchone("SELECT * FROM tasks WHERE id = ?", (task_id,))
        if row is None:
            raise ApiError(404, "TaskNotFound", f"task {task_id} does not exist")
        return JSONResponse({**task_doc(row), **_task_extra(row)})

    async def convert(self, request: Request, body: bytes) -> Response:
        try:
            doc = json.loads(body or b"{}")
        except ValueError:
            raise ApiError(400, "InvalidArgument", "body must be JSON") from None
        if not isinstance(doc, dict):
            raise ApiError(400, "InvalidArgument", "body must be a JSON object")
        worker = self.ctx.services.get("worker")
        if worker is None:
            raise ApiError(503, "ServiceUnavailable", "the conversion worker is not running")
        repo = doc.get("repo")
        repo_id = doc.get("repoId")
        if repo_id and not repo:
            row = await self.ctx.db.fetchone(
                "SELECT namespace || '/' || name AS full FROM repositories WHERE id = ?",
                (repo_id,),
            )
            if row is None:
                raise ApiError(404, "RepoNotExist", f"repository {repo_id} does not exist")
            repo = row["full"]
        if not isinstance(repo, str) or not repo:
            raise ApiError(400, "InvalidArgument", "repo (ns/name) or repoId is required")
        tags = doc.get("tags")
        if tags is not None and (
            not isinstance(tags, list) or not all(isinstance(t, str) for t in tags)
        ):
            raise ApiError(400, "InvalidArgument", "tags must be a list of strings")
        queued = await worker.convert_existing(repo, tags, force=bool(doc.get("force")))
        return JSONResponse({"repo": repo, "tasks": queued})

    async def profiles(self, request: Request, body: bytes) -> Response:
        """Start-up profiles of a repository's images, one entry per plain tag (state
        ``NONE``, ``QUEUED``, ``RECORDING``, ``RECORDED`` with ``files``/``bytes``/
        ``recordedAt``, or ``FAILED`` with ``reason``)."""
        repo = request.query_params.get("repo", "")
        if "/" not in repo:
            raise ApiError(400, "InvalidArgument", "repo (ns/name) is required")
        profiler = self.ctx.services.get("profiler")
        if profiler is None:
            raise ApiError(503, "ServiceUnavailable", "the start-up profiler is not running")
        return JSONResponse(
            {"repo": repo, "auto": profiler.auto, "profiles": await profiler.status(repo)}
        )

    async def record_profile(self, request: Request, body: bytes) -> Response:
        """Record the start-up profile of ``{"repo": "ns/name", "tag": "v1"}`` (its twin is
        started once over a lazy mount), then convert the tag again in optimized order."""
        try:
            doc = json.loads(body or b"{}")
        except ValueError:
            raise ApiError(400, "InvalidArgument", "body must be JSON") from None
        if not isinstance(doc, dict):
            raise ApiError(400, "InvalidArgument", "body must be a JSON object")
        repo, tag = doc.get("repo"), doc.get("tag")
        if not isinstance(repo, str) or "/" not in repo or not isinstance(tag, str) or not tag:
            raise ApiError(400, "InvalidArgument", "repo (ns/name) and tag are required")
        profiler = self.ctx.services.get("profiler")
        if profiler is None:
            raise ApiError(503, "ServiceUnavailable", "the start-up profiler is not running")
        queued = await profiler.request_tag(repo, tag, trigger="manual")
        return JSONResponse(queued, status_code=202)

    async def events(self, request: Request, body: bytes) -> Response:
        q = request.query_params
        since: int | None = None
        raw_since = q.get("since") or request.headers.get("last-event-id")
        if raw_since:
            try:
                since = int(raw_since)
            except ValueError:
                raise ApiError(400, "InvalidArgument", "since must be an integer") from None
        types = frozenset(t for t in q.get("types", "").split(",") if t) or None
        ndjson = q.get("format") == "ndjson" or "ndjson" in request.headers.get("accept", "")
        bus = self.ctx.bus

        async def stream() -> AsyncIterator[bytes]:
            # Everything published after the hello is delivered: a client that acts once
            # it has the hello misses nothing, however late this generator subscribes.
            start = bus.last_seq
            yield (
                b'{"type":"hello","seq":%d}\n' % start
                if ndjson
                else b"retry: 2000\n: fcdesk event stream\n\n"
            )
            events = bus.subscribe(start if since is None else since, types)
            assert isinstance(events, AsyncGenerator)
            # One pending read survives the keep-alives: cancelling it on a timeout (as
            # wait_for does) would close the subscription, and the stream with it.
            pending: asyncio.Future[Any] | None = None
            try:
                while True:
                    if pending is None:
                        pending = asyncio.ensure_future(anext(events))
                    done, _ = await asyncio.wait({pending}, timeout=_KEEPALIVE)
                    if not done:
                        yield b'{"type":"keepalive"}\n' if ndjson else b": keepalive\n\n"
                        continue
                    got, pending = pending, None
                    try:
                        event = got.result()
                    except StopAsyncIteration:
                        return
                    data = json.dumps(event.to_json())
                    if ndjson:
                        yield (data + "\n").encode()
                    else:
                        yield f"id: {event.seq}\nevent: {event.type}\ndata: {data}\n\n".encode()
            finally:
                if pending is not None:
                    pending.cancel()
                    with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                        await pending
                await events.aclose()

        media = "application/x-ndjson" if ndjson else "text/event-stream"
        return StreamingResponse(
            stream(),
            media_type=media,
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    async def invocation(self, request: Request, body: bytes) -> Response:
        request_id = request.path_params["request_id"]
        row = await self.ctx.db.fetchone(
            "SELECT * FROM invocations WHERE request_id = ?", (request_id,)
        )
        if row is None:
            raise ApiError(404, "InvocationNotFound", f"no invocation {request_id}")
        return JSONResponse(_invocation_doc(row))

    async def function_invocations(self, request: Request, body: bytes) -> Response:
        name = request.path_params["name"]
        try:
            limit = max(1, min(int(request.query_params.get("limit", "20")), 200))
        except ValueError:
            raise ApiError(400, "InvalidArgument", "limit must be an integer") from None
        rows = await self.ctx.db.fetchall(
            "SELECT * FROM invocations WHERE function = ? ORDER BY ts DESC LIMIT ?",
            (name, limit),
        )
        return JSONResponse({"invocations": [_invocation_doc(r) for r in rows]})

    async def function_logs(self, request: Request, body: bytes) -> Response:
        """What the function's instances printed, oldest first: ``since`` (a ``seq``) for the
        lines after it, ``limit`` for the newest N; ``follow=1`` keeps the answer open as
        NDJSON (a ``hello`` line, then one ``log`` line each, keep-alives in between)."""
        name = request.path_params["name"]
        runtime = self.ctx.services.get("runtime")
        if runtime is None:
            raise ApiError(503, "ServiceUnavailable", "the function runtime is not running")
        row = await self.ctx.db.fetchone("SELECT 1 FROM functions WHERE name = ?", (name,))
        if row is None:
            raise ApiError(404, "FunctionNotFound", f"function '{name}' does not exist")
        q = request.query_params
        try:
            since = int(q.get("since") or 0)
            limit = int(q["limit"]) if q.get("limit") else None
        except ValueError:
            raise ApiError(400, "InvalidArgument", "since and limit are integers") from None
        if limit is not None and not 0 <= limit <= 100_000:
            raise ApiError(400, "InvalidArgument", "limit is between 0 and 100000")
        logs = runtime.logs
        backlog = logs.since(name, since, limit)
        if q.get("follow") not in ("1", "true"):
            # lastSeq: where to go on from (lines printed later have higher numbers)
            return JSONResponse(
                {"logs": [r.to_json() for r in backlog], "lastSeq": logs.last_seq, "follow": False}
            )

        async def stream() -> AsyncIterator[bytes]:
            seen = backlog[-1].seq if backlog else max(since, logs.last_seq if limit == 0 else 0)
            yield (json.dumps({"type": "hello", "lastSeq": seen}) + "\n").encode()
            for record in backlog:
                yield (json.dumps({"type": "log", **record.to_json()}) + "\n").encode()
            while True:
                if not await logs.wait(name, seen, _KEEPALIVE):
                    yield b'{"type":"keepalive"}\n'
                    continue
                for record in logs.since(name, seen):
                    seen = record.seq
                    yield (json.dumps({"type": "log", **record.to_json()}) + "\n").encode()

        return StreamingResponse(
            stream(),
            media_type="application/x-ndjson",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    async def force_cold_start(self, request: Request, body: bytes) -> Response:
        """Stop the function's warm instances. An optional JSON body sets how its next cold
        start runs: ``{"link": "100mbit,20ms", "cache": "empty"}`` — the link its registry
        traffic crosses (a ``core.coldstart.LinkSpec``; ``""`` = loopback, unshaped) and
        whether it pulls into an empty cache (``"empty"``, the default when a body is sent:
        a node that never saw the image) or the server's shared one (``"shared"``)."""
        name = request.path_params["name"]
        runtime = self.ctx.services.get("runtime")
        if runtime is None:
            raise ApiError(503, "ServiceUnavailable", "the function runtime is not running")
        settings = _cold_start_settings(body)
        row = await self.ctx.db.fetchone("SELECT 1 FROM functions WHERE name = ?", (name,))
        if row is None:
            raise ApiError(404, "FunctionNotFound", f"function '{name}' does not exist")
        stopped = await runtime.stop_function(name, reason="force-cold-start")
        doc: dict[str, Any] = {"functionName": name, "stoppedInstances": stopped}
        if settings is not None:
            runtime.arm_cold_start(name, settings)
            doc["nextColdStart"] = settings.to_json()
        return JSONResponse(doc)


def _cold_start_settings(body: bytes) -> ColdStartSettings | None:
    if not body.strip():
        return None
    try:
        doc = json.loads(body)
    except ValueError:
        raise ApiError(400, "InvalidArgument", "body must be JSON") from None
    if not isinstance(doc, dict):
        raise ApiError(400, "InvalidArgument", "body must be a JSON object")
    link = doc.get("link")
    if link is not None:
        if not isinstance(link, str):
            raise ApiError(400, "InvalidArgument", "link must be a string like 100mbit,20ms")
        try:
            spec = LinkSpec.parse(link) if link.strip() else None
            link = None if spec is None or spec.unlimited else spec.describe()
        except InvalidInput as exc:
            raise ApiError(400, "InvalidArgument", f"link: {exc}") from None
    cache = doc.get("cache", "empty")
    if cache not in ("empty", "shared"):
        raise ApiError(400, "InvalidArgument", "cache must be 'empty' or 'shared'")
    return ColdStartSettings(link=link, fresh_cache=cache == "empty")


def _task_extra(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "Repo": row["repo"],
        "SourceDigest": row["source_digest"],
        "TargetDigest": row["target_digest"],
        "Progress": row["progress"],
        "Trigger": row["trigger"],
        "Attempts": row["attempts"],
        "CreateTime": row["created"],
    }


def _invocation_doc(row: sqlite3.Row) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(row["doc"])
    doc.update(
        {
            "requestId": row["request_id"],
            "functionName": row["function"],
            "time": row["ts"],
            "coldStart": bool(row["cold"]),
            "instanceId": row["instance_id"],
            "statusCode": row["status"],
        }
    )
    return doc


def ext_routes(ctx: ServerContext) -> list[Route]:
    ext = Extensions(ctx)
    s = ext.signed
    return [
        Route("/x-fcdesk/health", ext.health, methods=["GET", "HEAD"]),
        Route("/x-fcdesk/token", ext.token, methods=["GET", "POST"]),
        Route("/token", ext.token, methods=["GET", "POST"]),
        Route("/x-fcdesk/info", s(ext.info), methods=["GET"]),
        Route("/x-fcdesk/events", s(ext.events), methods=["GET"]),
        Route("/x-fcdesk/tasks", s(ext.tasks), methods=["GET"]),
        Route("/x-fcdesk/tasks/{task_id}", s(ext.task), methods=["GET"]),
        Route("/x-fcdesk/convert", s(ext.convert), methods=["POST"]),
        Route("/x-fcdesk/profiles", s(ext.profiles), methods=["GET"]),
        Route("/x-fcdesk/profiles/record", s(ext.record_profile), methods=["POST"]),
        Route("/x-fcdesk/invocations/{request_id}", s(ext.invocation), methods=["GET"]),
        Route(
            "/x-fcdesk/functions/{name}/invocations",
            s(ext.function_invocations),
            methods=["GET"],
        ),
        Route("/x-fcdesk/functions/{name}/logs", s(ext.function_logs), methods=["GET"]),
        Route(
            "/x-fcdesk/functions/{name}/force-cold-start",
            s(ext.force_cold_start),
            methods=["POST"],
        ),
    ]
