"""Container Registry Enterprise Edition models (``cr`` 2018-12-01; PascalCase JSON)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from core.cloud._model import ApiModel

__all__ = [
    "BuildRule",
    "BuildTask",
    "BuildTaskLogLine",
    "EndpointDomain",
    "ImageTag",
    "Instance",
    "InstanceEndpoint",
    "Namespace",
    "RegistryCredentials",
    "RegistryHosts",
    "Repository",
    "parse_count",
]


def parse_count(value: Any) -> int | None:
    """``TotalCount`` and friends: an int in some actions, a string in others."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


class _Pascal(ApiModel):
    __slots__ = ()
    _json_style: ClassVar[str] = "pascal"


@dataclass(slots=True)
class Instance(_Pascal):
    instance_id: str | None = None
    instance_name: str | None = None
    instance_specification: str | None = None
    instance_status: str | None = None
    region_id: str | None = None
    create_time: Any = None
    modified_time: Any = None
    instance_issue: str | None = None
    resource_group_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def supports_acceleration(self) -> bool:
        """Basic edition has no (full-mode) image acceleration."""
        return self.instance_specification not in (None, "Enterprise_Basic")


@dataclass(slots=True)
class Namespace(_Pascal):
    namespace_id: str | None = None
    namespace_name: str | None = None
    namespace_status: str | None = None
    instance_id: str | None = None
    auto_create_repo: bool | None = None
    default_repo_type: str | None = None
    resource_group_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Repository(_Pascal):
    repo_id: str | None = None
    repo_name: str | None = None
    repo_namespace_name: str | None = None
    repo_type: str | None = None
    repo_status: str | None = None
    repo_build_type: str | None = None
    summary: str | None = None
    detail: str | None = None
    tag_immutability: bool | None = None
    create_time: Any = None
    modified_time: Any = None
    instance_id: str | None = None
    resource_group_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def path(self) -> str:
        """``namespace/name``."""
        return f"{self.repo_namespace_name}/{self.repo_name}"


@dataclass(slots=True)
class ImageTag(_Pascal):
    tag: str | None = None
    digest: str | None = None
    image_id: str | None = None
    image_size: Any = None
    image_create: Any = None
    image_update: Any = None  # ms epoch; a string in ListRepoTag, an int in GetRepoTag
    status: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def size(self) -> int | None:
        return parse_count(self.image_size)

    @property
    def oci_digest(self) -> str | None:
        """``Digest`` as an OCI digest (ACR returns bare hex; this adds ``sha256:``)."""
        if not self.digest:
            return None
        return self.digest if ":" in self.digest else f"sha256:{self.digest}"

    @property
    def updated_ms(self) -> int | None:
        return parse_count(self.image_update)

    @property
    def created_ms(self) -> int | None:
        return parse_count(self.image_create)


@dataclass(slots=True)
class EndpointDomain(_Pascal):
    domain: str | None = None
    type: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class InstanceEndpoint(_Pascal):
    endpoint_type: str | None = None
    enable: bool | None = None
    status: str | None = None
    domains: list[EndpointDomain] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def domain(self) -> str | None:
        """The system domain (else the first one)."""
        domains = [d for d in self.domains or [] if d.domain]
        for d in domains:
            if (d.type or "").upper() == "SYSTEM":
                return d.domain
        return domains[0].domain if domains else None


@dataclass(slots=True)
class BuildRule(_Pascal):
    build_rule_id: str | None = None
    scope_type: str | None = None
    scope_id: str | None = None
    artifact_type: str | None = None
    parameters: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def epoch_seconds(value: Any) -> float | None:
    """A task time as seconds since the epoch: the Local server says seconds, Alibaba Cloud
    milliseconds; ``0``, empty or unreadable → ``None``."""
    try:
        num = float(value)
    except (TypeError, ValueError):
        return None
    if num <= 0:
        return None
    return num / 1000.0 if num > 1e11 else num


@dataclass(slots=True)
class BuildTask(_Pascal):
    """A conversion task (``GetArtifactBuildTask``); Local extensions add ``Repo``,
    ``Progress`` etc. (kept in ``extra``)."""

    build_task_id: str | None = None
    artifact_build_type: str | None = None
    task_status: str | None = None
    start_time: Any = None
    end_time: Any = None
    source_artifact: dict[str, Any] | None = None
    target_artifact: dict[str, Any] | None = None
    instructions: list[Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def finished(self) -> bool:
        return self.task_status in ("SUCCESS", "FAILED", "CANCELED", "CANCELLED")

    @property
    def started_at(self) -> float | None:
        """When the task started, in seconds since the epoch (the Local server's creation time
        when it has no start time yet); ``None`` when unknown."""
        return epoch_seconds(self.start_time) or epoch_seconds(self.extra.get("CreateTime"))

    @property
    def ended_at(self) -> float | None:
        """When the task ended, in seconds since the epoch; ``None`` while it runs."""
        return epoch_seconds(self.end_time)

    @property
    def source_tag(self) -> str | None:
        return (self.source_artifact or {}).get("Version")

    @property
    def target_tag(self) -> str | None:
        return (self.target_artifact or {}).get("Version")

    @property
    def repo_id(self) -> str | None:
        return (self.source_artifact or {}).get("RepoId")


@dataclass(slots=True)
class BuildTaskLogLine(_Pascal):
    line_number: int | None = None
    message: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RegistryHosts:
    """Registry host names of an instance (``host[:port]``, no scheme)."""

    public: str | None
    vpc: str | None

    @property
    def preferred_for_functions(self) -> str | None:
        """Functions pull over the VPC; fall back to the public host."""
        return self.vpc or self.public


@dataclass(frozen=True, slots=True, repr=False)
class RegistryCredentials:
    """Temporary registry login (``GetAuthorizationToken``). The password never shows."""

    username: str
    password: str
    expires_ms: int | None = None

    def __repr__(self) -> str:
        return f"RegistryCredentials(username={self.username!r}, expires_ms={self.expires_ms})"

    __str__ = __repr__
