"""The ACR EE API subset (``cr`` 2018-12-01, RPC style) at ``/``, where the real endpoint
(``cr.<region>.aliyuncs.com``) answers it and where the official SDK sends it: RPC calls have no
path of their own.

Parameters come in the query string (as the SDK sends them, even for POST) or a form body; the
action is the ``x-acs-action`` header (signature V3) or the ``Action`` parameter. Every answer
carries ``RequestId``, ``Code`` (``success``) and ``IsSuccess``; business failures come back as
HTTP 200 with ``IsSuccess: false`` and a code such as ``REPO_NOT_EXIST``, like the cloud.
``TotalCount`` is typed as the real API types it: an integer in ``ListInstance`` and
``ListArtifactBuildTaskLog``, a string in ``ListNamespace``, ``ListRepository`` and
``ListRepoTag``.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from core.emulator._context import INSTANCE_ID, INSTANCE_NAME, REGION_ID, ServerContext, new_id
from core.emulator._errors import ApiError, acr_error

__all__ = ["AcrApi", "BusinessError", "acr_routes"]

_NS_RE = re.compile(r"^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$")
_REPO_RE = re.compile(r"^[a-z0-9](?:[a-z0-9._/-]{0,126}[a-z0-9])?$")

Params = dict[str, str]


class BusinessError(Exception):
    """An ACR business failure: HTTP 200, ``IsSuccess: false``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _request_id() -> str:
    return str(uuid.uuid4()).upper()


def _int(params: Params, name: str, default: int, low: int = 1, high: int = 10**9) -> int:
    raw = params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, "InvalidParameter", f"{name} must be an integer") from None
    if not low <= value <= high:
        raise ApiError(400, "InvalidParameter", f"{name} must be between {low} and {high}")
    return value


def _required(params: Params, name: str) -> str:
    value = params.get(name)
    if not value:
        raise ApiError(400, "MissingParameter", f"{name} is mandatory for this action")
    return value


def _bool(params: Params, name: str, default: bool) -> bool:
    raw = params.get(name)
    if raw in (None, ""):
        return default
    return raw.lower() in ("true", "1")


def repo_doc(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "RepoId": row["id"],
        "RepoName": row["name"],
        "RepoNamespaceName": row["namespace"],
        "RepoType": row["repo_type"],
        "RepoStatus": "NORMAL",
        "RepoBuildType": "MANUAL",
        "Summary": row["summary"],
        "TagImmutability": bool(row["tag_immutability"]),
        "CreateTime": row["created"],
        "ModifiedTime": row["modified"],
        "InstanceId": INSTANCE_ID,
        "ResourceGroupId": "",
    }


class AcrApi:
    def __init__(self, ctx: ServerContext) -> None:
        self.ctx = ctx
        self._actions: dict[str, Callable[[Params], Awaitable[dict[str, Any]]]] = {
            name: getattr(self, name)
            for name in dir(self)
            if name[:1].isupper() and callable(getattr(self, name))
        }

    # -- entry point -----------------------------------------------------------------------

    async def dispatch(self, request: Request) -> Response:
        request_id = _request_id()
        try:
            body = await self.ctx.auth.read_signed(request)
            params: Params = dict(parse_qsl(request.url.query, keep_blank_values=True))
            ctype = request.headers.get("content-type", "")
            if body and ctype.startswith("application/x-www-form-urlencoded"):
                params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
            action = request.headers.get("x-acs-action") or params.get("Action") or ""
            handler = self._actions.get(action)
            if handler is None:
                raise ApiError(404, "InvalidAction.NotFound", f"action {action!r} is not supported")
            instance = params.get("InstanceId")
            if action not in ("ListInstance",) and instance is not None and instance != INSTANCE_ID:
                raise BusinessError("INSTANCE_NOT_EXIST", f"instance {instance} does not exist")
            result = await handler(params)
        except ApiError as exc:
            status = 403 if exc.code in ("SignatureNotMatch",) else exc.status
            if exc.code == "InvalidAccessKeyId.NotFound":
                status = 404
            if exc.code in ("MissingAuthorization", "IncompleteSignature", "MissingHeader"):
                status = 400
            return acr_error(status, exc.code, exc.message, request_id)
        except BusinessError as exc:
            return acr_error(200, exc.code, exc.message, request_id)
        payload = {"RequestId": request_id, "Code": "success", "IsSuccess": True, **result}
        return JSONResponse(payload, headers={"x-acs-request-id": request_id})

    # -- lookups -----------------------------------------------------------------------------

    async def _repo(self, params: Params) -> sqlite3.Row:
        repo_id = params.get("RepoId")
        if repo_id:
            row = await self.ctx.db.fetchone("SELECT * FROM repositories WHERE id = ?", (repo_id,))
        else:
            ns = params.get("RepoNamespaceName") or params.get("NamespaceName")
            name = params.get("RepoName")
            if not ns or not name:
                raise ApiError(400, "MissingParameter", "RepoId or RepoNamespaceName+RepoName")
            row = await self.ctx.db.fetchone(
                "SELECT * FROM repositories WHERE namespace = ? AND name = ?", (ns, name)
            )
        if row is None:
            raise BusinessError("REPO_NOT_EXIST", "repository does not exist")
        return row

    async def _namespace(self, params: Params) -> sqlite3.Row:
        ns_id = params.get("NamespaceId")
        if ns_id:
            row = await self.ctx.db.fetchone("SELECT * FROM namespaces WHERE id = ?", (ns_id,))
        else:
            name = params.get("NamespaceName") or params.get("RepoNamespaceName")
            if not name:
                raise ApiError(400, "MissingParameter", "NamespaceId or NamespaceName")
            row = await self.ctx.db.fetchone("SELECT * FROM namespaces WHERE name = ?", (name,))
        if row is None:
            raise BusinessError("NAMESPACE_NOT_EXIST", "namespace does not exist")
        return row

    # -- instances ---------------------------------------------------------------------------

    def _instance(self, *, listed: bool) -> dict[str, Any]:
        """The instance as ``ListInstance`` (``listed``) or ``GetInstance`` answers it: the
        list types ``CreateTime``/``ModifiedTime`` as strings and carries ``RegionId``; the
        detail has integers and no region (as the API metadata declares them)."""
        created = int(self.ctx.started * 1000)
        doc: dict[str, Any] = {
            "InstanceId": INSTANCE_ID,
            "InstanceName": INSTANCE_NAME,
            "InstanceSpecification": "Enterprise_Standard",
            "InstanceStatus": "RUNNING",
            "CreateTime": str(created) if listed else created,
            "ModifiedTime": str(created) if listed else created,
            "InstanceIssue": "",
            "ResourceGroupId": "",
            "Tags": [],
        }
        if listed:
            doc["RegionId"] = REGION_ID
        return doc

    async def ListInstance(self, params: Params) -> dict[str, Any]:
        page_no = _int(params, "PageNo", 1)
        page_size = _int(params, "PageSize", 30, high=100)
        status = params.get("InstanceStatus")
        instances = [self._instance(listed=True)]
        if status and status != "RUNNING":
            instances = []
        total = len(instances)
        start = (page_no - 1) * page_size
        return {
            "Instances": instances[start : start + page_size],
            "PageNo": page_no,
            "PageSize": page_size,
            "TotalCount": total,
        }

    async def GetInstance(self, params: Params) -> dict[str, Any]:
        _required(params, "InstanceId")
        return self._instance(listed=False)

    async def ListInstanceEndpoint(self, params: Params) -> dict[str, Any]:
        _required(params, "InstanceId")
        host = self.ctx.registry_host
        port = host.rsplit(":", 1)[-1]
        vpc_host = f"localhost:{port}"
        return {
            "Endpoints": [
                {
                    "EndpointType": "internet",
                    "Enable": True,
                    "Status": "RUNNING",
                    "AclEnable": False,
                    "Domains": [{"Domain": host, "Type": "SYSTEM"}],
                    "AclEntries": [],
                    "LinkedVpcs": [],
                },
                {
                    "EndpointType": "vpc",
                    "Enable": True,
                    "Status": "RUNNING",
                    "Domains": [{"Domain": vpc_host, "Type": "SYSTEM"}],
                    "AclEntries": [],
                    "LinkedVpcs": [{"VpcId": "vpc-local"}],
                },
            ]
        }

    async def GetAuthorizationToken(self, params: Params) -> dict[str, Any]:
        _required(params, "InstanceId")
        token, ttl = self.ctx.auth.issue_login_token()
        return {
            "TempUsername": "cr_temp_user",
            "AuthorizationToken": token,
            "ExpireTime": int((time.time() + ttl) * 1000),
        }

    # -- namespaces --------------------------------------------------------------------------

    @staticmethod
    def _ns_doc(row: sqlite3.Row) -> dict[str, Any]:
        return {
            "NamespaceId": row["id"],
            "NamespaceName": row["name"],
            "NamespaceStatus": "NORMAL",
            "InstanceId": INSTANCE_ID,
            "AutoCreateRepo": bool(row["auto_create_repo"]),
            "DefaultRepoType": row["default_repo_type"],
            "DefaultRepoConfiguration": {"RepoType": row["default_repo_type"]},
            "ResourceGroupId": "",
        }

    async def ListNamespace(self, params: Params) -> dict[str, Any]:
        _required(params, "InstanceId")
        page_no = _int(params, "PageNo", 1)
        page_size = _int(params, "PageSize", 30, high=100)
        name = params.get("NamespaceName")
        status = params.get("NamespaceStatus")
        rows = await self.ctx.db.fetchall("SELECT * FROM namespaces ORDER BY name")
        docs = [self._ns_doc(r) for r in rows if not name or r["name"] == name]
        if status and status not in ("NORMAL", "ALL"):
            docs = []
        start = (page_no - 1) * page_size
        return {
            "Namespaces": docs[start : start + page_size],
            "PageNo": page_no,
            "PageSize": page_size,
            "TotalCount": str(len(docs)),
        }

    async def GetNamespace(self, params: Params) -> dict[str, Any]:
        return self._ns_doc(await self._namespace(params))

    async def CreateNamespace(self, params: Params) -> dict[str, Any]:
        name = _required(params, "NamespaceName")
        if not _NS_RE.match(name):
            raise ApiError(400, "InvalidParameter", f"invalid namespace name {name[:80]!r}")
        auto = _bool(params, "AutoCreateRepo", True)
        repo_type = params.get("DefaultRepoType", "PRIVATE").upper()
        if repo_type not in ("PUBLIC", "PRIVATE"):
            raise ApiError(400, "InvalidParameter", "DefaultRepoType is PUBLIC or PRIVATE")
        ns_id = new_id("crn-")

        def write(conn: sqlite3.Connection) -> None:
            try:
                conn.execute(
                    "INSERT INTO namespaces (id, name, auto_create_repo, default_repo_type, "
                    "created) VALUES (?, ?, ?, ?, ?)",
                    (ns_id, name, int(auto), repo_type, int(time.time() * 1000)),
                )
            except sqlite3.IntegrityError:
                raise BusinessError(
                    "NAMESPACE_ALREADY_EXIST", f"namespace {name} already exists"
                ) from None

        await self.ctx.db.run(write)
        return {"NamespaceId": ns_id}

    async def UpdateNamespace(self, params: Params) -> dict[str, Any]:
        row = await self._namespace(params)
        auto = _bool(params, "AutoCreateRepo", bool(row["auto_create_repo"]))
        repo_type = params.get("DefaultRepoType", row["default_repo_type"]).upper()
        await self.ctx.db.execute(
            "UPDATE namespaces SET auto_create_repo = ?, default_repo_type = ? WHERE id = ?",
            (int(auto), repo_type, row["id"]),
        )
        return {}

    async def DeleteNamespace(self, params: Params) -> dict[str, Any]:
        row = await self._namespace(params)
        repos = await self.ctx.db.fetchone(
            "SELECT COUNT(*) AS n FROM repositories WHERE namespace = ?", (row["name"],)
        )
        if repos is not None and repos["n"]:
            raise BusinessError(
                "NAMESPACE_NOT_EMPTY", f"namespace {row['name']} still has repositories"
            )
        await self.ctx.db.execute("DELETE FROM namespaces WHERE id = ?", (row["id"],))
        return {}

    # -- repositories -------------------------------------------------------------------------

    async def ListRepository(self, params: Params) -> dict[str, Any]:
        _required(params, "InstanceId")
        page_no = _int(params, "PageNo", 1)
        page_size = _int(params, "PageSize", 30, high=100)
        ns = params.get("RepoNamespaceName")
        name = params.get("RepoName")
        sql = "SELECT * FROM repositories WHERE 1=1"
        args: list[Any] = []
        if ns:
            sql += " AND namespace = ?"
            args.append(ns)
        if name:
            sql += " AND name = ?"
            args.append(name)
        rows = await self.ctx.db.fetchall(sql + " ORDER BY namespace, name", tuple(args))
        start = (page_no - 1) * page_size
        return {
            "Repositories": [repo_doc(r) for r in rows[start : start + page_size]],
            "PageNo": page_no,
            "PageSize": page_size,
            "TotalCount": str(len(rows)),
        }

    async def GetRepository(self, params: Params) -> dict[str, Any]:
        row = await self._repo(params)
        return {**repo_doc(row), "Detail": row["detail"]}

    async def CreateRepository(self, params: Params) -> dict[str, Any]:
        ns = _required(params, "RepoNamespaceName")
        name = _required(params, "RepoName")
        summary = _required(params, "Summary")
        repo_type = _required(params, "RepoType").upper()
        if repo_type not in ("PUBLIC", "PRIVATE"):
            raise ApiError(400, "InvalidParameter", "RepoType is PUBLIC or PRIVATE")
        if not _REPO_RE.match(name) or "//" in name:
            raise ApiError(400, "InvalidParameter", f"invalid repository name {name[:80]!r}")
        repo_id = new_id("crr-")
        now = int(time.time() * 1000)

        def write(conn: sqlite3.Connection) -> None:
            if conn.execute("SELECT 1 FROM namespaces WHERE name = ?", (ns,)).fetchone() is None:
                raise BusinessError("NAMESPACE_NOT_EXIST", f"namespace {ns} does not exist")
            try:
                conn.execute(
                    "INSERT INTO repositories (id, namespace, name, repo_type, summary, detail, "
                    "tag_immutability, created, modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        repo_id,
                        ns,
                        name,
                        repo_type,
                        summary,
                        params.get("Detail", ""),
                        int(_bool(params, "TagImmutability", False)),
                        now,
                        now,
                    ),
                )
            except sqlite3.IntegrityError:
                raise BusinessError(
                    "REPO_ALREADY_EXIST", f"repository {ns}/{name} already exists"
                ) from None

        await self.ctx.db.run(write)
        return {"RepoId": repo_id}

    async def UpdateRepository(self, params: Params) -> dict[str, Any]:
        row = await self._repo(params)
        summary = _required(params, "Summary")
        repo_type = params.get("RepoType", row["repo_type"]).upper()
        if repo_type not in ("PUBLIC", "PRIVATE"):
            raise ApiError(400, "InvalidParameter", "RepoType is PUBLIC or PRIVATE")
        await self.ctx.db.execute(
            "UPDATE repositories SET summary = ?, repo_type = ?, detail = ?, "
            "tag_immutability = ?, modified = ? WHERE id = ?",
            (
                summary,
                repo_type,
                params.get("Detail", row["detail"]),
                int(_bool(params, "TagImmutability", bool(row["tag_immutability"]))),
                int(time.time() * 1000),
                row["id"],
            ),
        )
        return {}

    async def DeleteRepository(self, params: Params) -> dict[str, Any]:
        row = await self._repo(params)
        full = f"{row['namespace']}/{row['name']}"

        def write(conn: sqlite3.Connection) -> None:
            for table in ("tags", "manifests", "manifest_refs", "repo_blobs", "uploads"):
                conn.execute(f"DELETE FROM {table} WHERE repo = ?", (full,))
            conn.execute(
                "DELETE FROM build_rules WHERE scope_type = 'REPOSITORY' AND scope_id = ?",
                (row["id"],),
            )
            conn.execute("DELETE FROM repositories WHERE id = ?", (row["id"],))

        await self.ctx.db.run(write)
        self.ctx.bus.publish("repository.deleted", repo=full, repoId=row["id"])
        await self.ctx.images_deleted(full)
        return {}

    # -- tags -------------------------------------------------------------------------------

    async def _tag_rows(self, full: str, tag: str | None = None) -> list[sqlite3.Row]:
        sql = (
            "SELECT t.tag, t.digest, t.created, t.updated, m.config_digest, m.image_size, "
            "m.media_type FROM tags t LEFT JOIN manifests m "
            "ON m.repo = t.repo AND m.digest = t.digest WHERE t.repo = ?"
        )
        args: tuple[Any, ...] = (full,)
        if tag is not None:
            sql += " AND t.tag = ?"
            args = (full, tag)
        return await self.ctx.db.fetchall(sql + " ORDER BY t.updated DESC, t.tag", args)

    @staticmethod
    def _image_id(row: sqlite3.Row) -> str:
        config = row["config_digest"] or row["digest"]
        return str(config).split(":", 1)[-1]

    async def ListRepoTag(self, params: Params) -> dict[str, Any]:
        _required(params, "InstanceId")
        row = await self._repo(params)
        page_no = _int(params, "PageNo", 1)
        page_size = _int(params, "PageSize", 30, high=100)
        rows = await self._tag_rows(f"{row['namespace']}/{row['name']}")
        start = (page_no - 1) * page_size
        images = [
            {
                "Tag": r["tag"],
                "Digest": str(r["digest"]).split(":", 1)[-1],
                "ImageId": self._image_id(r),
                "ImageSize": int(r["image_size"] or 0),
                "ImageCreate": str(r["created"]),
                "ImageUpdate": str(r["updated"]),
                "Status": "NORMAL",
            }
            for r in rows[start : start + page_size]
        ]
        return {
            "Images": images,
            "PageNo": page_no,
            "PageSize": page_size,
            "TotalCount": str(len(rows)),
        }

    async def GetRepoTag(self, params: Params) -> dict[str, Any]:
        row = await self._repo(params)
        tag = _required(params, "Tag")
        rows = await self._tag_rows(f"{row['namespace']}/{row['name']}", tag)
        if not rows:
            raise BusinessError("TAG_NOT_EXIST", f"tag {tag} does not exist")
        r = rows[0]
        return {
            "Tag": r["tag"],
            "Digest": str(r["digest"]).split(":", 1)[-1],
            "ImageId": self._image_id(r),
            "ImageSize": int(r["image_size"] or 0),
            "ImageCreate": int(r["created"]),
            "ImageUpdate": int(r["updated"]),
            "Status": "NORMAL",
        }

    async def DeleteRepoTag(self, params: Params) -> dict[str, Any]:
        row = await self._repo(params)
        tag = _required(params, "Tag")
        full = f"{row['namespace']}/{row['name']}"
        count = await self.ctx.db.execute(
            "DELETE FROM tags WHERE repo = ? AND tag = ?", (full, tag)
        )
        if not count:
            raise BusinessError("TAG_NOT_EXIST", f"tag {tag} does not exist")
        self.ctx.bus.publish("tag.deleted", repo=full, tag=tag)
        await self.ctx.images_deleted(full, (tag,))
        return {}

    # -- artifact build rules -----------------------------------------------------------------

    @staticmethod
    def _rule_doc(row: sqlite3.Row) -> dict[str, Any]:
        try:
            parameters = json.loads(row["parameters"])
        except ValueError:
            parameters = {}
        return {
            "BuildRuleId": row["id"],
            "ScopeType": row["scope_type"],
            "ScopeId": row["scope_id"],
            "ArtifactType": row["artifact_type"],
            "Parameters": {
                "ImageIndexOnly": bool(parameters.get("ImageIndexOnly", False)),
                "PriorityFile": str(parameters.get("PriorityFile", "")),
            },
        }

    async def _check_scope(self, scope_type: str, scope_id: str) -> None:
        if scope_type == "REPOSITORY":
            table = "repositories"
        elif scope_type == "NAMESPACE":
            table = "namespaces"
        else:
            raise ApiError(400, "InvalidParameter", "ScopeType is REPOSITORY or NAMESPACE")
        row = await self.ctx.db.fetchone(f"SELECT 1 FROM {table} WHERE id = ?", (scope_id,))
        if row is None:
            code = "REPO_NOT_EXIST" if scope_type == "REPOSITORY" else "NAMESPACE_NOT_EXIST"
            raise BusinessError(code, f"{scope_type.lower()} {scope_id} does not exist")

    async def CreateArtifactBuildRule(self, params: Params) -> dict[str, Any]:
        _required(params, "InstanceId")
        scope_type = _required(params, "ScopeType")
        scope_id = _required(params, "ScopeId")
        artifact_type = _required(params, "ArtifactType")
        if artifact_type != "ACCELERATED_IMAGE":
            raise ApiError(400, "InvalidParameter", "ArtifactType must be ACCELERATED_IMAGE")
        await self._check_scope(scope_type, scope_id)
        raw = params.get("Parameters") or "{}"
        try:
            parameters = json.loads(raw)
        except ValueError:
            raise ApiError(400, "InvalidParameter", "Parameters must be a JSON object") from None
        if not isinstance(parameters, dict):
            raise ApiError(400, "InvalidParameter", "Parameters must be a JSON object")
        if parameters.get("ImageIndexOnly") in (True, "true"):
            raise BusinessError(
                "UNSUPPORTED_PARAMETER", "index-only acceleration is not available locally"
            )
        rule_id = new_id("crabr-")

        def write(conn: sqlite3.Connection) -> str:
            row = conn.execute(
                "SELECT id FROM build_rules WHERE scope_type = ? AND scope_id = ? "
                "AND artifact_type = ?",
                (scope_type, scope_id, artifact_type),
            ).fetchone()
            if row is not None:
                return str(row["id"])
            conn.execute(
                "INSERT INTO build_rules (id, scope_type, scope_id, artifact_type, parameters, "
                "created) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    rule_id,
                    scope_type,
                    scope_id,
                    artifact_type,
                    json.dumps(parameters),
                    int(time.time() * 1000),
                ),
            )
            return rule_id

        result = await self.ctx.db.run(write)
        self.ctx.bus.publish(
            "rule.created", buildRuleId=result, scopeType=scope_type, scopeId=scope_id
        )
        return {"BuildRuleId": result}

    async def _find_rule(self, params: Params) -> sqlite3.Row:
        rule_id = params.get("BuildRuleId")
        if rule_id:
            row = await self.ctx.db.fetchone("SELECT * FROM build_rules WHERE id = ?", (rule_id,))
        else:
            scope_type = _required(params, "ScopeType")
            scope_id = _required(params, "ScopeId")
            artifact_type = params.get("ArtifactType", "ACCELERATED_IMAGE")
            row = await self.ctx.db.fetchone(
                "SELECT * FROM build_rules WHERE scope_type = ? AND scope_id = ? "
                "AND artifact_type = ?",
                (scope_type, scope_id, artifact_type),
            )
        if row is None:
            raise BusinessError("ARTIFACT_BUILD_RULE_NOT_EXIST", "artifact build rule not found")
        return row

    async def GetArtifactBuildRule(self, params: Params) -> dict[str, Any]:
        _required(params, "InstanceId")
        return self._rule_doc(await self._find_rule(params))

    async def DeleteArtifactBuildRule(self, params: Params) -> dict[str, Any]:
        _required(params, "InstanceId")
        row = await self._find_rule(params)
        await self.ctx.db.execute("DELETE FROM build_rules WHERE id = ?", (row["id"],))
        self.ctx.bus.publish(
            "rule.deleted",
            buildRuleId=row["id"],
            scopeType=row["scope_type"],
            scopeId=row["scope_id"],
        )
        return {}

    # -- artifact build tasks -----------------------------------------------------------------

    async def _task(self, params: Params) -> sqlite3.Row:
        task_id = _required(params, "BuildTaskId")
        row = await self.ctx.db.fetchone("SELECT * FROM tasks WHERE id = ?", (task_id,))
        if row is None:
            raise BusinessError("ARTIFACT_BUILD_TASK_NOT_EXIST", f"task {task_id} not found")
        return row

    async def GetArtifactBuildTask(self, params: Params) -> dict[str, Any]:
        _required(params, "InstanceId")
        return task_doc(await self._task(params))

    async def ListArtifactBuildTaskLog(self, params: Params) -> dict[str, Any]:
        _required(params, "InstanceId")
        row = await self._task(params)
        page = _int(params, "Page", 1)
        page_size = _int(params, "PageSize", 100, high=100)
        total_row = await self.ctx.db.fetchone(
            "SELECT COUNT(*) AS n FROM task_logs WHERE task_id = ?", (row["id"],)
        )
        logs = await self.ctx.db.fetchall(
            "SELECT line, message FROM task_logs WHERE task_id = ? ORDER BY line LIMIT ? OFFSET ?",
            (row["id"], page_size, (page - 1) * page_size),
        )
        return {
            "BuildTaskLogs": [{"LineNumber": r["line"], "Message": r["message"]} for r in logs],
            "TotalCount": int(total_row["n"]) if total_row else 0,
        }

    async def CancelArtifactBuildTask(self, params: Params) -> dict[str, Any]:
        _required(params, "InstanceId")
        row = await self._task(params)
        worker = self.ctx.services.get("worker")
        if row["status"] in ("SUCCESS", "FAILED", "CANCELED"):
            raise BusinessError(
                "ARTIFACT_BUILD_TASK_FINISHED", f"task {row['id']} already {row['status']}"
            )
        if worker is not None:
            await worker.cancel(str(row["id"]))
        return {}


def task_doc(row: sqlite3.Row) -> dict[str, Any]:
    """A build task as GetArtifactBuildTask answers it (plus the local ``Reason``)."""
    return {
        "BuildTaskId": row["id"],
        "ArtifactBuildType": "IMAGE_TO_ACCELERATED_IMAGE",
        "TaskStatus": row["status"],
        "StartTime": int(row["started"] or row["created"]) // 1000,
        "EndTime": int(row["ended"]) // 1000 if row["ended"] else 0,
        "SourceArtifact": {
            "ArtifactType": "IMAGE",
            "RepoId": row["repo_id"],
            "Version": row["source_tag"],
        },
        "TargetArtifact": {
            "ArtifactType": "IMAGE",
            "RepoId": row["repo_id"],
            "Version": row["target_tag"],
        },
        "Instructions": [],
        "Reason": row["reason"],
    }


def acr_routes(api: AcrApi) -> list[Route]:
    return [Route("/", api.dispatch, methods=["GET", "POST"])]
