"""The console's backend interface and value types (Qt-free).

`Backend` is the interface the view-models use; `CoreBackend` (Local and Alibaba Cloud
profiles) and `RegistryBackend` (plain OCI registries) implement it. Those two are loaded on
first use: they import the cloud and registry clients, which the first window does not need.
"""

from typing import TYPE_CHECKING, Any

from gui.backend._protocol import LINK_PROFILES, LINK_SPECS, Backend
from gui.backend._types import (
    AccelState,
    BackendCapabilities,
    BackendEvent,
    FunctionInfo,
    FunctionPage,
    FunctionSpec,
    HealthCheck,
    InvokeResult,
    LabEvent,
    LabPhase,
    LabProgress,
    LabRequest,
    LabResult,
    LabRunDone,
    LabSide,
    LabTimeline,
    LogEntry,
    NamespaceInfo,
    Problem,
    RegistryInstance,
    RepoInfo,
    StartupProfileInfo,
    TagInfo,
    TaskInfo,
    TaskLogLine,
    TaskStatus,
    image_tag,
    short_image,
)

if TYPE_CHECKING:
    from gui.backend._core import CoreBackend
    from gui.backend._registry import RegistryBackend

__all__ = [
    "LINK_PROFILES",
    "LINK_SPECS",
    "AccelState",
    "Backend",
    "BackendCapabilities",
    "BackendEvent",
    "CoreBackend",
    "FunctionInfo",
    "FunctionPage",
    "FunctionSpec",
    "HealthCheck",
    "InvokeResult",
    "LabEvent",
    "LabPhase",
    "LabProgress",
    "LabRequest",
    "LabResult",
    "LabRunDone",
    "LabSide",
    "LabTimeline",
    "LogEntry",
    "NamespaceInfo",
    "Problem",
    "RegistryBackend",
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


def __getattr__(name: str) -> Any:
    if name == "CoreBackend":
        from gui.backend._core import CoreBackend

        return CoreBackend
    if name == "RegistryBackend":
        from gui.backend._registry import RegistryBackend

        return RegistryBackend
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
