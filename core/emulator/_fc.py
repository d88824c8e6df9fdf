"""The FC 3.0 API subset at ``/2023-03-30/`` for custom-container functions.

Functions live in sqlite as their JSON document. Create/update validate like the cloud
(``InvalidArgument`` 400, ``FunctionNotFound`` 404, ``FunctionAlreadyExists`` 409) and then
*prepare* the function in the background, which drives the state machine with real work:

* resolve ``customContainerConfig.image`` (a Local registry reference; any loopback host, so
  functions survive a port change) to a manifest digest → ``resolvedImageUri``;
* an ``_accelerated`` image: fetch and verify every layer's TOC (``core.formats``);
* a plain tag whose ``_accelerated`` twin is being converted: stay ``InProgress``
  (``ImageOptimizing``) until the conversion task ends.

``state`` goes Pending → Active (or Failed) on create; ``lastUpdateStatus`` InProgress →
Successful (or Failed) on create and update. ``accelerationInfo.status`` follows FC 2.0:
``Preparing`` while the twin is converted, ``Ready`` once an accelerated image is verified,
``Failed`` when conversion or verification failed.

Updates follow the FC documentation ("Function states and invocation for custom images",
help.aliyun.com/en/functioncompute/fc/user-guide/states-of-custom-container-functions):

* while ``lastUpdateStatus`` is ``InProgress``, and after it ends ``Failed``, invocations are
  routed to the configuration before the update: the server keeps the last successfully
  deployed document (``_deployed``, never shown to clients) and invokes that;
* FC records the tag *and* the digest of the image at create/update: a configuration-only
  update keeps the recorded digest, and a tag later overwritten with another digest puts the
  function in ``Failed`` (``ImageDigestChanged``) until it is updated with the image again;
  so does deleting the image ("the image is deleted or its tag is overwritten with a
  different digest: the function enters the Failed state"): a deleted tag, manifest or
  repository fails the functions deployed from it (``ImageDeleted``). A ``Failed`` function
  stays so until an update deploys it again: pushes and conversions do not revive it;
* the server's own re-conversion of an accelerated twin is not such an overwrite: when one of
  its conversion tasks writes ``<tag>_accelerated`` again from the source image the deployed
  twin was converted from (the second stage of acceleration: the same files in optimized
  order, `core.emulator._profiler`), the functions on that twin are redeployed by
  themselves: ``lastUpdateStatus`` ``InProgress`` (``ImageOptimizing``) → ``Successful`` on
  the new digest, invocations meanwhile on the last deployed configuration, and the events
  ``function.redeploying`` / ``function.redeployed`` (``cause`` ``image-reoptimized``,
  ``previousDigest``, ``digest``). A twin written from another source (the plain tag was
  pushed again) or by anyone else is an overwrite;
* the reason code documented for an update in progress is ``ImageOptimizing`` ("The system is
  currently processing the acceleration optimization for the image", the FC 3.0 GetFunction
  reference and the SDK's ``Function`` model): it is reported when the update deploys an
  image (another image, or the same tag now at another digest). A configuration-only update
  (memory, environment …) touches no image, so it is ``InProgress`` with no reason code.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import json
import logging
import re
import sqlite3
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from core import ACCELERATED_SUFFIX, twin_tag_of
from core.convert import ANNOTATION_SOURCE_DIGEST
from core.emulator._auth import FcHandler, fc_endpoint
from core.emulator._context import INSTANCE_ID, REGION_ID, ServerContext
from core.emulator._errors import ApiError
from core.errors import CoreError
from core.formats import detect_format, read_toc
from core.oci import ImageReference, Manifest, is_loopback_host, parse_manifest

__all__ = ["FcApi", "fc_routes"]

log = logging.getLogger(__name__)

API = "/2023-03-30"
_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,63}$")
_LIST_HIDDEN = (
    "state",
    "stateReason",
    "stateReasonCode",
    "lastUpdateStatus",
    "lastUpdateStatusReason",
    "lastUpdateStatusReasonCode",
)
_HEALTH_DEFAULTS = {
    "initialDelaySeconds": 0,
    "periodSeconds": 3,
    "timeoutSeconds": 1,
    "successThreshold": 1,
    "failureThreshold": 3,
}
_HEALTH_LIMITS = {
    "initialDelaySeconds": (0, 120),
    "periodSeconds": (1, 120),
    "timeoutSeconds": (1, 3),
    "successThreshold": (1, 120),
    "failureThreshold": (1, 120),
}
_MUTABLE = (
    "description",
    "handler",
    "cpu",
    "memorySize",
    "diskSize",
    "timeout",
    "instanceConcurrency",
    "role",
    "environmentVariables",
    "internetAccess",
    "customContainerConfig",
    "logConfig",
    "vpcConfig",
    "nasConfig",
    "ossMountConfig",
    "instanceLifecycleConfig",
    "layers",
    "idleTimeout",
    "disableInjectCredentials",
    "sessionAffinity",
    "gpuConfig",
    "runtime",
)
_OPTIMIZING = "The system is currently processing the acceleration optimization for the image."
#: Internal keys of a stored function document (never sent to clients).
_DEPLOYED = "_deployed"  # the last successfully deployed document: what invocations run
_REDEPLOY = "_redeploy"  # the pending update deploys an image (resolve the tag again)
_CARRY = "_carry"  # the pending update carries the function over to its re-optimized twin
_REOPTIMIZED = "image-reoptimized"  # the cause named by function.redeploying/redeployed
_STATE_KEYS = (*_LIST_HIDDEN, "lastModifiedTime")
_SETTLE_WAIT = 60.0  # how long an invocation waits for a function that has nothing deployed


def public(doc: dict[str, Any]) -> dict[str, Any]:
    """A stored function document as the API shows it (internal keys removed)."""
    return {k: v for k, v in doc.items() if not k.startswith("_")}


def _iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def _bad(message: str) -> ApiError:
    return ApiError(400, "InvalidArgument", message)


def _check_number(
    doc: dict[str, Any], key: str, low: float, high: float, *, integer: bool = True
) -> None:
    value = doc.get(key)
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _bad(f"{key} must be a number")
    if integer and not float(value).is_integer():
        raise _bad(f"{key} must be an integer")
    if not low <= value <= high:
        raise _bad(f"{key} must be between {low:g} and {high:g}, got {value}")


def _str_list(value: Any, key: str) -> None:
    if value is not None and (
        not isinstance(value, list) or not all(isinstance(v, str) for v in value)
    ):
        raise _bad(f"customContainerConfig.{key} must be a list of strings")


class FcApi:
    def __init__(self, ctx: ServerContext) -> None:
        self.ctx = ctx
        self._preparing: dict[str, asyncio.Task[None]] = {}
        self._closing = False

    # -- plumbing ---------------------------------------------------------------------------

    def endpoint(self, handler: FcHandler) -> Callable[[Request], Awaitable[Response]]:
        return fc_endpoint(self.ctx.auth, handler)

    async def _load(self, name: str) -> dict[str, Any]:
        row = await self.ctx.db.fetchone("SELECT doc FROM functions WHERE name = ?", (name,))
        if row is None:
            raise ApiError(404, "FunctionNotFound", f"function '{name}' does not exist")
        doc: dict[str, Any] = json.loads(row["doc"])
        return doc

    async def _save(self, doc: dict[str, Any]) -> None:
        params = (json.dumps(doc), int(time.time() * 1000), doc["functionName"])
        await self.ctx.db.run(
            lambda c: (
                c.execute(
                    "UPDATE functions SET doc = ?, modified = ? WHERE name = ?", params
                ).rowcount
            ),
            "function",
        )

    def _publish_state(self, doc: dict[str, Any]) -> None:
        ccc = doc.get("customContainerConfig") or {}
        self.ctx.bus.publish(
            "function.state",
            functionName=doc["functionName"],
            state=doc.get("state"),
            stateReasonCode=doc.get("stateReasonCode"),
            lastUpdateStatus=doc.get("lastUpdateStatus"),
            lastUpdateStatusReasonCode=doc.get("lastUpdateStatusReasonCode"),
            resolvedImageUri=ccc.get("resolvedImageUri"),
            accelerationStatus=(ccc.get("accelerationInfo") or {}).get("status"),
        )

    # -- validation ------------------------------------------------------------------------

    def _validate(self, doc: dict[str, Any], *, creating: bool) -> None:
        if creating:
            name = doc.get("functionName")
            if not isinstance(name, str) or not name:
                raise _bad("functionName is required but not provided")
            if not _NAME_RE.match(name):
                raise _bad(
                    f"invalid functionName {name[:80]!r}: 1-64 letters, digits, '_' or '-', "
                    "not starting with a digit or '-'"
                )
        runtime = doc.get("runtime")
        if creating and not runtime:
            raise _bad("runtime is required but not provided")
        if runtime is not None and runtime != "custom-container":
            raise _bad(
                f"runtime '{runtime}' is not supported by the Local server; use custom-container"
            )
        if creating and not doc.get("handler"):
            raise _bad("Handler is required but not provided")
        if doc.get("code") is not None:
            raise _bad("code must not be set for custom-container functions")
        _check_number(doc, "memorySize", 128, 32768)
        if doc.get("memorySize") is not None and int(doc["memorySize"]) % 64:
            raise _bad("memorySize must be a multiple of 64")
        _check_number(doc, "cpu", 0.05, 16, integer=False)
        if doc.get("cpu") is not None:
            steps = round(float(doc["cpu"]) / 0.05, 6)
            if not steps.is_integer():
                raise _bad("cpu must be a multiple of 0.05")
        if doc.get("diskSize") is not None and doc["diskSize"] not in (512, 10240):
            raise _bad("diskSize must be 512 or 10240")
        _check_number(doc, "timeout", 1, 86400)
        _check_number(doc, "instanceConcurrency", 1, 200)
        env = doc.get("environmentVariables")
        if env is not None and (
            not isinstance(env, dict)
            or not all(isinstance(k, str) and isinstance(v, str) for k, v in env.items())
        ):
            raise _bad("environmentVariables must map strings to strings")
        ccc = doc.get("customContainerConfig")
        if creating and not ccc:
            raise _bad("customContainerConfig is required for custom-container functions")
        if ccc is None:
            return
        if not isinstance(ccc, dict):
            raise _bad("customContainerConfig must be an object")
        image = ccc.get("image")
        if not isinstance(image, str) or not image:
            raise _bad("customContainerConfig.image is required")
        self._parse_image(image)
        _str_list(ccc.get("entrypoint"), "entrypoint")
        _str_list(ccc.get("command"), "command")
        port = ccc.get("port")
        if port is not None and (not isinstance(port, int) or not 1 <= port <= 65535):
            raise _bad("customContainerConfig.port must be between 1 and 65535")
        hc = ccc.get("healthCheckConfig")
        if hc is not None:
            if not isinstance(hc, dict):
                raise _bad("healthCheckConfig must be an object")
            url = hc.get("httpGetUrl")
            if url is not None and (not isinstance(url, str) or len(url) > 2048):
                raise _bad("healthCheckConfig.httpGetUrl must be a string of at most 2048")
            for key, (low, high) in _HEALTH_LIMITS.items():
                _check_number(hc, key, low, high)
        accel = ccc.get("accelerationType")
        if accel is not None and str(accel).lower() not in ("default", "none"):
            raise _bad("customContainerConfig.accelerationType must be Default or None")

    @staticmethod
    def _parse_image(image: str) -> ImageReference:
        try:
            ref = ImageReference.parse(image)
        except CoreError as exc:
            raise _bad(f"invalid image reference {image[:200]!r}: {exc}") from exc
        if not is_loopback_host(ref.registry):
            raise _bad(
                f"image {image[:200]!r} is not in the Local registry: push it to this server "
                "and use its address (as ListInstanceEndpoint returns it)"
            )
        return ref

    @staticmethod
    def _apply_defaults(doc: dict[str, Any]) -> None:
        doc.setdefault("memorySize", 512)
        if "cpu" not in doc:
            doc["cpu"] = 0.35 if doc["memorySize"] == 512 else round(doc["memorySize"] / 1024, 2)
        doc.setdefault("diskSize", 512)
        doc.setdefault("timeout", 3)
        doc.setdefault("instanceConcurrency", 1)
        doc.setdefault("internetAccess", True)
        doc.setdefault("description", "")
        doc.setdefault("environmentVariables", {})
        ccc = doc["customContainerConfig"]
        ccc.setdefault("port", 9000)
        if ccc.get("healthCheckConfig"):
            for key, value in _HEALTH_DEFAULTS.items():
                ccc["healthCheckConfig"].setdefault(key, value)

    # -- handlers ---------------------------------------------------------------------------

    async def list_functions(self, request: Request, body: bytes, rid: str) -> Response:
        q = request.query_params
        raw_limit = q.get("limit", "20")
        if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= 100:
            raise _bad("limit must be between 1 and 100")
        limit = int(raw_limit)
        prefix = q.get("prefix", "")
        after = ""
        token = q.get("nextToken")
        if token:
            try:
                after = base64.urlsafe_b64decode(token.encode() + b"==").decode("utf-8")
            except (ValueError, UnicodeDecodeError):
                raise _bad("nextToken is invalid") from None
        rows = await self.ctx.db.fetchall(
            "SELECT doc FROM functions WHERE name > ? AND substr(name, 1, ?) = ? "
            "ORDER BY name LIMIT ?",
            (after, len(prefix), prefix, limit + 1),
        )
        docs = [public(json.loads(r["doc"])) for r in rows]
        next_token = ""
        if len(docs) > limit:
            docs = docs[:limit]
            last = docs[-1]["functionName"].encode()
            next_token = base64.urlsafe_b64encode(last).decode().rstrip("=")
        for d in docs:
            for key in _LIST_HIDDEN:
                d.pop(key, None)
        out: dict[str, Any] = {"functions": docs}
        if next_token:
            out["nextToken"] = next_token
        return JSONResponse(out)

    async def get_function(self, request: Request, body: bytes, rid: str) -> Response:
        name = request.path_params["name"]
        qualifier = request.query_params.get("qualifier")
        if qualifier not in (None, "", "LATEST"):
            raise ApiError(404, "VersionNotFound", f"version '{qualifier}' does not exist")
        return JSONResponse(public(await self._load(name)))

    def _json_body(self, body: bytes) -> dict[str, Any]:
        try:
            doc = json.loads(body or b"{}")
        except ValueError:
            raise _bad("the request body is not valid JSON") from None
        if not isinstance(doc, dict):
            raise _bad("the request body must be a JSON object")
        return doc

    async def create_function(self, request: Request, body: bytes, rid: str) -> Response:
        return JSONResponse(public(await self.create(self._json_body(body))))

    async def create(self, doc: dict[str, Any]) -> dict[str, Any]:
        """Validate and store a new function, then start preparing it (``Pending``)."""
        for key in list(doc):
            if (
                key in _LIST_HIDDEN
                or key in ("functionArn", "functionId", "createdTime")
                or key.startswith("_")
            ):
                doc.pop(key)
        self._validate(doc, creating=True)
        self._apply_defaults(doc)
        name = doc["functionName"]
        now = time.time()
        doc["customContainerConfig"].pop("resolvedImageUri", None)
        doc["customContainerConfig"].pop("accelerationInfo", None)
        doc.update(
            {
                "functionId": str(uuid.uuid4()),
                "functionArn": f"acs:fc:{REGION_ID}:{self.ctx.config.account_id}:functions/{name}",
                "createdTime": _iso(now),
                "lastModifiedTime": _iso(now),
                "codeSize": 0,
                "codeChecksum": "",
                "state": "Pending",
                "stateReason": "Function creating",
                "stateReasonCode": "Creating",
                "lastUpdateStatus": "InProgress",
                "lastUpdateStatusReason": _OPTIMIZING,
                "lastUpdateStatusReasonCode": "ImageOptimizing",
            }
        )

        def insert(conn: sqlite3.Connection) -> None:
            try:
                conn.execute(
                    "INSERT INTO functions (name, id, doc, created, modified) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (name, doc["functionId"], json.dumps(doc), int(now * 1000), int(now * 1000)),
                )
            except sqlite3.IntegrityError:
                raise ApiError(
                    409, "FunctionAlreadyExists", f"function '{name}' already exists"
                ) from None

        await self.ctx.db.run(insert, "function")
        self._publish_state(doc)
        self.schedule_prepare(name)
        return doc

    async def get(self, name: str) -> dict[str, Any]:
        """The function document (``ApiError`` FunctionNotFound when there is none)."""
        return public(await self._load(name))

    async def update_function(self, request: Request, body: bytes, rid: str) -> Response:
        name = request.path_params["name"]
        return JSONResponse(public(await self.update(name, self._json_body(body))))

    async def update(self, name: str, changes: dict[str, Any]) -> dict[str, Any]:
        """UpdateFunction: merge ``changes`` (mutable fields only), then prepare again."""
        if "functionName" in changes and changes["functionName"] != name:
            raise _bad("functionName cannot be changed")
        unknown = [k for k in changes if k not in _MUTABLE and k != "functionName"]
        for key in unknown:
            changes.pop(key)
        doc = await self._load(name)
        merged = copy.deepcopy(doc)
        for key, value in changes.items():
            if key == "customContainerConfig" and isinstance(value, dict):
                ccc = dict(merged.get("customContainerConfig") or {})
                ccc.update(value)
                merged[key] = ccc
            else:
                merged[key] = value
        self._validate(
            {k: v for k, v in merged.items() if k in _MUTABLE or k == "functionName"},
            creating=False,
        )
        self._apply_defaults(merged)
        redeploy = await self._deploys_image(doc, changes)
        merged["lastModifiedTime"] = _iso(time.time())
        merged["lastUpdateStatus"] = "InProgress"
        if redeploy:
            merged[_REDEPLOY] = True
            merged["lastUpdateStatusReason"] = _OPTIMIZING
            merged["lastUpdateStatusReasonCode"] = "ImageOptimizing"
        else:
            merged["lastUpdateStatusReason"] = ""
            merged["lastUpdateStatusReasonCode"] = ""
        # Invocations keep running on the deployed configuration (its instances too) until
        # this update is Successful; the recorded digest stays until a new one is resolved.
        await self._save(merged)
        self._publish_state(merged)
        self.schedule_prepare(name)
        return merged

    async def _deploys_image(self, doc: dict[str, Any], changes: dict[str, Any]) -> bool:
        """Whether an update deploys an image: the function is not deployed (never was, or
        failed), or ``changes`` names an image other than the recorded tag + digest."""
        if doc.get("state") != "Active" or _DEPLOYED not in doc:
            return True
        ccc = changes.get("customContainerConfig")
        image = ccc.get("image") if isinstance(ccc, dict) else None
        if image is None:
            return False
        current = doc["customContainerConfig"]
        if image != current.get("image"):
            return True
        recorded = str(current.get("resolvedImageUri") or "").rpartition("@")[2]
        return await self._current_digest(image) != recorded

    async def _current_digest(self, image: str) -> str | None:
        """The digest ``image`` names now (its tag looked up in the registry)."""
        ref = self._parse_image(image)
        if ref.digest is not None:
            return str(ref.digest)
        row = await self.ctx.db.fetchone(
            "SELECT digest FROM tags WHERE repo = ? AND tag = ?", (ref.repository, ref.tag)
        )
        return None if row is None else str(row["digest"])

    async def delete_function(self, request: Request, body: bytes, rid: str) -> Response:
        name = request.path_params["name"]
        await self._load(name)
        task = self._preparing.pop(name, None)
        if task is not None:
            task.cancel()
        runtime = self.ctx.services.get("runtime")
        if runtime is not None:
            await runtime.stop_function(name, reason="deleted")
        await self.ctx.db.execute("DELETE FROM functions WHERE name = ?", (name,))
        self.ctx.bus.publish("function.deleted", functionName=name)
        return Response(status_code=204)

    async def list_instances(self, request: Request, body: bytes, rid: str) -> Response:
        name = request.path_params["name"]
        await self._load(name)
        runtime = self.ctx.services.get("runtime")
        instances = runtime.list_instances(name) if runtime is not None else []
        return JSONResponse({"instances": instances, "requestId": rid})

    async def invoke(self, request: Request, body: bytes, rid: str) -> Response:
        name = request.path_params["name"]
        doc = await self._load(name)
        if request.headers.get("x-fc-invocation-type", "Sync").lower() == "async":
            raise _bad("asynchronous invocation is not enabled for this function")
        if len(body) > 32 * 1024 * 1024:
            raise ApiError(400, "EntityTooLarge", "payload size exceeds 33554432 bytes")
        serving = await self._serving(name, doc)
        runtime = self.ctx.services.get("runtime")
        if runtime is None:
            raise ApiError(503, "ResourceThrottled", "the function runtime is not running")
        tail = request.headers.get("x-fc-log-type", "None").lower() == "tail"
        result = await runtime.invoke(serving, body, request.headers, rid, log_tail=tail)
        # FC 3.0 event invocations return the container's body; its status and headers are
        # dropped (the content type is kept so clients can render the body).
        headers = {"content-type": result.headers.get("content-type", "application/octet-stream")}
        headers["x-fc-instance-id"] = result.instance_id or ""
        headers["x-fc-function-status"] = str(result.status)
        headers["x-fcdesk-run-mode"] = result.run_mode
        headers["x-fc-cold-start"] = "true" if result.cold else "false"
        if tail:
            headers["x-fc-log-result"] = base64.b64encode(result.log_tail[-4096:]).decode()
        if result.error_type:
            headers["x-fc-error-type"] = result.error_type
        return Response(result.body, status_code=result.platform_status or 200, headers=headers)

    async def _serving(self, name: str, doc: dict[str, Any]) -> dict[str, Any]:
        """The configuration an invocation runs: the function's own once its last update is
        Successful, else the last deployed one (FC routes calls to the pre-update version
        while an update is InProgress or after it Failed). A function with nothing deployed
        yet waits for its preparation (up to a minute); it is never invoked without a
        resolved image."""
        deadline = time.monotonic() + _SETTLE_WAIT
        while True:
            if doc.get("state") != "Active":
                raise ApiError(
                    412,
                    "FunctionNotActive",
                    f"function '{name}' is {doc.get('state')} ({doc.get('stateReasonCode')}); "
                    "it can be invoked once it is Active",
                )
            settled = doc.get("lastUpdateStatus") in (None, "Successful")
            candidate = doc if settled else doc.get(_DEPLOYED)
            if candidate is not None and _resolved(candidate):
                return public(candidate)
            task = self._preparing.get(name)
            remaining = deadline - time.monotonic()
            if task is None or task.done() or remaining <= 0:
                raise ApiError(
                    412,
                    "FunctionNotActive",
                    f"function '{name}' has no deployed image yet (update "
                    f"{doc.get('lastUpdateStatus')}); invoke it once lastUpdateStatus is "
                    "Successful",
                )
            await asyncio.wait({task}, timeout=remaining)
            doc = await self._load(name)

    # -- preparation: the state machine ---------------------------------------------------------

    def schedule_prepare(self, name: str) -> None:
        if self._closing:
            return
        old = self._preparing.get(name)
        if old is not None and not old.done():
            old.cancel()
        task = asyncio.create_task(self._prepare_safely(name), name=f"prepare-{name}")
        self._preparing[name] = task

    async def on_repo_changed(self, repo: str, tag: str = "", digest: str = "") -> None:
        """Re-evaluate functions whose image lives in ``repo`` (a push wrote ``tag`` at
        ``digest``, or a conversion task was queued or ended).

        A deployed function whose tag now points at another digest fails, as on FC
        ("the tag is overwritten with a different digest: the function enters the Failed
        state"), unless the server re-converted its accelerated twin (it is carried over to
        the new digest); updating it with its image deploys the new digest. Functions still
        being prepared are prepared again; ``Failed`` ones are left for an update."""
        rows = await self.ctx.db.fetchall("SELECT name, doc FROM functions")
        for row in rows:
            doc = json.loads(row["doc"])
            if tag and _deployed_ref(doc) == (repo, tag) and await self._tag_moved(doc, digest):
                continue
            image = (doc.get("customContainerConfig") or {}).get("image", "")
            try:
                ref = ImageReference.parse(image)
            except CoreError:
                continue
            if ref.repository != repo:
                continue
            if doc.get("lastUpdateStatus") == "Failed" or (
                doc.get("state") == "Failed" and doc.get("lastUpdateStatus") != "InProgress"
            ):
                continue  # FC: a failed function or update stays so until the next update
            if (
                doc.get("state") != "Active"
                or doc.get("lastUpdateStatus") != "Successful"
                or (doc["customContainerConfig"].get("accelerationInfo") or {}).get("status")
                != "Ready"
            ):
                self.schedule_prepare(str(row["name"]))

    async def _tag_moved(self, doc: dict[str, Any], digest: str) -> bool:
        """Fail ``doc`` when the digest recorded at its deployment is no longer its tag's, or
        carry it over when the server re-converted its twin; ``False`` when it is not
        deployed or its digest did not change."""
        deployed = doc.get(_DEPLOYED)
        if deployed is None or not _resolved(deployed) or doc.get(_REDEPLOY):
            return False  # not deployed yet, or an update is deploying this tag anew
        recorded = str(deployed["customContainerConfig"]["resolvedImageUri"]).rpartition("@")[2]
        if recorded == digest or doc.get("state") != "Active":
            return False
        image = str(deployed["customContainerConfig"]["image"])
        ref = self._parse_image(image)
        if await self._reconverted(ref.repository, str(ref.tag), recorded, digest):
            if doc["customContainerConfig"].get("image") != image:
                # an update to another image failed: the deployed configuration keeps
                # serving its twin by digest until the next update
                return False
            await self._carry_over(doc, recorded, digest)
            return True
        reason = (
            f"the image tag {image} was overwritten with digest {digest}; the function was "
            f"deployed with {recorded}: update the function to deploy the new image"
        )
        await self._image_lost(doc, "ImageDigestChanged", reason, "image-changed")
        return True

    async def _image_lost(self, doc: dict[str, Any], code: str, reason: str, why: str) -> None:
        """FC's "original image is no longer accessible": ``doc`` goes ``Failed`` (``code``,
        ``reason``) and its instances stop; an update with a valid image deploys it again."""
        name = str(doc["functionName"])
        deployed = doc.get(_DEPLOYED) or {}
        if not (
            doc.get(_REDEPLOY)
            and doc["customContainerConfig"].get("image")
            != (deployed.get("customContainerConfig") or {}).get("image")
        ):
            # nothing else is being deployed: an update in progress cannot end well
            task = self._preparing.pop(name, None)
            if task is not None:
                task.cancel()
            doc.pop(_REDEPLOY, None)
            doc.pop(_CARRY, None)
            if doc.get("lastUpdateStatus") == "InProgress":
                doc.update(
                    {
                        "lastUpdateStatus": "Failed",
                        "lastUpdateStatusReason": reason,
                        "lastUpdateStatusReasonCode": code,
                    }
                )
        # (an update deploying another image goes on: once Successful, it is Active again)
        doc.update({"state": "Failed", "stateReason": reason, "stateReasonCode": code})
        await self._save(doc)
        self._publish_state(doc)
        self._platform_log(name, f"function failed ({code}): {reason}")
        runtime = self.ctx.services.get("runtime")
        if runtime is not None:
            await runtime.stop_function(name, reason=why)

    async def _source_of(self, digest: str) -> str:
        """The source digest an accelerated manifest records ("" when none or unreadable)."""
        raw = await self.ctx.blobs.read_verified(digest)
        if raw is None:
            return ""
        try:
            doc = json.loads(raw)
        except ValueError:
            return ""
        annotations = doc.get("annotations") if isinstance(doc, dict) else None
        if not isinstance(annotations, dict):
            return ""
        return str(annotations.get(ANNOTATION_SOURCE_DIGEST) or "")

    async def _reconverted(self, repo: str, tag: str, old: str, new: str) -> bool:
        """Whether ``repo:tag`` moving from ``old`` to ``new`` is the server re-converting the
        same image: one of its conversion tasks is writing ``tag`` from the source digest
        that both twins record (a second-stage, optimized conversion, or a forced one)."""
        source = await self._source_of(new)
        if not source:
            return False
        task = await self.ctx.db.fetchone(
            "SELECT 1 FROM tasks WHERE repo = ? AND target_tag = ? AND source_digest = ? "
            "AND status = 'BUILDING'",
            (repo, tag, source),
        )
        return task is not None and await self._source_of(old) == source

    async def _carry_over(self, doc: dict[str, Any], old: str, new: str) -> None:
        """Redeploy ``doc`` on its twin's re-optimized digest ``new``: an update of the
        image as FC reports one (``InProgress``/``ImageOptimizing`` → ``Successful``), with
        invocations on the deployed configuration meanwhile."""
        name = str(doc["functionName"])
        doc[_REDEPLOY] = True
        doc[_CARRY] = {"from": old, "to": new}
        doc["lastUpdateStatus"] = "InProgress"
        doc["lastUpdateStatusReason"] = _OPTIMIZING
        doc["lastUpdateStatusReasonCode"] = "ImageOptimizing"
        await self._save(doc)
        self._publish_state(doc)
        self.ctx.bus.publish(
            "function.redeploying",
            functionName=name,
            cause=_REOPTIMIZED,
            image=doc["customContainerConfig"]["image"],
            previousDigest=old,
            digest=new,
        )
        self._platform_log(
            name,
            f"the registry converted {doc['customContainerConfig']['image']} again (start-up "
            f"files first): redeploying {old} -> {new}",
        )
        self.schedule_prepare(name)

    def _platform_log(self, name: str, message: str) -> None:
        """A platform line in the function's log (its Logs tab, fcaccel functions logs)."""
        runtime = self.ctx.services.get("runtime")
        logs = getattr(runtime, "logs", None)
        if logs is not None:
            logs.add(name, "", "platform", message)

    async def on_images_deleted(
        self, repo: str, tags: tuple[str, ...], digests: tuple[str, ...]
    ) -> None:
        """Tags or manifests of ``repo`` were deleted (nothing named: the repository): the
        functions deployed from them fail (``ImageDeleted``), as FC documents for a deleted
        image; functions still being prepared from them are prepared again (and fail)."""
        whole = not tags and not digests
        rows = await self.ctx.db.fetchall("SELECT name, doc FROM functions")
        for row in rows:
            doc = json.loads(row["doc"])
            name = str(row["name"])
            deployed = doc.get(_DEPLOYED)
            config = deployed if deployed is not None else doc
            image = str((config.get("customContainerConfig") or {}).get("image") or "")
            try:
                ref = ImageReference.parse(image)
            except CoreError:
                continue
            if ref.repository != repo:
                continue
            recorded = ""
            if deployed is not None and _resolved(deployed):
                recorded = str(deployed["customContainerConfig"]["resolvedImageUri"])
                recorded = recorded.rpartition("@")[2]
            hit_tag = ref.digest is None and ref.tag in tags
            hit_digest = bool(recorded) and recorded in digests
            if not (whole or hit_tag or hit_digest):
                continue
            if doc.get("state") != "Active" or not recorded:
                if doc.get("state") == "Pending" or doc.get("lastUpdateStatus") == "InProgress":
                    self.schedule_prepare(name)
                continue
            if whole:
                what = f"the repository {repo} was deleted"
            elif hit_digest:
                what = f"the image {ref.registry}/{repo}@{recorded} was deleted"
            else:
                what = f"the image tag {image} was deleted"
            reason = (
                f"{what}; the function was deployed with {recorded}: push the image again "
                "and update the function, or update it with another image"
            )
            await self._image_lost(doc, "ImageDeleted", reason, "image-deleted")

    async def resume_all(self) -> None:
        """After a restart, finish every preparation a stop interrupted."""
        rows = await self.ctx.db.fetchall("SELECT name, doc FROM functions")
        for row in rows:
            doc = json.loads(row["doc"])
            if doc.get("state") == "Pending" or doc.get("lastUpdateStatus") == "InProgress":
                self.schedule_prepare(str(row["name"]))

    async def close(self) -> None:
        self._closing = True
        tasks = list(self._preparing.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _prepare_safely(self, name: str) -> None:
        try:
            await self._prepare(name)
        except ApiError:
            return  # deleted meanwhile
        except (CoreError, OSError, ValueError) as exc:
            log.warning("preparing function %s failed: %s", name, exc)
            try:
                doc = await self._load(name)
            except ApiError:
                return
            await self._fail(doc, "InternalError", f"{type(exc).__name__}: {exc}")
        finally:
            if self._preparing.get(name) is asyncio.current_task():
                self._preparing.pop(name, None)

    async def _prepare(self, name: str) -> None:
        doc = await self._load(name)
        ccc = doc["customContainerConfig"]
        ref = self._parse_image(ccc["image"])
        repo = ref.repository
        tag = ref.tag
        digest = str(ref.digest) if ref.digest is not None else None
        deployed = doc.get(_DEPLOYED)
        if (
            digest is None
            and not doc.get(_REDEPLOY)
            and doc.get("state") == "Active"
            and deployed is not None
            and deployed["customContainerConfig"].get("image") == ccc["image"]
            and _resolved(deployed)
        ):
            # FC recorded this tag's digest when the image was deployed: a configuration
            # change keeps it (the tag is not looked up again).
            digest = str(deployed["customContainerConfig"]["resolvedImageUri"]).rpartition("@")[2]
        row: sqlite3.Row | None
        if digest is None:
            tag_row = await self.ctx.db.fetchone(
                "SELECT digest FROM tags WHERE repo = ? AND tag = ?", (repo, tag)
            )
            if tag_row is None:
                if tag and tag.endswith(ACCELERATED_SUFFIX):
                    source = tag.removesuffix(ACCELERATED_SUFFIX)
                    if await self._active_task(repo, source) is not None:
                        await self._set_waiting(doc, "Preparing")
                        return
                await self._fail(doc, "ImageNotFound", f"image {ccc['image']} does not exist")
                return
            digest = str(tag_row["digest"])
        row = await self.ctx.db.fetchone(
            "SELECT * FROM manifests WHERE repo = ? AND digest = ?", (repo, digest)
        )
        if row is None:
            await self._fail(doc, "ImageNotFound", f"image {ccc['image']} does not exist")
            return
        raw = await self.ctx.blobs.read_verified(digest)
        if raw is None:
            await self._fail(doc, "ImagePullFailed", f"manifest {digest} is damaged")
            return
        try:
            manifest = parse_manifest(raw, str(row["media_type"]))
        except CoreError as exc:
            await self._fail(doc, "ImagePullFailed", f"manifest {digest}: {exc}")
            return
        if not isinstance(manifest, Manifest):
            await self._fail(
                doc, "ImagePullFailed", "multi-platform images are not supported; use a manifest"
            )
            return
        ccc["resolvedImageUri"] = f"{ref.registry}/{repo}@{digest}"
        accelerated = bool(tag and tag.endswith(ACCELERATED_SUFFIX))
        seekable = any(detect_format(layer.annotations) for layer in manifest.layers)
        acceleration: str | None
        if accelerated or seekable:
            try:
                await self._verify_tocs(repo, manifest)
            except CoreError as exc:
                ccc["accelerationInfo"] = {"status": "Failed"}
                await self._fail(doc, "ImageOptimizationFailed", f"TOC check failed: {exc}")
                return
            acceleration = "Ready"
        else:
            acceleration = await self._twin_status(repo, tag)
            if acceleration == "Preparing":
                await self._set_waiting(doc, "Preparing")
                return
        doc = await self._load(name)
        ccc2 = doc["customContainerConfig"]
        if ccc2.get("image") != ccc["image"]:
            return  # updated meanwhile: the newer preparation decides
        ccc2["resolvedImageUri"] = ccc["resolvedImageUri"]
        if acceleration is None:
            ccc2.pop("accelerationInfo", None)
            ccc2.setdefault("accelerationType", "None")
        else:
            ccc2["accelerationInfo"] = {"status": acceleration}
            ccc2["accelerationType"] = "Default"
        ccc2["acrInstanceId"] = INSTANCE_ID
        doc.update(
            {
                "state": "Active",
                "stateReason": "",
                "stateReasonCode": "",
                "lastUpdateStatus": "Successful",
                "lastUpdateStatusReason": "",
                "lastUpdateStatusReasonCode": "",
            }
        )
        doc.pop(_REDEPLOY, None)
        carried = doc.pop(_CARRY, None)
        previous = doc.pop(_DEPLOYED, None)
        doc[_DEPLOYED] = public(doc)
        await self._save(doc)
        self._publish_state(doc)
        if carried is not None:
            self._platform_log(name, f"redeployed on {ccc2['resolvedImageUri']}")
            self.ctx.bus.publish(
                "function.redeployed",
                functionName=name,
                cause=_REOPTIMIZED,
                image=ccc2["image"],
                previousDigest=carried.get("from"),
                digest=ccc2["resolvedImageUri"].rpartition("@")[2],
            )
        if previous is not None and _config(previous) != _config(doc):
            # the new configuration is live: instances of the old one are stopped
            runtime = self.ctx.services.get("runtime")
            if runtime is not None:
                await runtime.stop_function(name, reason="updated")

    async def _active_task(self, repo: str, tag: str | None) -> sqlite3.Row | None:
        return await self.ctx.db.fetchone(
            "SELECT * FROM tasks WHERE repo = ? AND source_tag = ? "
            "AND status IN ('PENDING', 'BUILDING') ORDER BY created DESC LIMIT 1",
            (repo, tag or ""),
        )

    async def _twin_status(self, repo: str, tag: str | None) -> str | None:
        if not tag:
            return None
        twin = await self.ctx.db.fetchone(
            "SELECT 1 FROM tags WHERE repo = ? AND tag = ?", (repo, twin_tag_of(tag))
        )
        if twin is not None:
            return "Ready"
        last = await self.ctx.db.fetchone(
            "SELECT status FROM tasks WHERE repo = ? AND source_tag = ? "
            "ORDER BY created DESC LIMIT 1",
            (repo, tag),
        )
        if last is None:
            return None
        if last["status"] in ("PENDING", "BUILDING"):
            return "Preparing"
        if last["status"] == "FAILED":
            return "Failed"
        return None

    async def _verify_tocs(self, repo: str, manifest: Manifest) -> None:
        """Fetch and verify the TOC of every seekable layer from the local blob store."""
        for layer in manifest.layers:
            kind = detect_format(layer.annotations)
            if kind is None:
                continue
            blob = await self.ctx.blobs.open_verified(str(layer.digest))
            if blob is None:
                raise CoreError(f"layer {layer.digest} is missing from {repo}")
            path = blob.path

            async def fetch(start: int, end: int, _path: Any = path) -> bytes:
                def read() -> bytes:
                    with open(_path, "rb") as fh:
                        fh.seek(start)
                        return fh.read(end - start)

                return await asyncio.to_thread(read)

            await read_toc(fetch, blob.size, layer.annotations, kind=kind)

    async def _set_waiting(self, doc: dict[str, Any], acceleration: str) -> None:
        ccc = doc["customContainerConfig"]
        ccc["accelerationInfo"] = {"status": acceleration}
        ccc["accelerationType"] = "Default"
        doc["lastUpdateStatus"] = "InProgress"
        doc["lastUpdateStatusReason"] = _OPTIMIZING
        doc["lastUpdateStatusReasonCode"] = "ImageOptimizing"
        await self._save(doc)
        self._publish_state(doc)

    async def _fail(self, doc: dict[str, Any], code: str, reason: str) -> None:
        doc.pop(_REDEPLOY, None)
        doc.pop(_CARRY, None)
        if doc.get("state") == "Pending":
            doc["state"] = "Failed"
            doc["stateReason"] = reason
            doc["stateReasonCode"] = code
        doc["lastUpdateStatus"] = "Failed"
        doc["lastUpdateStatusReason"] = reason
        doc["lastUpdateStatusReasonCode"] = code
        await self._save(doc)
        self._publish_state(doc)


def _deployed_ref(doc: dict[str, Any]) -> tuple[str, str] | None:
    """``(repository, tag)`` of the image ``doc``'s deployed configuration names by tag."""
    deployed = doc.get(_DEPLOYED)
    if deployed is None:
        return None
    try:
        ref = ImageReference.parse(str(deployed["customContainerConfig"]["image"]))
    except (CoreError, KeyError, TypeError):
        return None
    if ref.digest is not None or ref.tag is None:
        return None
    return ref.repository, ref.tag


def _resolved(doc: dict[str, Any]) -> bool:
    """Whether ``doc`` records a deployed image digest (``host/repo@sha256:…``)."""
    uri = str((doc.get("customContainerConfig") or {}).get("resolvedImageUri") or "")
    return "@sha256:" in uri and len(uri.rpartition("@sha256:")[2]) == 64


def _config(doc: dict[str, Any]) -> dict[str, Any]:
    """What an instance is started from: the document without state, timestamps and the
    (informational) acceleration status."""
    out = {k: v for k, v in public(doc).items() if k not in _STATE_KEYS}
    ccc = dict(out.get("customContainerConfig") or {})
    for key in ("accelerationInfo", "accelerationType", "acrInstanceId"):
        ccc.pop(key, None)
    out["customContainerConfig"] = ccc
    return out


def fc_routes(api: FcApi) -> list[Route]:
    e = api.endpoint
    return [
        Route(f"{API}/functions", e(api.list_functions), methods=["GET"]),
        Route(f"{API}/functions", e(api.create_function), methods=["POST"]),
        Route(f"{API}/functions/{{name}}", e(api.get_function), methods=["GET"]),
        Route(f"{API}/functions/{{name}}", e(api.update_function), methods=["PUT"]),
        Route(f"{API}/functions/{{name}}", e(api.delete_function), methods=["DELETE"]),
        Route(f"{API}/functions/{{name}}/instances", e(api.list_instances), methods=["GET"]),
        Route(f"{API}/functions/{{name}}/invocations", e(api.invoke), methods=["POST"]),
    ]
