"""The one interface the console's view-models talk to.

A backend answers for one profile (Local, Alibaba Cloud, or a plain OCI registry). The real
implementation (`gui.backend.CoreBackend`) wraps core's FC/ACR/registry clients; tests use a
fake. Everything is ``async`` and Qt-free; long jobs take ``on_progress`` callbacks and are
cancelled with ``task.cancel()``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any, Protocol

from core import Progress
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
    import httpx

    from core.cloud import ProfileClients
    from core.explore import ImageListing
    from core.report import FunctionRow, TwinWait

__all__ = ["LINK_PROFILES", "Backend"]

# Link profiles the cold-start lab offers: name -> core.coldstart.LinkSpec string.
LINK_SPECS: dict[str, str] = {
    "unshaped": "",
    "datacenter": "1gbit,1ms",
    "fast": "300mbit,5ms",
    "broadband": "100mbit,20ms",
    "slow": "20mbit,60ms",
}
LINK_PROFILES: tuple[str, ...] = tuple(LINK_SPECS)


class Backend(Protocol):
    @property
    def capabilities(self) -> BackendCapabilities: ...

    @property
    def region(self) -> str: ...

    # -- functions (FC 3.0) ------------------------------------------------------------
    async def list_functions(
        self, prefix: str = "", next_token: str | None = None, limit: int = 50
    ) -> FunctionPage: ...

    async def get_function(self, name: str) -> FunctionInfo: ...

    async def create_function(self, spec: FunctionSpec) -> FunctionInfo: ...

    async def update_function(self, spec: FunctionSpec) -> FunctionInfo: ...

    async def delete_function(self, name: str) -> None: ...

    async def invoke_function(
        self, name: str, body: bytes, *, asynchronous: bool = False
    ) -> InvokeResult: ...

    def validate_function(self, spec: FunctionSpec, *, creating: bool) -> list[Problem]: ...

    # -- registry (ACR EE) -------------------------------------------------------------
    async def list_instances(self) -> list[RegistryInstance]: ...

    async def list_namespaces(self, instance_id: str) -> list[NamespaceInfo]: ...

    async def list_repositories(
        self, instance_id: str, namespace: str | None = None
    ) -> list[RepoInfo]: ...

    async def list_tags(
        self,
        instance_id: str,
        repo: RepoInfo,
        on_page: Callable[[list[TagInfo]], None] | None = None,
    ) -> list[TagInfo]: ...

    async def get_acceleration(self, instance_id: str, repo: RepoInfo) -> bool: ...

    async def set_acceleration(self, instance_id: str, repo: RepoInfo, on: bool) -> None: ...

    async def convert_now(
        self,
        instance_id: str,
        repo: RepoInfo,
        tag: str,
        on_progress: Callable[[Progress], None] | None = None,
    ) -> str | None:
        """Convert ``tag`` into its accelerated twin.

        Server-side (ACR / Local): starts a task and returns its id at once. Client-side
        (plain OCI registries, ``capabilities.client_conversion``): converts on this machine,
        reporting ``on_progress``, and returns ``None`` when the twin has been pushed.
        """
        ...

    def image_address(
        self, instance: RegistryInstance, repo: RepoInfo, tag: str, *, vpc: bool = True
    ) -> str: ...

    def push_login(self) -> tuple[str, str] | None:
        """The user name and password a client pushes images to this registry with, when
        the console knows them (the Local server's AccessKey pair, an OCI profile's login);
        None on Alibaba Cloud, where the registry login is set in the ACR console."""
        ...

    async def image_listing(
        self,
        instance_id: str,
        repo: RepoInfo,
        tag: str,
        on_progress: Callable[[Progress], None] | None = None,
    ) -> ImageListing:
        """The file tree of ``repo:tag`` (`core.explore.open_listing`): from its TOCs when it
        is accelerated, else its layers streamed once (``index`` progress) and cached."""
        ...

    async def check_image(self, image: str, function: str = "") -> FunctionRow:
        """Why ``image`` is (not) accelerated (`core.report.check_image`): the twin's state and
        every problem with its fix; as function ``function`` would run it when one is named.
        Raises ``NotImplementedError`` where there is no such check (plain registries)."""
        ...

    async def wait_for_twin(
        self,
        image: str,
        *,
        max_wait: float,
        function: str = "",
        on_progress: Callable[[Progress], None] | None = None,
    ) -> TwinWait:
        """Wait until the ``_accelerated`` twin of ``image`` is ready, or say why it will not
        be (`core.report.wait_for_twin`; progress phase ``accelerate``)."""
        ...

    async def image_acceleration(self, image: str) -> AccelState:
        """The acceleration state of a function's image: READY for an accelerated tag (or a
        plain tag whose twin exists), CONVERTING, FAILED, or NONE."""
        ...

    # -- start-up profiles ---------------------------------------------------------------
    async def startup_profiles(self, instance_id: str, repo: RepoInfo) -> list[StartupProfileInfo]:
        """The start-up profile of each plain tag's image (``capabilities.startup_profiles``;
        raises ``NotImplementedError`` elsewhere)."""
        ...

    async def record_startup_profile(
        self, instance_id: str, repo: RepoInfo, tag: str
    ) -> StartupProfileInfo:
        """Record ``tag``'s profile again (its twin started once; the tag is then converted
        again in optimized order); returns the queued profile."""
        ...

    async def set_priority_file(self, instance_id: str, repo: RepoInfo, paths: list[str]) -> str:
        """Make the repository's acceleration rule prefetch ``paths`` (``PriorityFile``;
        ``capabilities.priority_file``); returns the new rule's id."""
        ...

    # -- conversion tasks --------------------------------------------------------------
    async def list_tasks(self, instance_id: str | None = None) -> list[TaskInfo]: ...

    async def get_task(self, instance_id: str, task_id: str) -> TaskInfo: ...

    async def task_logs(
        self, instance_id: str, task_id: str, after_line: int = 0
    ) -> list[TaskLogLine]: ...

    async def cancel_task(self, instance_id: str, task_id: str) -> None: ...

    # -- live ---------------------------------------------------------------------------
    def events(self) -> AsyncIterator[BackendEvent]:
        """The server's event stream; raises ``NotImplementedError`` when there is none."""
        ...

    def core_clients(self) -> tuple[ProfileClients, httpx.AsyncClient] | None:
        """The core clients this backend works through and their HTTP client (a Local or
        Alibaba Cloud profile), for work that uses core directly, such as the acceleration
        report; ``None`` when there are none."""
        ...

    def follow_logs(
        self,
        name: str,
        *,
        since: int = 0,
        limit: int = 500,
        on_open: Callable[[], None] | None = None,
    ) -> AsyncIterator[LogEntry]:
        """What function ``name``'s instances print: the newest ``limit`` lines after
        ``since``, then each new one as it comes (``capabilities.live_logs``); ``on_open``
        is called once the stream is open (before any line). Raises ``NotImplementedError``
        where there is no such stream (Alibaba Cloud keeps logs in Simple Log Service)."""
        ...

    async def seed_status(self) -> dict[str, Any] | None:
        """The Local server's first-start demo seeding as ``/x-fcdesk/info`` reports it
        (``{kind, state, stage, step, done, total, reason?}``, ``{"state": "finished"}`` when
        it finished in an earlier run), or ``None`` (nothing seeded, or no Local server)."""
        ...

    # -- cold-start lab -----------------------------------------------------------------
    async def run_coldstart(
        self, request: LabRequest, on_progress: Callable[[LabEvent], None] | None = None
    ) -> LabResult:
        """Cold-start ``request.a`` and ``request.b`` ``request.runs`` times each, together
        (``request.together``: each over an emulated link of its own) or one after the
        other, reporting phases as they go and every finished run."""
        ...

    async def aclose(self) -> None: ...
