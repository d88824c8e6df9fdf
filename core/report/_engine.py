"""The report engine: every function of every (profile, region) target, its image and the
state of its ``_accelerated`` twin, and what is wrong.

How each fact is found (same code for the Local server and Alibaba Cloud):

* functions: ``ListFunctions`` then ``GetFunction`` (state, last update) per function;
* the image's registry: the ACR instance whose public or VPC host is the image's host
  (``ListInstance`` + ``ListInstanceEndpoint``); any other host is a *foreign* registry read
  with the credentials the caller supplies for it (``foreign_auth``), else anonymously. On the
  Local profile a loopback host where nothing listens is the Local server under an earlier
  address (the server resolves every loopback host to itself);
* tags, digests and times: ``GetRepository`` / ``GetRepoTag`` (foreign: ``HEAD`` manifest);
* acceleration on: an ``ACCELERATED_IMAGE`` build rule at repository or namespace scope;
* the digest a twin was converted from: the twin manifest's
  ``io.github.fcdesk.accelerated.source-digest`` annotation (`core.convert`), read through the
  registry with a temporary login (``GetAuthorizationToken``); a twin without it (converted
  by the cloud) is compared by time instead (source tag updated after the twin);
* conversions and their failure reasons: the Local server's task list (the cloud has no API
  that lists tasks, so ``twin-failed`` needs the Local server).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

import httpx

from core import is_accelerated_tag, source_tag_of, twin_tag_of
from core._progress import Progress, ProgressCallback, emit
from core.cloud import (
    ACCELERATED_IMAGE,
    BuildRule,
    BuildTask,
    CustomContainerConfig,
    Function,
    ImageTag,
    Instance,
    InstanceEndpoint,
    ProfileClients,
    Repository,
)
from core.convert import ANNOTATION_FORMAT, ANNOTATION_SOURCE_DIGEST
from core.errors import (
    AuthError,
    CloudError,
    CoreError,
    CredentialsError,
    InvalidReference,
    NotFound,
    RegistryError,
    ResourceNotFound,
    SignatureError,
    TransportError,
)
from core.oci import (
    DOCKER_MANIFEST_LIST,
    OCI_INDEX,
    Descriptor,
    ImageReference,
    Index,
    Manifest,
    is_loopback_host,
)
from core.registry import RegistryClient
from core.report._model import (
    FIX_FOR,
    Finding,
    FixKind,
    FunctionRow,
    ProblemCode,
    Report,
    TargetError,
    TargetKey,
    TwinState,
    UnreadableReason,
)
from core.report._rules import BASIC_EDITION, parse_registry_host, size_limit

__all__ = ["ForeignAuth", "ReportTarget", "build_report", "check_image", "inspect_target"]

T = TypeVar("T")

#: ``host -> (username, password)`` for registries that are not the profile's own.
ForeignAuth = Callable[[str], tuple[str, str] | None]

#: A cloud twin missing this long after its source tag was pushed counts as never converted.
CLOUD_CONVERSION_GRACE = 3600.0


@dataclass(frozen=True, slots=True)
class ReportTarget:
    """One (profile, region) to inspect: its API clients and the HTTP client they share.

    ``clients.local`` set means the Local server (tasks, convert-now). ``foreign_auth`` gives
    credentials for registries other than the profile's ACR instances (plain OCI registry
    profiles); ``None`` reads them anonymously.
    """

    key: TargetKey
    clients: ProfileClients
    http: httpx.AsyncClient
    foreign_auth: ForeignAuth | None = None

    @property
    def is_local(self) -> bool:
        return self.clients.local is not None


class _Memo:
    """Async memoisation: concurrent callers of one key share one call (and its error)."""

    def __init__(self) -> None:
        self._futures: dict[Hashable, asyncio.Future[Any]] = {}

    async def get(self, key: Hashable, factory: Callable[[], Awaitable[T]]) -> T:
        fut = self._futures.get(key)
        if fut is not None:
            result: T = await asyncio.shield(fut)
            return result
        fut = asyncio.get_running_loop().create_future()
        self._futures[key] = fut
        try:
            value = await factory()
        except asyncio.CancelledError:
            del self._futures[key]
            fut.cancel()
            raise
        except BaseException as exc:
            fut.set_exception(exc)
            fut.exception()  # retrieved: only the awaiters see it
            raise
        fut.set_result(value)
        return value


@dataclass(frozen=True, slots=True)
class _AcrSite:
    instance_id: str
    read_host: str  # the host this machine reads from (the public one when there is one)


@dataclass(frozen=True, slots=True)
class _ForeignSite:
    host: str


_Site = _AcrSite | _ForeignSite


class _Unreadable(Exception):
    """Internal control flow of the row builder (never escapes this module)."""

    def __init__(self, reason: UnreadableReason, code: str = "", message: str = "") -> None:
        super().__init__(message)
        self.reason = reason
        self.code = code
        self.message = message


def _unreadable_from(exc: CoreError) -> _Unreadable:
    status = getattr(exc, "status", None)
    if isinstance(exc, InvalidReference):
        reason = UnreadableReason.INVALID_REFERENCE
    elif (
        isinstance(exc, AuthError | CredentialsError | SignatureError)
        or status in (401, 403)
        or (isinstance(exc, CloudError) and exc.code.startswith(("Forbidden", "NoPermission")))
    ):
        reason = UnreadableReason.AUTH
    elif isinstance(exc, NotFound | ResourceNotFound) or status == 404:
        reason = UnreadableReason.NOT_FOUND
    elif isinstance(exc, TransportError):
        reason = UnreadableReason.UNREACHABLE
    else:
        reason = UnreadableReason.ERROR
    return _Unreadable(reason, exc.code, str(exc))


def _ms(value: int | None) -> float | None:
    return value / 1000.0 if value else None


class Inspector:
    """Looks facts up for one target, remembering them for the whole report run."""

    def __init__(self, target: ReportTarget, *, now: float | None = None) -> None:
        self.target = target
        self.acr = target.clients.acr
        self.now = time.time() if now is None else now
        self._memo = _Memo()

    # -- where an image lives ---------------------------------------------------------------

    async def _instances(self) -> list[tuple[str, str | None, str | None]]:
        async def load() -> list[tuple[str, str | None, str | None]]:
            out = []
            if self.target.clients.acr_instance_id:
                ids = [self.target.clients.acr_instance_id]
            else:
                ids = [i.instance_id async for i in self.acr.list_instances() if i.instance_id]
            for iid in ids:
                hosts = await self.acr.registry_hosts(iid)
                out.append((iid, hosts.public, hosts.vpc))
            return out

        return await self._memo.get("instances", load)

    async def site_for(self, host: str) -> _Site:
        async def load() -> _Site:
            instances = await self._instances()
            for iid, public, vpc in instances:
                if host in (public, vpc):
                    return _AcrSite(iid, public or vpc or host)
            if self.target.is_local and is_loopback_host(host) and len(instances) == 1:
                # Nothing listening there: the Local server under an earlier port.
                probe = RegistryClient(host, http=self.target.http)
                try:
                    await probe.ping()
                except TransportError:
                    iid, public, vpc = instances[0]
                    return _AcrSite(iid, public or vpc or host)
                except RegistryError:
                    pass
            return _ForeignSite(host)

        return await self._memo.get(("site", host), load)

    async def registry(self, site: _Site) -> RegistryClient:
        async def load() -> RegistryClient:
            if isinstance(site, _AcrSite):
                login = await self.acr.get_authorization_token(site.instance_id)
                return RegistryClient(
                    site.read_host,
                    credentials=(login.username, login.password),
                    http=self.target.http,
                )
            auth = self.target.foreign_auth(site.host) if self.target.foreign_auth else None
            return RegistryClient(site.host, credentials=auth, http=self.target.http)

        key = ("registry", site)
        return await self._memo.get(key, load)

    # -- ACR facts --------------------------------------------------------------------------

    async def repository(self, site: _AcrSite, path: str) -> Repository:
        namespace, _, name = path.partition("/")

        async def load() -> Repository:
            if not name or "/" in name:
                raise ResourceNotFound(
                    f"{path} is not a namespace/name repository", code="REPO_NOT_EXIST"
                )
            repo = await self.acr.get_repository(site.instance_id, namespace=namespace, name=name)
            if not repo.repo_id:
                raise ResourceNotFound(f"repository {path} has no id", code="REPO_NOT_EXIST")
            return repo

        return await self._memo.get(("repo", site.instance_id, path), load)

    async def tag(self, site: _AcrSite, repo: Repository, tag: str) -> ImageTag | None:
        async def load() -> ImageTag | None:
            assert repo.repo_id is not None
            try:
                found = await self.acr.get_tag(site.instance_id, repo.repo_id, tag)
            except ResourceNotFound:
                return None
            return found if (found.tag or found.digest) else None

        return await self._memo.get(("tag", site.instance_id, repo.repo_id, tag), load)

    async def repo_rule(self, site: _AcrSite, repo: Repository) -> BuildRule | None:
        """The repository-scope acceleration rule (``None``: none); raises `CloudError`."""

        async def load() -> BuildRule | None:
            assert repo.repo_id is not None
            return await self.acr.get_acceleration_rule(site.instance_id, repo.repo_id)

        return await self._memo.get(("repo-rule", site.instance_id, repo.repo_id), load)

    async def instance(self, site: _AcrSite) -> Instance | None:
        """The instance (edition, status), ``None`` when it cannot be read."""

        async def load() -> Instance | None:
            try:
                return await self.acr.get_instance(site.instance_id)
            except CloudError:
                return None

        return await self._memo.get(("instance", site.instance_id), load)

    async def endpoints(self, site: _AcrSite) -> list[InstanceEndpoint]:
        async def load() -> list[InstanceEndpoint]:
            try:
                return await self.acr.list_instance_endpoints(site.instance_id)
            except CloudError:
                return []

        return await self._memo.get(("endpoints", site.instance_id), load)

    async def head(self, site: _Site, path: str, reference: str) -> Descriptor | None:
        """``HEAD`` of a manifest, once per report: thousands of functions share few images
        (and a registry may check a password hash on every request)."""

        async def load() -> Descriptor | None:
            registry = await self.registry(site)
            return await registry.head_manifest(path, reference)

        return await self._memo.get(("head", site, path, reference), load)

    async def manifest(self, site: _Site, path: str, reference: str) -> Manifest | Index:
        """A manifest (or index), once per report."""

        async def load() -> Manifest | Index:
            registry = await self.registry(site)
            return await registry.get_manifest(path, reference)

        return await self._memo.get(("manifest", site, path, reference), load)

    async def is_index(self, site: _Site, path: str, tag: str) -> bool | None:
        """Whether ``path:tag`` is a multi-platform image index (``None``: unknown)."""

        async def load() -> bool | None:
            try:
                found = await self.head(site, path, tag)
            except CoreError:
                return None
            return None if found is None else found.media_type in (OCI_INDEX, DOCKER_MANIFEST_LIST)

        return await self._memo.get(("is-index", site, path, tag), load)

    async def acceleration_on(self, site: _AcrSite, repo: Repository, path: str) -> bool | None:
        """A rule at repository scope, else at namespace scope; ``None`` when unknown."""

        async def load() -> bool | None:
            assert repo.repo_id is not None
            try:
                if await self.repo_rule(site, repo):
                    return True
            except CloudError:
                return None
            namespace = repo.repo_namespace_name or path.partition("/")[0]
            try:
                ns_id = None
                async for ns in self.acr.list_namespaces(site.instance_id, name=namespace):
                    if ns.namespace_name == namespace:
                        ns_id = ns.namespace_id
                        break
                if not ns_id:
                    return False
                body = await self.acr.call(
                    "GetArtifactBuildRule",
                    {
                        "InstanceId": site.instance_id,
                        "ScopeType": "NAMESPACE",
                        "ScopeId": ns_id,
                        "ArtifactType": ACCELERATED_IMAGE,
                    },
                )
            except ResourceNotFound:
                return False
            except CloudError:
                # Namespace-scope rules are not documented for every edition: a refusal
                # here means "no namespace rule", the repository answer stands.
                return False
            return bool(body.get("BuildRuleId"))

        return await self._memo.get(("rule", site.instance_id, repo.repo_id), load)

    async def last_task(self, path: str, source_tag: str) -> BuildTask | None:
        local = self.target.clients.local
        if local is None:
            return None

        async def load() -> BuildTask | None:
            try:
                tasks = await local.list_tasks(repo=path, tag=source_tag, limit=5)
            except CloudError:
                return None
            return tasks[0] if tasks else None

        return await self._memo.get(("task", path, source_tag), load)

    async def failure_reason(self, site: _AcrSite, task: BuildTask) -> str:
        reason = str((task.extra or {}).get("Reason") or "")
        if reason or not task.build_task_id:
            return reason
        task_id = task.build_task_id

        async def load() -> str:
            lines: list[str] = []
            try:
                async for line in self.acr.list_build_task_logs(site.instance_id, task_id):
                    if line.message:
                        lines.append(line.message)
            except CloudError:
                return ""
            return lines[-1] if lines else ""

        return await self._memo.get(("task-log", site.instance_id, task_id), load)

    async def recorded_source(self, site: _Site, path: str, digest_or_tag: str) -> str:
        """The source digest recorded in a twin's manifest ("" when absent or unreadable)."""

        async def load() -> str:
            try:
                manifest = await self.manifest(site, path, digest_or_tag)
            except CoreError:
                return ""
            return str((manifest.annotations or {}).get(ANNOTATION_SOURCE_DIGEST) or "")

        return await self._memo.get(("recorded", site, path, digest_or_tag), load)


# -- rows ------------------------------------------------------------------------------------


def twin_image(image: str, tag: str, twin_tag: str) -> str:
    """``image`` (which ends with ``tag``) naming ``twin_tag`` instead."""
    return image[: len(image) - len(tag)] + twin_tag


def _stale(
    recorded: str, source_digest: str, source_updated: float | None, twin_updated: float | None
) -> tuple[bool | None, str]:
    """Whether the twin is stale, and the evidence (``digest`` or ``time``)."""
    if recorded and source_digest:
        return recorded != source_digest, "digest"
    if source_updated is not None and twin_updated is not None:
        return source_updated > twin_updated, "time"
    return None, ""


class _RowBuilder:
    def __init__(self, inspector: Inspector, fn: Function) -> None:
        self.inspector = inspector
        self.target = inspector.target
        self.fn = fn
        self.image = fn.image or ""
        self.problems: list[Finding] = []
        self.fields: dict[str, Any] = {}

    def add(
        self,
        code: ProblemCode,
        *,
        since: float | None = None,
        reason: str = "",
        detail: Mapping[str, str] | None = None,
        fix: bool = True,
        blocked: str = "",
    ) -> None:
        kind: FixKind | None = FIX_FOR.get(code) if fix and not blocked else None
        self.problems.append(
            Finding(code, since, reason, dict(detail or {}), kind, "" if kind else blocked)
        )

    def row(self, twin_state: TwinState, runs_accelerated: bool) -> FunctionRow:
        return FunctionRow(
            target=self.target.key,
            function=self.fn.name,
            image=self.image,
            runs_accelerated=runs_accelerated,
            twin_state=twin_state,
            function_state=self.fn.state or "",
            last_update_status=self.fn.last_update_status or "",
            problems=tuple(self.problems),
            **self.fields,
        )

    def unreadable(self, exc: _Unreadable, ref: ImageReference | None) -> FunctionRow:
        detail = {"code": exc.code} if exc.code else {}
        if exc.message:
            detail["message"] = exc.message[:500]
        self.add(ProblemCode.IMAGE_UNREADABLE, reason=exc.reason.value, detail=detail)
        accelerated = bool(ref is not None and is_accelerated_tag(ref.tag))
        return self.row(TwinState.UNKNOWN, accelerated)

    async def build(self) -> FunctionRow:
        try:
            ref = ImageReference.parse(self.image, default_tag=None)
        except InvalidReference as exc:
            return self.unreadable(_unreadable_from(exc), None)
        self.fields.update(registry=ref.registry, repository=ref.repository)
        try:
            site = await self.inspector.site_for(ref.registry)
            if ref.digest is not None:
                return await self._pinned(site, ref)
            tag = ref.tag or "latest"
            source_tag = source_tag_of(tag)
            twin_tag = twin_tag_of(source_tag)
            self.fields.update(tag=tag, source_tag=source_tag, twin_tag=twin_tag)
            if isinstance(site, _AcrSite):
                return await self._acr(site, ref, tag, source_tag, twin_tag)
            if not self.target.is_local:
                self._host_rules(ref)  # said even when the image cannot be read
            return await self._foreign(site, ref, tag, source_tag, twin_tag)
        except _Unreadable as exc:
            return self.unreadable(exc, ref)
        except (CloudError, RegistryError, TransportError, InvalidReference) as exc:
            return self.unreadable(_unreadable_from(exc), ref)

    async def _deployed_digest(
        self, site: _Site, path: str, tag: str, current: str, since: float | None
    ) -> None:
        """Function Compute runs the digest it recorded when the function was deployed
        (``resolvedImageUri``): once the tag points elsewhere the function fails until it is
        redeployed. Not while it is being deployed (an update, or the Local server carrying
        it over to its re-converted twin), nor for an image index (the function may record
        its platform's manifest) or when that cannot be told."""
        deployed = (self.fn.resolved_image_uri or "").rpartition("@")[2]
        if not deployed.startswith("sha256:") or not current or deployed == current:
            return
        if self.fn.is_settling or await self.inspector.is_index(site, path, tag) is not False:
            return
        self.add(
            ProblemCode.REDEPLOY_NEEDED,
            since=since,
            detail={"deployed": deployed, "current": current},
        )

    # -- an image pinned by digest ------------------------------------------------------------

    async def _pinned(self, site: _Site, ref: ImageReference) -> FunctionRow:
        manifest = await self.inspector.manifest(site, ref.repository, str(ref.digest))
        accelerated = bool((manifest.annotations or {}).get(ANNOTATION_FORMAT))
        if isinstance(site, _AcrSite):
            repo = await self.inspector.repository(site, ref.repository)
            on = await self.inspector.acceleration_on(site, repo, ref.repository)
            self.fields["acceleration"] = on
            if on is False:
                self.add(ProblemCode.ACCELERATION_OFF)
        return self.row(TwinState.UNKNOWN, accelerated)

    # -- an ACR instance (Local server or Alibaba Cloud) ----------------------------------------

    async def _acr(
        self, site: _AcrSite, ref: ImageReference, tag: str, source_tag: str, twin_tag: str
    ) -> FunctionRow:
        ins = self.inspector
        path = ref.repository
        repo = await ins.repository(site, path)
        accelerated = tag == twin_tag
        own = await ins.tag(site, repo, tag)
        source = own if not accelerated else await ins.tag(site, repo, source_tag)
        twin = own if accelerated else await ins.tag(site, repo, twin_tag)
        task = await ins.last_task(path, source_tag)
        active = task is not None and task.task_status in ("PENDING", "BUILDING")
        on = await ins.acceleration_on(site, repo, path)
        self.fields.update(
            acceleration=on,
            convert_on_request=self.target.is_local,
            source_digest=(source.oci_digest or "") if source else "",
            twin_digest=(twin.oci_digest or "") if twin else "",
        )
        if own is None and not (accelerated and (active or _failed(task))):
            raise _Unreadable(
                UnreadableReason.NOT_FOUND, "MANIFEST_UNKNOWN", f"{path}:{tag} does not exist"
            )
        if own is not None:
            await self._deployed_digest(site, path, tag, own.oci_digest or "", _ms(own.updated_ms))
        state = TwinState.NONE
        if twin is not None:
            self.fields.update(twin_created=_ms(twin.created_ms), twin_updated=_ms(twin.updated_ms))
            twin_ref = twin.oci_digest or twin_tag
            recorded = await ins.recorded_source(site, path, twin_ref)
            self.fields["recorded_source_digest"] = recorded
            if source is None:
                state = TwinState.SOURCE_GONE
            else:
                stale, evidence = _stale(
                    recorded,
                    source.oci_digest or "",
                    _ms(source.updated_ms),
                    _ms(twin.updated_ms),
                )
                if stale and active:
                    state = TwinState.CONVERTING
                elif stale:
                    state = TwinState.STALE
                    if accelerated:
                        self.add(
                            ProblemCode.STALE_TWIN,
                            since=_ms(source.updated_ms),
                            detail={
                                "evidence": evidence,
                                "recorded": recorded,
                                "current": source.oci_digest or "",
                            },
                        )
                else:
                    state = TwinState.READY
            if not accelerated:
                since = _ms(twin.created_ms) or _ms(twin.updated_ms)
                blocked = "" if state is TwinState.READY else f"twin-{state.value}"
                self.add(ProblemCode.PLAIN_TAG_WITH_TWIN, since=since, blocked=blocked)
        elif active:
            state = TwinState.CONVERTING
        elif _failed(task):
            assert task is not None
            state = TwinState.FAILED
            reason = await ins.failure_reason(site, task)
            self.add(
                ProblemCode.TWIN_FAILED,
                since=task.ended_at,
                reason=reason,
                detail={"task": task.build_task_id or ""},
                fix=False,
            )
        elif on:
            pushed = _ms(source.updated_ms) if source else None
            recent = pushed is not None and self.inspector.now - pushed < CLOUD_CONVERSION_GRACE
            if not self.target.is_local and recent:
                state = TwinState.UNKNOWN  # the cloud may still be converting it
            elif source is not None:
                state = TwinState.NONE
                self.add(ProblemCode.TWIN_MISSING, since=pushed)
        if on is False:
            self.add(ProblemCode.ACCELERATION_OFF)
        if not self.target.is_local:
            await self._cloud_rules(site, ref, repo, source, state)
        return self.row(state, accelerated)

    # -- what the cloud would refuse ----------------------------------------------------------

    def block(self, codes: tuple[ProblemCode, ...], reason: str) -> None:
        """Withhold the fixes of ``codes`` (they cannot help while ``reason`` holds)."""
        self.problems = [
            replace(p, fix=None, fix_blocked=reason) if p.code in codes and p.fix else p
            for p in self.problems
        ]

    async def _cloud_rules(
        self,
        site: _AcrSite,
        ref: ImageReference,
        repo: Repository,
        source: ImageTag | None,
        state: TwinState,
    ) -> None:
        ins = self.inspector
        instance = await ins.instance(site)
        edition = (instance.instance_specification if instance else None) or ""
        if edition == BASIC_EDITION:
            self.add(ProblemCode.EDITION_UNSUPPORTED, detail={"edition": edition}, fix=False)
            self.block(
                (ProblemCode.ACCELERATION_OFF, ProblemCode.TWIN_MISSING), "edition-unsupported"
            )
        try:
            rule = await ins.repo_rule(site, repo)
        except CloudError:
            rule = None
        params = (rule.parameters or {}) if rule is not None else {}
        if rule is not None and str(params.get("ImageIndexOnly", "")).lower() == "true":
            self.add(ProblemCode.INDEX_ONLY, detail={"rule": rule.build_rule_id or ""}, fix=False)
        if state in (TwinState.NONE, TwinState.FAILED, TwinState.UNKNOWN) and source is not None:
            source_tag = self.fields.get("source_tag") or ""
            if await ins.is_index(site, ref.repository, source_tag):
                self.add(ProblemCode.MULTI_ARCH, fix=False)
                self.block((ProblemCode.TWIN_MISSING,), "multi-arch")
            limit = size_limit(edition)
            if limit is not None and source.size and source.size > limit:
                self.add(
                    ProblemCode.TOO_LARGE,
                    detail={"size": str(source.size), "limit": str(limit), "edition": edition},
                    fix=False,
                )
                self.block((ProblemCode.TWIN_MISSING,), "too-large")
        if not self.fn.name:
            return  # an image on its own: how a function pulls it does not apply
        hosts = await self.inspector.acr.registry_hosts(site.instance_id)
        if hosts.vpc and ref.registry == hosts.public and hosts.public != hosts.vpc:
            vpc_image = hosts.vpc + self.image[len(ref.registry) :]
            self.add(ProblemCode.PUBLIC_ENDPOINT, detail={"vpcImage": vpc_image})
        vpc_id = str((self.fn.extra.get("vpcConfig") or {}).get("vpcId") or "")
        if vpc_id and ref.registry == hosts.vpc:
            linked: list[str] = []
            for endpoint in await ins.endpoints(site):
                if (endpoint.endpoint_type or "").lower() == "vpc":
                    linked += [
                        str(v.get("VpcId") or "")
                        for v in endpoint.extra.get("LinkedVpcs") or []
                        if isinstance(v, dict)
                    ]
            if vpc_id not in linked:
                self.add(
                    ProblemCode.VPC_NOT_LINKED,
                    detail={"vpcId": vpc_id, "instance": site.instance_id},
                    fix=False,
                )

    # -- another registry (no rules, no tasks) --------------------------------------------------

    async def _foreign(
        self, site: _ForeignSite, ref: ImageReference, tag: str, source_tag: str, twin_tag: str
    ) -> FunctionRow:
        ins = self.inspector
        path = ref.repository
        accelerated = tag == twin_tag
        own = await ins.head(site, path, tag)
        if own is None:
            raise _Unreadable(
                UnreadableReason.NOT_FOUND, "MANIFEST_UNKNOWN", f"{path}:{tag} does not exist"
            )
        await self._deployed_digest(site, path, tag, str(own.digest), None)
        source = own if not accelerated else await ins.head(site, path, source_tag)
        twin = own if accelerated else await ins.head(site, path, twin_tag)
        self.fields.update(
            source_digest=str(source.digest) if source else "",
            twin_digest=str(twin.digest) if twin else "",
        )
        state = TwinState.NONE
        if twin is not None:
            recorded = await self.inspector.recorded_source(site, path, str(twin.digest))
            self.fields["recorded_source_digest"] = recorded
            if source is None:
                state = TwinState.SOURCE_GONE
            else:
                stale, evidence = _stale(recorded, str(source.digest), None, None)
                if stale is None:
                    state = TwinState.UNKNOWN
                else:
                    state = TwinState.STALE if stale else TwinState.READY
                if stale and accelerated:
                    self.add(
                        ProblemCode.STALE_TWIN,
                        detail={
                            "evidence": evidence,
                            "recorded": recorded,
                            "current": str(source.digest),
                        },
                        blocked="foreign-registry",
                    )
            if not accelerated:
                blocked = "" if state is TwinState.READY else f"twin-{state.value}"
                self.add(ProblemCode.PLAIN_TAG_WITH_TWIN, blocked=blocked)
        return self.row(state, accelerated)

    def _host_rules(self, ref: ImageReference) -> None:
        """An image outside the profile's instances: another region's instance, a Personal
        edition registry or another registry — none of which converts for this function."""
        host = parse_registry_host(ref.registry)
        region = self.target.key.region
        if host.kind == "enterprise" and region and host.region and host.region != region:
            self.add(
                ProblemCode.REGION_MISMATCH,
                detail={"imageRegion": host.region, "region": region, "instance": host.instance},
                fix=False,
            )
        elif host.kind != "enterprise":
            self.add(ProblemCode.NOT_ENTERPRISE, detail={"registry": host.kind}, fix=False)


def _failed(task: BuildTask | None) -> bool:
    return task is not None and task.task_status == "FAILED"


# -- targets ----------------------------------------------------------------------------------


async def inspect_target(
    target: ReportTarget,
    *,
    concurrency: int = 8,
    on_progress: ProgressCallback | None = None,
    now: float | None = None,
    function_details: bool = False,
) -> tuple[list[FunctionRow], list[TargetError]]:
    """Rows for every custom-container function of ``target``, and what failed.

    The rows come from ``ListFunctions`` (name, image, runtime) and the image facts, which
    are looked up once per distinct image: thousands of functions cost about their listing.
    A function's state and last update are only returned by ``GetFunction``; with
    ``function_details`` each function is read once more to fill ``function_state`` and
    ``last_update_status`` (one request per function), otherwise they stay empty.

    Emits ``Progress("report.functions", done, total, item=<target>/<function>)``.
    """
    errors: list[TargetError] = []
    try:
        listed = [fn async for fn in target.clients.fc.list_functions()]
    except CoreError as exc:
        return [], [TargetError(target.key, exc.code, str(exc))]
    inspector = Inspector(target, now=now)
    limit = asyncio.Semaphore(max(1, concurrency))
    total = len(listed)
    done = 0

    async def one(listed_fn: Function) -> FunctionRow | None:
        nonlocal done
        async with limit:
            try:
                fn = listed_fn
                if function_details:
                    try:
                        fn = await target.clients.fc.get_function(listed_fn.name)
                    except ResourceNotFound:
                        return None  # deleted since it was listed
                    except CoreError as exc:
                        errors.append(TargetError(target.key, exc.code, str(exc), listed_fn.name))
                if not fn.is_container and fn.runtime is not None:
                    return None
                return await _RowBuilder(inspector, fn).build()
            finally:
                done += 1
                emit(
                    on_progress,
                    Progress(
                        "report.functions",
                        done,
                        total,
                        item=f"{target.key}/{listed_fn.name}",
                    ),
                )

    emit(on_progress, Progress("report.functions", 0, total, item=str(target.key)))
    # Registry clients share the caller's HTTP client: nothing to close afterwards.
    results = await asyncio.gather(*(one(fn) for fn in listed))
    rows = sorted((r for r in results if r is not None), key=lambda r: r.function)
    return rows, errors


async def build_report(
    targets: Sequence[ReportTarget],
    *,
    concurrency: int = 8,
    on_progress: ProgressCallback | None = None,
    now: float | None = None,
    function_details: bool = False,
) -> Report:
    """The acceleration report over ``targets`` (inspected concurrently).

    A target that cannot be listed becomes a `TargetError`; a function whose image cannot be
    read becomes a row with the ``image-unreadable`` problem. Nothing here raises for a
    service's error answer; cancellation propagates. ``function_details``: see
    :func:`inspect_target`.
    """
    created = time.time() if now is None else now
    results = await asyncio.gather(
        *(
            inspect_target(
                t,
                concurrency=concurrency,
                on_progress=on_progress,
                now=created,
                function_details=function_details,
            )
            for t in targets
        )
    )
    rows: list[FunctionRow] = []
    errors: list[TargetError] = []
    for target_rows, target_errors in results:
        rows.extend(target_rows)
        errors.extend(target_errors)
    return Report(
        created=created,
        targets=tuple(t.key for t in targets),
        rows=tuple(rows),
        errors=tuple(errors),
    )


#: Findings about how a function runs the image: left out when an image is checked alone.
_FUNCTION_ONLY = frozenset(
    {
        ProblemCode.PLAIN_TAG_WITH_TWIN,
        ProblemCode.PUBLIC_ENDPOINT,
        ProblemCode.VPC_NOT_LINKED,
        ProblemCode.REDEPLOY_NEEDED,
    }
)


async def check_image(
    target: ReportTarget,
    image: str,
    *,
    function: Function | None = None,
    now: float | None = None,
) -> FunctionRow:
    """Why ``image`` is (not) accelerated on ``target``: the report's checks for one image —
    the twin's state and every problem, each with its fix when there is one.

    With ``function`` (an existing function, or one being edited), the image is checked as
    that function would run it (its name, VPC); without, the checks about a function's use
    of the image are left out and the row's ``function`` is ``""``. Nothing here raises for a
    service's error answer (an unreadable image is a finding); cancellation propagates.
    """
    inspector = Inspector(target, now=now)
    if function is None:
        fn = Function.for_container("", image)
    else:
        ccc = function.custom_container_config or CustomContainerConfig()
        # the digest it was deployed with belongs to its own image, not to another one
        resolved = ccc.resolved_image_uri if ccc.image == image else None
        ccc = replace(ccc, image=image, resolved_image_uri=resolved)
        fn = replace(function, custom_container_config=ccc)
    row = await _RowBuilder(inspector, fn).build()
    if function is None:
        row = replace(row, problems=tuple(p for p in row.problems if p.code not in _FUNCTION_ONLY))
    return row
