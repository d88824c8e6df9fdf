"""`RegistryBackend`: the console over a plain OCI registry (Distribution, Harbor, zot …).

No functions and no server-side acceleration: repositories come from the catalog, tags from
the tags list, and "convert now" converts on this computer with core.convert, pushing
``<tag>_accelerated`` next to the source. The cold-start lab compares two images.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

from core import Progress, is_accelerated_tag, twin_tag_of
from core.errors import CloudError, CoreError, NotFound
from core.oci import ImageReference
from core.registry import RegistryClient
from gui.backend._core import run_image_comparison
from gui.backend._pages import collect_in_pages
from gui.backend._types import (
    AccelState,
    BackendCapabilities,
    BackendEvent,
    FunctionInfo,
    FunctionPage,
    FunctionSpec,
    InvokeResult,
    LabEvent,
    LabRequest,
    LabResult,
    LogEntry,
    NamespaceInfo,
    Problem,
    RegistryInstance,
    RepoInfo,
    StartupProfileInfo,
    TagInfo,
    TaskInfo,
    TaskLogLine,
)

if TYPE_CHECKING:
    from core.explore import ImageListing
    from core.report import FunctionRow, TwinWait

__all__ = ["RegistryBackend"]

_NO_FUNCTIONS = "a plain OCI registry has no functions; use a Local or Alibaba Cloud profile"


class RegistryBackend:
    def __init__(
        self,
        client: RegistryClient,
        *,
        name: str,
        credentials: tuple[str, str] | None = None,
        insecure: bool | None = None,
        url: str | None = None,
    ) -> None:
        self.client = client
        self.name = name
        self.credentials = credentials
        self.insecure = insecure
        self.url = url
        self.host = client.registry
        # Conversions run in a child process (the GUI thread keeps the interpreter lock);
        # False is kept for comparisons (bench/gui/run.py).
        self.convert_in_child = True
        self._caps = BackendCapabilities(
            functions=False,
            acceleration_rules=False,
            task_list=False,
            events=False,
            client_conversion=True,
            coldstart=True,
        )
        self._repos: list[str] | None = None

    @property
    def capabilities(self) -> BackendCapabilities:
        return self._caps

    @property
    def region(self) -> str:
        return ""

    async def aclose(self) -> None:
        await self.client.aclose()

    # -- functions: none ----------------------------------------------------------------
    async def list_functions(
        self, prefix: str = "", next_token: str | None = None, limit: int = 50
    ) -> FunctionPage:
        return FunctionPage([], None)

    async def get_function(self, name: str) -> FunctionInfo:
        raise CloudError(_NO_FUNCTIONS, code="NoFunctions")

    async def create_function(self, spec: FunctionSpec) -> FunctionInfo:
        raise CloudError(_NO_FUNCTIONS, code="NoFunctions")

    async def update_function(self, spec: FunctionSpec) -> FunctionInfo:
        raise CloudError(_NO_FUNCTIONS, code="NoFunctions")

    async def delete_function(self, name: str) -> None:
        raise CloudError(_NO_FUNCTIONS, code="NoFunctions")

    async def invoke_function(
        self, name: str, body: bytes, *, asynchronous: bool = False
    ) -> InvokeResult:
        raise CloudError(_NO_FUNCTIONS, code="NoFunctions")

    def validate_function(self, spec: FunctionSpec, *, creating: bool) -> list[Problem]:
        return [Problem("functionName", "NoFunctions", _NO_FUNCTIONS)]

    # -- registry -----------------------------------------------------------------------
    def _instance(self) -> RegistryInstance:
        return RegistryInstance(
            instance_id=self.name,
            name=self.host,
            specification="OCI registry",
            status="RUNNING",
            public_host=self.host,
        )

    async def list_instances(self) -> list[RegistryInstance]:
        return [self._instance()]

    async def _catalog(self) -> list[str]:
        if self._repos is None:
            self._repos = sorted([r async for r in self.client.catalog()])
        return self._repos

    async def list_namespaces(self, instance_id: str) -> list[NamespaceInfo]:
        spaces = sorted({r.split("/", 1)[0] for r in await self._catalog() if "/" in r})
        return [NamespaceInfo(ns, ns, instance_id) for ns in spaces]

    async def list_repositories(
        self, instance_id: str, namespace: str | None = None
    ) -> list[RepoInfo]:
        self._repos = None  # a refresh lists again
        out = []
        for path in await self._catalog():
            ns, _, name = path.rpartition("/")
            if namespace is not None and ns != namespace:
                continue
            out.append(RepoInfo(path, name, ns, instance_id, acceleration=False))
        return out

    async def list_tags(
        self,
        instance_id: str,
        repo: RepoInfo,
        on_page: Callable[[list[TagInfo]], None] | None = None,
    ) -> list[TagInfo]:
        tags = (TagInfo(tag) async for tag in self.client.list_tags(repo.repo_id))
        return await collect_in_pages(tags, on_page)

    async def get_acceleration(self, instance_id: str, repo: RepoInfo) -> bool:
        return False

    async def set_acceleration(self, instance_id: str, repo: RepoInfo, on: bool) -> None:
        raise CloudError(
            "plain OCI registries have no acceleration rules; convert tags with Convert now",
            code="ConvertNotSupported",
        )

    async def startup_profiles(self, instance_id: str, repo: RepoInfo) -> list[StartupProfileInfo]:
        raise NotImplementedError

    async def record_startup_profile(
        self, instance_id: str, repo: RepoInfo, tag: str
    ) -> StartupProfileInfo:
        raise NotImplementedError

    async def set_priority_file(self, instance_id: str, repo: RepoInfo, paths: list[str]) -> str:
        raise CloudError(
            "plain OCI registries have no acceleration rules; record a profile with fcaccel "
            "profile record and convert with it",
            code="ConvertNotSupported",
        )

    async def convert_now(
        self,
        instance_id: str,
        repo: RepoInfo,
        tag: str,
        on_progress: Callable[[Progress], None] | None = None,
    ) -> str | None:
        source = f"{self.host}/{repo.repo_id}:{tag}"
        if not self.convert_in_child:
            from core.convert import convert_image

            await convert_image(self.client, source, on_progress=on_progress)
            return None
        from gui.backend._convert_worker import run_conversion

        request = {
            "registry": self.url or self.host,
            "insecure": self.insecure,
            "credentials": list(self.credentials) if self.credentials else None,
            "source": source,
        }
        await run_conversion(request, on_progress)
        return None

    def image_address(
        self, instance: RegistryInstance, repo: RepoInfo, tag: str, *, vpc: bool = True
    ) -> str:
        return f"{self.host}/{repo.repo_id}:{tag}"

    def push_login(self) -> tuple[str, str] | None:
        return self.credentials

    async def image_listing(
        self,
        instance_id: str,
        repo: RepoInfo,
        tag: str,
        on_progress: Callable[[Progress], None] | None = None,
    ) -> ImageListing:
        from core.explore import open_listing
        from core.pull import ContentCache

        return await open_listing(
            self.client,
            f"{self.host}/{repo.path}:{tag}",
            cache=ContentCache(),
            on_progress=on_progress,
        )

    async def check_image(self, image: str, function: str = "") -> FunctionRow:
        raise NotImplementedError("a plain registry has no acceleration rules to check")

    async def wait_for_twin(
        self,
        image: str,
        *,
        max_wait: float,
        function: str = "",
        on_progress: Callable[[Progress], None] | None = None,
    ) -> TwinWait:
        raise NotImplementedError("a plain registry has no functions to deploy")

    async def image_acceleration(self, image: str) -> AccelState:
        ref = ImageReference.parse(image)
        repo, tag = ref.repository, ref.tag or "latest"
        if is_accelerated_tag(tag):
            return AccelState.READY
        with contextlib.suppress(NotFound):
            if await self.client.head_manifest(repo, twin_tag_of(tag)) is not None:
                return AccelState.AVAILABLE
        return AccelState.NONE

    # -- tasks and events: none (conversions run here, as jobs) -------------------------
    async def list_tasks(self, instance_id: str | None = None) -> list[TaskInfo]:
        return []

    async def get_task(self, instance_id: str, task_id: str) -> TaskInfo:
        raise CloudError("no conversion tasks on a plain registry", code="NoTasks")

    async def task_logs(
        self, instance_id: str, task_id: str, after_line: int = 0
    ) -> list[TaskLogLine]:
        return []

    async def cancel_task(self, instance_id: str, task_id: str) -> None:
        raise CloudError("no conversion tasks on a plain registry", code="NoTasks")

    def events(self) -> AsyncIterator[BackendEvent]:
        raise NotImplementedError

    def core_clients(self) -> None:
        return None

    def follow_logs(
        self,
        name: str,
        *,
        since: int = 0,
        limit: int = 500,
        on_open: Callable[[], None] | None = None,
    ) -> AsyncIterator[LogEntry]:
        raise NotImplementedError(_NO_FUNCTIONS)

    async def seed_status(self) -> dict[str, Any] | None:
        return None

    async def run_coldstart(
        self, request: LabRequest, on_progress: Callable[[LabEvent], None] | None = None
    ) -> LabResult:
        if request.mode != "images":
            raise CoreError(
                "a plain OCI registry compares images, not functions", code="ImagesOnly"
            )
        return await run_image_comparison(
            request, self.credentials, on_progress, insecure=self.insecure
        )
