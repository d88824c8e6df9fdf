"""Container Registry Enterprise Edition client (``cr`` 2018-12-01, RPC style).

All business parameters travel in the query string (as the official SDK sends them, also for
POST); responses carry ``RequestId``, ``Code`` and ``IsSuccess``, and a business failure is an
HTTP 200 with ``IsSuccess: false``, which raises like an HTTP error.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import AsyncIterator, Iterable, Mapping
from typing import Any, TypeVar

import httpx

from core._retry import RetryPolicy
from core.cloud._acceleration import ImageExists
from core.cloud._acr_models import (
    BuildRule,
    BuildTask,
    BuildTaskLogLine,
    ImageTag,
    Instance,
    InstanceEndpoint,
    Namespace,
    RegistryCredentials,
    RegistryHosts,
    Repository,
    parse_count,
)
from core.cloud._api import ApiClientBase, error_from_response
from core.cloud._credentials import Credentials
from core.cloud._endpoints import ACR_API_VERSION, acr_endpoint, registry_hosts_for
from core.cloud._model import ApiModel
from core.cloud._signing import CredentialsSource
from core.errors import CloudError, InvalidInput, InvalidReference, ResourceNotFound
from core.oci import ImageReference

__all__ = ["ACCELERATED_IMAGE", "ACRClient", "decode_priority_file", "encode_priority_file"]

ACCELERATED_IMAGE = "ACCELERATED_IMAGE"
_M = TypeVar("_M", bound=ApiModel)
_GET_ACTIONS = frozenset(
    {"GetArtifactBuildRule", "GetArtifactBuildTask", "ListArtifactBuildTaskLog", "GetRepoTag"}
)


def encode_priority_file(paths: Iterable[str]) -> str:
    """An acceleration rule's ``Parameters.PriorityFile``: the files to prefetch, one absolute
    path per line, base64-encoded (as ``GetArtifactBuildRule`` describes it)."""
    lines = ["/" + p.strip().lstrip("/") for p in paths if p.strip()]
    if any("\n" in line or "\r" in line for line in lines):
        raise InvalidInput("a priority file path must not contain a line break")
    return base64.b64encode(("\n".join(lines) + "\n").encode()).decode() if lines else ""


def decode_priority_file(value: str) -> tuple[str, ...]:
    """The absolute paths of a ``PriorityFile`` value, in order (empty for ``""``)."""
    if not value:
        return ()
    try:
        text = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"PriorityFile is not base64 text: {exc}") from exc
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def _is_failure(body: Mapping[str, Any]) -> bool:
    if body.get("IsSuccess") is False:
        return True
    if body.get("IsSuccess") is True:
        return False
    code = body.get("Code")
    return bool(code) and str(code).lower() != "success"


class ACRClient:
    """Async ACR EE client over an injected ``httpx.AsyncClient``.

    ``endpoint`` is the RPC base URL (``https://cr.<region>.aliyuncs.com/``, or the Local
    server's base URL); `for_region` fills it in.
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        credentials: Credentials | CredentialsSource,
        *,
        endpoint: str,
        region: str | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._api = ApiClientBase(http, credentials, retry=retry, service="acr")
        self.endpoint = endpoint if endpoint.endswith("/") else endpoint + "/"
        self.region = region
        self._hosts: dict[str, RegistryHosts] = {}

    @classmethod
    def for_region(
        cls,
        http: httpx.AsyncClient,
        credentials: Credentials | CredentialsSource,
        region: str,
        *,
        endpoint: str | None = None,
        retry: RetryPolicy | None = None,
    ) -> ACRClient:
        return cls(
            http, credentials, endpoint=endpoint or acr_endpoint(region), region=region, retry=retry
        )

    def __repr__(self) -> str:
        return f"ACRClient(endpoint={self.endpoint!r})"

    # -- transport ---------------------------------------------------------------------------

    async def call(self, action: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Run one RPC action; ``params`` values are stringified as the official Python SDK
        stringifies them (``str``: booleans ``True``/``False``; objects as compact JSON)."""
        query: dict[str, str] = {}
        for key, value in (params or {}).items():
            if value is None:
                continue
            if isinstance(value, dict | list):
                query[key] = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
            else:
                query[key] = str(value)
        method = "GET" if action in _GET_ACTIONS else "POST"
        response = await self._api._send(
            method,
            self.endpoint,
            action=action,
            version=ACR_API_VERSION,
            params=query,
            idempotent=method == "GET" or action.startswith(("Get", "List")),
        )
        try:
            body = response.json()
        except ValueError as exc:
            raise CloudError(
                f"{action}: the service answered with a body that is not JSON",
                code="InvalidResponse",
                status=response.status_code,
            ) from exc
        if not isinstance(body, dict):
            raise CloudError(f"{action}: unexpected response shape", code="InvalidResponse")
        if _is_failure(body):
            raise error_from_response(response, body=body, secrets=self._api._secrets())
        return body

    async def _pages(
        self,
        action: str,
        params: Mapping[str, Any],
        key: str,
        model: type[_M],
        *,
        page_size: int,
        page_param: str = "PageNo",
    ) -> AsyncIterator[_M]:
        if not 1 <= page_size <= 100:
            raise CloudError("PageSize must be 1-100", code="InvalidArgument")
        page = 1
        while True:
            body = await self.call(action, {**params, page_param: page, "PageSize": page_size})
            items = body.get(key) or []
            for raw in items:
                if isinstance(raw, Mapping):
                    yield model.from_json(raw)
            total = parse_count(body.get("TotalCount"))
            if not items:
                return
            if total is not None and page * page_size >= total:
                return
            if total is None and len(items) < page_size:
                return
            page += 1

    # -- instances ---------------------------------------------------------------------------

    def list_instances(
        self, *, status: str | None = None, page_size: int = 30
    ) -> AsyncIterator[Instance]:
        return self._pages(
            "ListInstance",
            {"InstanceStatus": status},
            "Instances",
            Instance,
            page_size=page_size,
        )

    async def get_instance(self, instance_id: str) -> Instance:
        return Instance.from_json(
            _strip(await self.call("GetInstance", {"InstanceId": instance_id}))
        )

    async def list_instance_endpoints(
        self, instance_id: str, *, module: str = "Registry"
    ) -> list[InstanceEndpoint]:
        body = await self.call(
            "ListInstanceEndpoint", {"InstanceId": instance_id, "ModuleName": module}
        )
        return [InstanceEndpoint.from_json(e) for e in body.get("Endpoints") or []]

    async def registry_hosts(self, instance_id: str) -> RegistryHosts:
        """Public and VPC registry hosts of an instance (from ListInstanceEndpoint, else the
        documented ``<name>-registry[-vpc].<region>.cr.aliyuncs.com``)."""
        cached = self._hosts.get(instance_id)
        if cached is not None:
            return cached
        public = vpc = None
        try:
            endpoints = await self.list_instance_endpoints(instance_id)
        except ResourceNotFound:
            raise
        except CloudError:
            endpoints = []
        for endpoint in endpoints:
            kind = (endpoint.endpoint_type or "").lower()
            if endpoint.enable is False:
                continue
            if kind == "internet" and public is None:
                public = endpoint.domain()
            elif kind == "vpc" and vpc is None:
                vpc = endpoint.domain()
        if public is None and vpc is None:
            instance = await self.get_instance(instance_id)
            region = instance.region_id or self.region
            if instance.instance_name and region:
                public, vpc = registry_hosts_for(instance.instance_name, region)
        hosts = RegistryHosts(public, vpc)
        self._hosts[instance_id] = hosts
        return hosts

    async def get_authorization_token(self, instance_id: str) -> RegistryCredentials:
        """Temporary registry credentials for pulls/pushes (``docker login``)."""
        body = await self.call("GetAuthorizationToken", {"InstanceId": instance_id})
        username = str(body.get("TempUsername") or "")
        token = str(body.get("AuthorizationToken") or "")
        if not username or not token:
            raise CloudError(
                "GetAuthorizationToken returned no credentials", code="InvalidResponse"
            )
        return RegistryCredentials(username, token, parse_count(body.get("ExpireTime")))

    # -- namespaces, repositories, tags ------------------------------------------------------

    def list_namespaces(
        self,
        instance_id: str,
        *,
        name: str | None = None,
        status: str | None = None,
        page_size: int = 30,
    ) -> AsyncIterator[Namespace]:
        return self._pages(
            "ListNamespace",
            {"InstanceId": instance_id, "NamespaceName": name, "NamespaceStatus": status},
            "Namespaces",
            Namespace,
            page_size=page_size,
        )

    def list_repositories(
        self,
        instance_id: str,
        *,
        namespace: str | None = None,
        name: str | None = None,
        status: str | None = None,
        page_size: int = 30,
    ) -> AsyncIterator[Repository]:
        return self._pages(
            "ListRepository",
            {
                "InstanceId": instance_id,
                "RepoNamespaceName": namespace,
                "RepoName": name,
                "RepoStatus": status,
            },
            "Repositories",
            Repository,
            page_size=page_size,
        )

    async def get_repository(
        self,
        instance_id: str,
        *,
        repo_id: str | None = None,
        namespace: str | None = None,
        name: str | None = None,
    ) -> Repository:
        if not repo_id and not (namespace and name):
            raise CloudError("give repo_id or namespace and name", code="InvalidArgument")
        body = await self.call(
            "GetRepository",
            {
                "InstanceId": instance_id,
                "RepoId": repo_id,
                "RepoNamespaceName": None if repo_id else namespace,
                "RepoName": None if repo_id else name,
            },
        )
        return Repository.from_json(_strip(body))

    async def create_repository(
        self,
        instance_id: str,
        namespace: str,
        name: str,
        *,
        repo_type: str = "PRIVATE",
        summary: str = "",
        detail: str | None = None,
        tag_immutability: bool | None = None,
    ) -> str:
        """Create a repository; returns its ``RepoId``."""
        body = await self.call(
            "CreateRepository",
            {
                "InstanceId": instance_id,
                "RepoNamespaceName": namespace,
                "RepoName": name,
                "RepoType": repo_type,
                "Summary": summary or name,
                "Detail": detail,
                "TagImmutability": tag_immutability,
            },
        )
        return str(body.get("RepoId") or "")

    def list_tags(
        self, instance_id: str, repo_id: str, *, page_size: int = 100
    ) -> AsyncIterator[ImageTag]:
        return self._pages(
            "ListRepoTag",
            {"InstanceId": instance_id, "RepoId": repo_id},
            "Images",
            ImageTag,
            page_size=page_size,
        )

    async def get_tag(self, instance_id: str, repo_id: str, tag: str) -> ImageTag:
        body = await self.call(
            "GetRepoTag", {"InstanceId": instance_id, "RepoId": repo_id, "Tag": tag}
        )
        return ImageTag.from_json(_strip(body))

    async def tag_exists(self, instance_id: str, repo_id: str, tag: str) -> bool:
        try:
            found = await self.get_tag(instance_id, repo_id, tag)
        except ResourceNotFound:
            return False
        return bool(found.tag or found.digest)

    # -- acceleration (artifact build rules and tasks) ---------------------------------------

    def _scope(self, instance_id: str, repo_id: str) -> dict[str, Any]:
        return {
            "InstanceId": instance_id,
            "ScopeType": "REPOSITORY",
            "ScopeId": repo_id,
            "ArtifactType": ACCELERATED_IMAGE,
        }

    async def create_acceleration_rule(
        self, instance_id: str, repo_id: str, *, parameters: Mapping[str, Any] | None = None
    ) -> str:
        """Switch image acceleration on for a repository; returns the ``BuildRuleId``.

        Only images pushed afterwards are converted by the cloud; existing tags need a manual
        conversion (`LocalExtensions.convert` on the Local server)."""
        body = await self.call(
            "CreateArtifactBuildRule",
            {**self._scope(instance_id, repo_id), "Parameters": dict(parameters or {})},
        )
        return str(body.get("BuildRuleId") or "")

    async def set_priority_file(
        self, instance_id: str, repo_id: str, paths: Iterable[str]
    ) -> tuple[str, BuildRule | None]:
        """Make the repository's acceleration rule prefetch ``paths`` (``PriorityFile``).

        There is no API that updates a rule: an existing one is deleted and created again
        with its other parameters and the new list. Returns the new ``BuildRuleId`` and the
        rule it replaced (``None`` when acceleration was off)."""
        value = encode_priority_file(paths)
        if not value:
            raise InvalidInput("the priority file list is empty")
        previous = await self.get_acceleration_rule(instance_id, repo_id)
        parameters = dict(previous.parameters or {}) if previous is not None else {}
        parameters["PriorityFile"] = value
        if previous is not None:
            await self.delete_acceleration_rule(instance_id, repo_id)
        rule_id = await self.create_acceleration_rule(instance_id, repo_id, parameters=parameters)
        return rule_id, previous

    async def get_acceleration_rule(self, instance_id: str, repo_id: str) -> BuildRule | None:
        """The repository's acceleration rule, or ``None`` when acceleration is off."""
        try:
            body = await self.call("GetArtifactBuildRule", self._scope(instance_id, repo_id))
        except ResourceNotFound:
            return None
        rule = BuildRule.from_json(_strip(body))
        return rule if rule.build_rule_id else None

    async def delete_acceleration_rule(self, instance_id: str, repo_id: str) -> bool:
        """Switch acceleration off; ``False`` when there was no rule."""
        try:
            await self.call("DeleteArtifactBuildRule", self._scope(instance_id, repo_id))
        except ResourceNotFound:
            return False
        return True

    async def get_build_task(self, instance_id: str, task_id: str) -> BuildTask:
        body = await self.call(
            "GetArtifactBuildTask", {"InstanceId": instance_id, "BuildTaskId": task_id}
        )
        return BuildTask.from_json(_strip(body))

    def list_build_task_logs(
        self, instance_id: str, task_id: str, *, page_size: int = 100
    ) -> AsyncIterator[BuildTaskLogLine]:
        return self._pages(
            "ListArtifactBuildTaskLog",
            {"InstanceId": instance_id, "BuildTaskId": task_id},
            "BuildTaskLogs",
            BuildTaskLogLine,
            page_size=page_size,
            page_param="Page",
        )

    async def cancel_build_task(self, instance_id: str, task_id: str) -> None:
        await self.call(
            "CancelArtifactBuildTask", {"InstanceId": instance_id, "BuildTaskId": task_id}
        )

    # -- images ------------------------------------------------------------------------------

    async def find_instance_for_host(self, host: str) -> Instance | None:
        """The instance serving registry ``host`` (public or VPC), if it is in this region."""
        async for instance in self.list_instances():
            if not instance.instance_id:
                continue
            hosts = await self.registry_hosts(instance.instance_id)
            if host in (hosts.public, hosts.vpc):
                return instance
        return None

    def image_exists(self, instance_id: str | None = None) -> ImageExists:
        """A lookup ``async (image) -> bool | None`` for `acceleration_status`.

        ``None`` means it cannot tell (image in another registry, lookup failed).
        """

        async def exists(image: str) -> bool | None:
            try:
                ref = ImageReference.parse(image, default_tag=None)
            except InvalidReference:
                return None
            if "/" not in ref.repository or ref.tag is None:
                return None
            instance = instance_id
            if instance is None:
                found = await self.find_instance_for_host(ref.registry)
                if found is None:
                    return None
                instance = found.instance_id
            assert instance is not None
            namespace, _, name = ref.repository.partition("/")
            try:
                repo = await self.get_repository(instance, namespace=namespace, name=name)
            except ResourceNotFound:
                return False
            if not repo.repo_id:
                return None
            return await self.tag_exists(instance, repo.repo_id, ref.tag)

        return exists


_ENVELOPE = ("RequestId", "Code", "IsSuccess", "Message")


def _strip(body: Mapping[str, Any]) -> dict[str, Any]:
    """A response body without the RPC envelope, for flat models."""
    return {k: v for k, v in body.items() if k not in _ENVELOPE}
