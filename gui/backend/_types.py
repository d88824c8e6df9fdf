"""Plain-Python value types the console shows.

They are the GUI's view of the core clients' models: the adapter in ``gui.backend._core``
maps core objects onto them, and the tests' fake backend builds them directly. Nothing here
imports Qt, so item models stay thin adapters over these values.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from dataclasses import field as dc_field
from typing import Any

__all__ = [
    "AccelState",
    "BackendCapabilities",
    "BackendEvent",
    "FunctionInfo",
    "FunctionPage",
    "FunctionSpec",
    "HealthCheck",
    "InvokeResult",
    "LabPhase",
    "LabProgress",
    "LabRequest",
    "LabResult",
    "LabSide",
    "LabTimeline",
    "LogEntry",
    "NamespaceInfo",
    "Problem",
    "RegistryInstance",
    "RepoInfo",
    "StartupProfileInfo",
    "TagInfo",
    "TaskInfo",
    "TaskLogLine",
    "TaskStatus",
    "image_tag",
    "short_image",
]


class TaskStatus(enum.StrEnum):
    PENDING = "PENDING"
    BUILDING = "BUILDING"
    SUCCESS = "SUCCESS"
    FAILED = "FAILED"
    CANCELED = "CANCELED"

    @property
    def finished(self) -> bool:
        return self in (TaskStatus.SUCCESS, TaskStatus.FAILED, TaskStatus.CANCELED)

    @classmethod
    def parse(cls, value: str) -> TaskStatus:
        v = value.upper()
        if v in ("CANCELLED", "CANCELED"):
            return cls.CANCELED
        try:
            return cls(v)
        except ValueError:
            return cls.PENDING


class AccelState(enum.StrEnum):
    """What the console knows about a tag's accelerated twin (or a function's image)."""

    UNKNOWN = "unknown"  # not looked up yet
    READY = "ready"  # the twin exists (or the image itself is accelerated)
    AVAILABLE = "available"  # a function's plain image whose accelerated twin exists
    CONVERTING = "converting"
    FAILED = "failed"
    NONE = "none"  # no twin and no task


@dataclass(frozen=True, slots=True)
class Problem:
    """A validation problem: ``field`` is the API field name, ``code`` a stable code."""

    field: str
    code: str
    message: str = ""
    params: dict[str, Any] = dc_field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class HealthCheck:
    http_get_url: str = ""
    initial_delay_seconds: int = 0
    period_seconds: int = 3
    timeout_seconds: int = 1
    success_threshold: int = 1
    failure_threshold: int = 3


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    """The editable part of a custom-container function (CreateFunction / UpdateFunction)."""

    name: str
    image: str
    cpu: float = 0.35
    memory_mb: int = 512
    disk_mb: int = 512
    timeout_s: int = 60
    port: int = 9000
    instance_concurrency: int = 1
    description: str = ""
    environment: dict[str, str] = dc_field(default_factory=dict)
    entrypoint: tuple[str, ...] = ()
    command: tuple[str, ...] = ()
    health_check: HealthCheck | None = None
    acr_instance_id: str = ""
    internet_access: bool = True
    role: str = ""


@dataclass(frozen=True, slots=True)
class FunctionInfo:
    """A function as listed (``detailed=False``: ListFunctions' subset) or fetched."""

    name: str
    image: str = ""
    cpu: float | None = None
    memory_mb: int | None = None
    disk_mb: int | None = None
    timeout_s: int | None = None
    port: int | None = None
    instance_concurrency: int | None = None
    description: str = ""
    created: str = ""
    last_modified: str = ""
    environment: dict[str, str] = dc_field(default_factory=dict)
    entrypoint: tuple[str, ...] = ()
    command: tuple[str, ...] = ()
    health_check: HealthCheck | None = None
    acr_instance_id: str = ""
    role: str = ""
    internet_access: bool = True
    function_arn: str = ""
    # Only GetFunction returns these; ``None`` means "not loaded yet".
    state: str | None = None
    state_reason: str = ""
    state_reason_code: str = ""
    last_update_status: str | None = None
    last_update_reason: str = ""
    last_update_reason_code: str = ""
    resolved_image: str = ""
    accel: AccelState = AccelState.UNKNOWN
    detailed: bool = False

    def to_spec(self) -> FunctionSpec:
        return FunctionSpec(
            name=self.name,
            image=self.image,
            cpu=self.cpu if self.cpu is not None else 0.35,
            memory_mb=self.memory_mb or 512,
            disk_mb=self.disk_mb or 512,
            timeout_s=self.timeout_s or 60,
            port=self.port or 9000,
            instance_concurrency=self.instance_concurrency or 1,
            description=self.description,
            environment=dict(self.environment),
            entrypoint=self.entrypoint,
            command=self.command,
            health_check=self.health_check,
            acr_instance_id=self.acr_instance_id,
            internet_access=self.internet_access,
            role=self.role,
        )

    def merged(self, other: FunctionInfo) -> FunctionInfo:
        """``other`` (a GetFunction answer) over this listing row; keeps a known accel state."""
        accel = other.accel if other.accel is not AccelState.UNKNOWN else self.accel
        return replace(other, accel=accel)


@dataclass(frozen=True, slots=True)
class FunctionPage:
    functions: list[FunctionInfo]
    next_token: str | None = None


@dataclass(frozen=True, slots=True)
class InvokeResult:
    status: int
    body: bytes
    request_id: str = ""
    log_tail: str = ""
    error_type: str = ""
    duration_ms: float = 0.0
    headers: dict[str, str] = dc_field(default_factory=dict)
    async_invocation: bool = False


@dataclass(frozen=True, slots=True)
class RegistryInstance:
    instance_id: str
    name: str
    specification: str = ""
    status: str = "RUNNING"
    region: str = ""
    public_host: str = ""
    vpc_host: str = ""

    @property
    def supports_acceleration(self) -> bool:
        return self.specification not in ("Enterprise_Basic",)


@dataclass(frozen=True, slots=True)
class NamespaceInfo:
    namespace_id: str
    name: str
    instance_id: str


@dataclass(frozen=True, slots=True)
class RepoInfo:
    repo_id: str
    name: str
    namespace: str
    instance_id: str
    repo_type: str = "PRIVATE"
    summary: str = ""
    modified: str = ""
    # ``None`` = not looked up yet.
    acceleration: bool | None = None
    tag_count: int | None = None

    @property
    def path(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True, slots=True)
class TagInfo:
    tag: str
    digest: str = ""
    size: int = 0
    updated: str = ""  # ISO-8601 or "" when unknown


@dataclass(frozen=True, slots=True)
class TaskInfo:
    task_id: str
    instance_id: str
    repo_id: str
    source_tag: str
    target_tag: str
    status: TaskStatus
    repo_path: str = ""
    done: int = 0
    total: int | None = None
    phase: str = ""
    started: float | None = None  # epoch seconds
    ended: float | None = None
    error: str = ""
    #: what queued it, where the service says (the Local server: ``push``, ``manual``,
    #: ``profile`` for the second stage's optimized conversion, ``seed``)
    trigger: str = ""

    @property
    def fraction(self) -> float | None:
        if self.status is TaskStatus.SUCCESS:
            return 1.0
        if not self.total:
            return None
        return min(1.0, self.done / self.total)


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One line a function's instance printed (``stream``: stdout, stderr or platform)."""

    seq: int
    time: float  # epoch seconds
    instance_id: str
    stream: str
    message: str
    request_id: str = ""


@dataclass(frozen=True, slots=True)
class TaskLogLine:
    number: int
    message: str


@dataclass(frozen=True, slots=True)
class BackendCapabilities:
    functions: bool = True  # FC API available (not for plain OCI registries)
    acceleration_rules: bool = True  # ACR build rules (server-side conversion)
    task_list: bool = True  # /x-fcdesk/ task listing
    events: bool = False  # live event stream
    client_conversion: bool = False  # convert on this machine (plain OCI registries)
    coldstart: bool = True
    startup_profiles: bool = False  # the server records start-up profiles (Local server)
    priority_file: bool = False  # acceleration rules take a PriorityFile (ACR, Local)
    live_logs: bool = False  # follow what functions print (the Local server)


@dataclass(frozen=True, slots=True)
class StartupProfileInfo:
    """The start-up profile of a tag's image, as the Local server keeps it.

    ``state``: ``NONE`` (not recorded), ``QUEUED``, ``RECORDING``, ``RECORDED`` (``files``,
    ``size`` in bytes, ``recorded_at`` in Unix seconds) or ``FAILED`` (``reason``).
    """

    tag: str
    state: str = "NONE"
    files: int = 0
    size: int = 0
    recorded_at: float | None = None
    reason: str = ""
    mode: str = ""

    @property
    def busy(self) -> bool:
        return self.state in ("QUEUED", "RECORDING")

    @classmethod
    def from_json(cls, doc: dict[str, Any], tag: str | None = None) -> StartupProfileInfo:
        recorded = doc.get("recordedAt")
        return cls(
            tag=str(tag if tag is not None else doc.get("tag") or ""),
            state=str(doc.get("state") or "NONE"),
            files=int(doc.get("files") or 0),
            size=int(doc.get("bytes") or 0),
            recorded_at=float(recorded) / 1000 if isinstance(recorded, int | float) else None,
            reason=str(doc.get("reason") or ""),
            mode=str(doc.get("mode") or ""),
        )


@dataclass(frozen=True, slots=True)
class BackendEvent:
    """One event from the Local server's stream (or synthesised by polling).

    ``kind`` is ``stream.opened`` (first, once connected), or one of ``tag.pushed``,
    ``tag.deleted``, ``task.created``, ``task.progress``,
    ``task.finished``, ``function.changed``, ``function.deleted``, ``rule.changed``,
    ``coldstart.phase``; ``data`` holds the event's fields.
    """

    kind: str
    data: dict[str, Any] = dc_field(default_factory=dict)


# -- cold-start lab -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LabPhase:
    name: str  # resolve, pull, unpack|mount, start, first-invoke
    start_ms: float
    duration_ms: float
    bytes: int = 0
    requests: int = 0


@dataclass(frozen=True, slots=True)
class LabTimeline:
    phases: tuple[LabPhase, ...]
    bytes_fetched: int = 0
    image_size: int = 0
    on_demand_fetches: int = 0
    fallbacks: int = 0
    note: str = ""

    @property
    def total_ms(self) -> float:
        if not self.phases:
            return 0.0
        return max(p.start_ms + p.duration_ms for p in self.phases)


@dataclass(frozen=True, slots=True)
class LabSide:
    label: str
    target: str  # function name or image reference
    runs: tuple[LabTimeline, ...] = ()

    def totals(self) -> list[float]:
        return [r.total_ms for r in self.runs]


@dataclass(frozen=True, slots=True)
class LabRequest:
    mode: str  # "functions" | "images"
    a: str
    b: str
    link: str  # link profile name
    runs: int = 3
    #: Both sides' cold starts at the same time, each on an emulated link of its own (a
    #: race, as two nodes pulling independently), or one after the other.
    together: bool = True


@dataclass(frozen=True, slots=True)
class LabProgress:
    """A live lab event: ``side`` 0/1, ``run`` index, a finished or running ``phase`` (a
    running one has the duration and bytes so far)."""

    side: int
    run: int
    phase: LabPhase
    finished: bool = True


@dataclass(frozen=True, slots=True)
class LabRunDone:
    """A lab event: one cold start of ``side`` finished, with its whole timeline (kept when
    a later run fails or the comparison is cancelled)."""

    side: int
    run: int
    timeline: LabTimeline


#: What a running comparison reports: phases as they go, and each finished run.
LabEvent = LabProgress | LabRunDone


@dataclass(frozen=True, slots=True)
class LabResult:
    run_id: str
    created: float  # epoch seconds
    request: LabRequest
    sides: tuple[LabSide, LabSide]
    status: str = "finished"  # finished | cancelled | failed
    error: str = ""


def image_tag(image: str) -> str:
    """The tag of an image reference as a function names it ('' without one, or when the
    text is not a reference)."""
    from core.oci import ImageReference  # not needed before the first paint

    ref = ImageReference.try_parse(image)
    return (ref.tag or "") if ref is not None else ""


def short_image(image: str) -> str:
    """``host/ns/repo:tag`` → ``ns/repo:tag``: the registry host dropped when the text names
    one (the host goes in a tooltip)."""
    from core.oci import ImageReference  # not needed before the first paint

    ref = ImageReference.try_parse(image)
    if ref is not None and image.startswith(ref.registry + "/"):
        return image[len(ref.registry) + 1 :]
    return image
