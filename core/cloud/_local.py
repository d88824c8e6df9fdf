"""The Local server's extensions under ``/x-fcdesk/`` (what the cloud has no public API for).

All calls are ACS3-signed like the cloud APIs, except ``health``. Errors come back in the FC
error shape and raise like FC errors. Shapes (JSON):

* ``GET  /x-fcdesk/info`` → server facts (``instanceId``, ``registry.internet`` …)
* ``GET  /x-fcdesk/tasks?repo=&repoId=&status=A,B&tag=&limit=`` → ``{"tasks": [task], "count"}``
  where ``task`` is a ``GetArtifactBuildTask`` body plus ``Repo``, ``Progress``, ``Trigger`` …
* ``GET  /x-fcdesk/tasks/{id}`` → ``task``
* ``POST /x-fcdesk/convert`` ``{"repo"|"repoId", "tags"?, "force"?}`` → ``{"repo", "tasks"}``
* ``GET  /x-fcdesk/events?since=&types=a,b&format=ndjson`` → one JSON event per line
  ``{"seq", "type", "ts", "data"}`` (plus ``hello`` / ``keepalive`` lines)
* ``POST /x-fcdesk/functions/{name}/force-cold-start`` ``{"link"?, "cache"?}`` →
  ``{"stoppedInstances", "nextColdStart"?}``
* ``GET  /x-fcdesk/functions/{name}/invocations?limit=`` → ``{"invocations": [...]}``
* ``GET  /x-fcdesk/functions/{name}/logs?since=&limit=[&follow=1]`` → ``{"logs": [line],
  "lastSeq"}``, or with ``follow`` NDJSON lines ``{"type": "log", ...line}`` as they are printed
  (``line``: ``seq``, ``time``, ``instanceId``, ``stream``, ``message``, ``requestId``?)
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx

from core._retry import RetryPolicy
from core.cloud._acr_models import BuildTask
from core.cloud._api import ApiClientBase, error_from_response
from core.cloud._credentials import Credentials
from core.cloud._signing import ACS3Auth, CredentialsSource
from core.errors import CloudError, TransportError

__all__ = [
    "LOCAL_API_VERSION",
    "LOCAL_DEMO_FUNCTIONS",
    "LOCAL_DEMO_REPO",
    "LOCAL_DEMO_TAG",
    "LOCAL_READY_PREFIX",
    "LOCAL_REALISTIC_DEMO_REPO",
    "LocalExtensions",
    "ServerEvent",
]

LOCAL_API_VERSION = "fcdesk-1"

#: ``fcaccel serve`` prints this, then the server's facts as JSON on the same line, once it
#: listens: what a program that started it (the console) waits for.
LOCAL_READY_PREFIX = "FCDESK-READY "

#: What a fresh Local server seeds: the small demo image ``LOCAL_DEMO_REPO:LOCAL_DEMO_TAG``
#: (and its accelerated twin), the two demo functions (plain, accelerated) and, for the
#: ``medium`` and ``bloated`` seeds, the realistic image the functions switch to when ready.
LOCAL_DEMO_REPO = "demo/hello"
LOCAL_DEMO_TAG = "v1"
LOCAL_REALISTIC_DEMO_REPO = "demo/python-app"
LOCAL_DEMO_FUNCTIONS = ("demo-plain", "demo-accelerated")


@dataclass(frozen=True, slots=True)
class ServerEvent:
    seq: int
    type: str
    ts: float
    data: dict[str, Any] = field(default_factory=dict)


class LocalExtensions:
    """Client of the Local server's ``/x-fcdesk/`` extensions. ``base_url`` is the server's
    root URL (the one the FC API lives under)."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        credentials: Credentials | CredentialsSource,
        *,
        base_url: str,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._http = http
        self._api = ApiClientBase(http, credentials, retry=retry, service="local")
        self._auth = ACS3Auth(credentials)
        self.base_url = base_url.rstrip("/")

    def __repr__(self) -> str:
        return f"LocalExtensions(base_url={self.base_url!r})"

    def _url(self, *parts: str) -> str:
        return "/".join([self.base_url, "x-fcdesk", *(quote(p, safe="") for p in parts)])

    async def _json(
        self,
        method: str,
        url: str,
        action: str,
        *,
        params: Mapping[str, str | None] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        content = None
        headers = {}
        if body is not None:
            content = json.dumps(body, separators=(",", ":")).encode()
            headers["content-type"] = "application/json"
        response = await self._api._send(
            method,
            url,
            action=action,
            version=LOCAL_API_VERSION,
            params={k: v for k, v in (params or {}).items() if v is not None},
            content=content,
            headers=headers,
        )
        try:
            data = response.json()
        except ValueError as exc:
            raise CloudError(f"{action}: body is not JSON", code="InvalidResponse") from exc
        if not isinstance(data, dict):
            raise CloudError(f"{action}: unexpected response shape", code="InvalidResponse")
        return data

    async def health(self) -> dict[str, Any]:
        """Unsigned liveness check."""
        try:
            response = await self._http.get(self._url("health"))
        except httpx.TransportError as exc:
            raise TransportError(f"Local server not reachable: {type(exc).__name__}") from exc
        if response.status_code != 200:
            raise CloudError("Local server health check failed", code="Unhealthy")
        data = response.json()
        return data if isinstance(data, dict) else {}

    async def info(self) -> dict[str, Any]:
        return await self._json("GET", self._url("info"), "GetServerInfo")

    async def list_tasks(
        self,
        *,
        repo: str | None = None,
        repo_id: str | None = None,
        status: list[str] | None = None,
        tag: str | None = None,
        limit: int = 100,
    ) -> list[BuildTask]:
        """Conversion tasks, newest first (``repo`` is ``namespace/name``)."""
        data = await self._json(
            "GET",
            self._url("tasks"),
            "ListArtifactBuildTasks",
            params={
                "repo": repo,
                "repoId": repo_id,
                "status": ",".join(status) if status else None,
                "tag": tag,
                "limit": str(limit),
            },
        )
        return [BuildTask.from_json(t) for t in data.get("tasks") or []]

    async def get_task(self, task_id: str) -> BuildTask:
        return BuildTask.from_json(
            await self._json("GET", self._url("tasks", task_id), "GetArtifactBuildTask")
        )

    async def convert(
        self,
        *,
        repo: str | None = None,
        repo_id: str | None = None,
        tags: list[str] | None = None,
        force: bool = False,
    ) -> dict[str, Any]:
        """Queue conversions of existing tags (all tags when ``tags`` is ``None``)."""
        body: dict[str, Any] = {"force": force}
        if repo:
            body["repo"] = repo
        if repo_id:
            body["repoId"] = repo_id
        if tags is not None:
            body["tags"] = list(tags)
        return await self._json("POST", self._url("convert"), "ConvertTags", body=body)

    async def list_profiles(self, repo: str) -> list[dict[str, Any]]:
        """Start-up profiles of ``repo``'s images, one per plain tag (``state`` ``NONE``,
        ``QUEUED``, ``RECORDING``, ``RECORDED`` with ``files``/``bytes``/``recordedAt`` in
        ms, or ``FAILED`` with ``reason``)."""
        data = await self._json(
            "GET", self._url("profiles"), "ListStartupProfiles", params={"repo": repo}
        )
        return [p for p in data.get("profiles") or [] if isinstance(p, dict)]

    async def record_profile(self, repo: str, tag: str) -> dict[str, Any]:
        """Record the start-up profile of ``repo:tag`` (its twin is started once), then
        convert the tag again in optimized order; returns the queued profile."""
        return await self._json(
            "POST",
            self._url("profiles/record"),
            "RecordStartupProfile",
            body={"repo": repo, "tag": tag},
        )

    async def force_cold_start(
        self, function_name: str, *, link: str | None = None, cache: str | None = None
    ) -> dict[str, Any]:
        """Stop the function's warm instances so the next invocation starts cold.

        ``link`` (a link spec such as ``"100mbit,20ms"``; ``""`` = loopback) makes that cold
        start pull over an emulated link, and ``cache`` (``"empty"``, the default once either is
        given, or ``"shared"``) says whether it starts from an empty image cache. The answer's
        ``nextColdStart`` echoes the settings the server will use.
        """
        body: dict[str, Any] | None = None
        if link is not None or cache is not None:
            body = {"cache": cache or "empty"}
            if link is not None:
                body["link"] = link
        return await self._json(
            "POST",
            self._url("functions", function_name, "force-cold-start"),
            "ForceColdStart",
            body=body,
        )

    async def function_invocations(
        self, function_name: str, *, limit: int = 20
    ) -> list[dict[str, Any]]:
        data = await self._json(
            "GET",
            self._url("functions", function_name, "invocations"),
            "ListInvocations",
            params={"limit": str(limit)},
        )
        return list(data.get("invocations") or [])

    async def events(
        self, *, since: int | None = None, types: list[str] | None = None
    ) -> AsyncIterator[ServerEvent]:
        """The live event stream (tag pushed, task progress, function state …).

        Runs until cancelled or the server closes the stream; reconnecting with the last
        ``seq`` as ``since`` replays what was missed.
        """
        params = {"format": "ndjson"}
        if since is not None:
            params["since"] = str(since)
        if types:
            params["types"] = ",".join(types)
        async for doc in self._ndjson(self._url("events"), "WatchEvents", params, "event stream"):
            if doc.get("type") in ("hello", "keepalive") or "seq" not in doc:
                continue
            yield ServerEvent(
                seq=int(doc["seq"]),
                type=str(doc.get("type", "")),
                ts=float(doc.get("ts") or 0.0),
                data=dict(doc.get("data") or {}),
            )

    async def _ndjson(
        self, url: str, action: str, params: Mapping[str, str], what: str
    ) -> AsyncIterator[dict[str, Any]]:
        """The JSON objects of a signed NDJSON stream, until cancelled or the server ends it
        (lines that are not JSON objects are skipped)."""
        request = self._http.build_request(
            "GET",
            url,
            params=dict(params),
            headers={
                "accept": "application/x-ndjson",
                "x-acs-action": action,
                "x-acs-version": LOCAL_API_VERSION,
            },
        )
        try:
            response = await self._http.send(request, auth=self._auth, stream=True)
        except httpx.TransportError as exc:
            raise TransportError(f"{what}: {type(exc).__name__}") from exc
        try:
            if response.status_code >= 400:
                await response.aread()
                raise error_from_response(response, secrets=self._api._secrets())
            async for line in response.aiter_lines():
                if not line.strip():
                    continue
                try:
                    doc = json.loads(line)
                except ValueError:
                    continue
                if isinstance(doc, dict):
                    yield doc
        except httpx.TransportError as exc:
            raise TransportError(f"{what}: {type(exc).__name__}") from exc
        finally:
            await response.aclose()

    async def function_logs(
        self, function_name: str, *, since: int = 0, limit: int | None = None
    ) -> tuple[list[dict[str, Any]], int]:
        """What the function's instances printed after ``since`` (a ``seq``; the newest
        ``limit`` with a limit), oldest first: ``([{seq, time, instanceId, stream, message,
        requestId?}], seq to go on from)`` (`follow_function_logs` with that ``since`` misses
        nothing printed since)."""
        params = {"since": str(since)}
        if limit is not None:
            params["limit"] = str(limit)
        data = await self._json(
            "GET", self._url("functions", function_name, "logs"), "GetFunctionLogs", params=params
        )
        return list(data.get("logs") or []), int(data.get("lastSeq") or 0)

    async def follow_function_logs(
        self,
        function_name: str,
        *,
        since: int = 0,
        limit: int | None = None,
        on_open: Callable[[int], None] | None = None,
    ) -> AsyncIterator[dict[str, Any]]:
        """The lines after ``since`` (the newest ``limit``; ``limit=0``: only new ones), then
        each new line as the instances print it; until cancelled or the server ends it.
        ``on_open`` is called once the server has accepted the stream (with the last line's
        ``seq`` it holds), before any line: a quiet function's stream is open too."""
        params = {"since": str(since), "follow": "1"}
        if limit is not None:
            params["limit"] = str(limit)
        url = self._url("functions", function_name, "logs")
        async for doc in self._ndjson(url, "FollowFunctionLogs", params, "log stream"):
            if doc.get("type") == "log":
                doc.pop("type")
                yield doc
            elif doc.get("type") == "hello" and on_open is not None:
                on_open(int(doc.get("lastSeq") or 0))
