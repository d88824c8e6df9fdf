"""Function Compute 3.0 models (JSON names lowerCamelCase, as sent and received)."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import Any

from core.cloud._model import ApiModel

__all__ = [
    "DEPRECATED_PLACEHOLDER",
    "READ_ONLY_FIELDS",
    "AccelerationInfo",
    "CustomContainerConfig",
    "Function",
    "FunctionInstance",
    "HealthCheckConfig",
    "InvocationResult",
    "is_placeholder",
]

#: FC 3.0 sample responses fill retired fields with this literal string.
DEPRECATED_PLACEHOLDER = "deprecated"


def is_placeholder(value: object) -> bool:
    """Whether ``value`` means "not filled" (absent, empty, or the ``deprecated`` literal)."""
    return value is None or (
        isinstance(value, str) and value.strip().lower() in ("", DEPRECATED_PLACEHOLDER)
    )


@dataclass(slots=True)
class HealthCheckConfig(ApiModel):
    http_get_url: str | None = None
    initial_delay_seconds: int | None = None
    period_seconds: int | None = None
    timeout_seconds: int | None = None
    success_threshold: int | None = None
    failure_threshold: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class AccelerationInfo(ApiModel):
    status: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class CustomContainerConfig(ApiModel):
    image: str | None = None
    entrypoint: list[str] | None = None
    command: list[str] | None = None
    port: int | None = None
    health_check_config: HealthCheckConfig | None = None
    registry_config: dict[str, Any] | None = None
    resolved_image_uri: str | None = None  # output only
    acceleration_type: str | None = None  # FC 2.0 era; "deprecated" in FC 3.0 samples
    acceleration_info: AccelerationInfo | None = None  # output only
    acr_instance_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


#: Function fields the service sets; never sent on create/update.
READ_ONLY_FIELDS = frozenset(
    {
        "functionArn",
        "functionId",
        "createdTime",
        "lastModifiedTime",
        "codeSize",
        "codeChecksum",
        "state",
        "stateReason",
        "stateReasonCode",
        "lastUpdateStatus",
        "lastUpdateStatusReason",
        "lastUpdateStatusReasonCode",
        "invocationRestriction",
        "tracingConfig",
    }
)
_CREATE_ONLY_FIELDS = frozenset({"functionName", "tags", "resourceGroupId"})


@dataclass(slots=True)
class Function(ApiModel):
    """An FC 3.0 function (``Function`` / ``CreateFunctionInput``)."""

    function_name: str | None = None
    runtime: str | None = None
    handler: str | None = None
    description: str | None = None
    cpu: float | None = None
    memory_size: int | None = None
    disk_size: int | None = None
    timeout: int | None = None
    instance_concurrency: int | None = None
    role: str | None = None
    environment_variables: dict[str, str] | None = None
    internet_access: bool | None = None
    custom_container_config: CustomContainerConfig | None = None
    # read-only
    function_arn: str | None = None
    function_id: str | None = None
    created_time: str | None = None
    last_modified_time: str | None = None
    state: str | None = None
    state_reason: str | None = None
    state_reason_code: str | None = None
    last_update_status: str | None = None
    last_update_status_reason: str | None = None
    last_update_status_reason_code: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.function_name or ""

    @property
    def image(self) -> str | None:
        ccc = self.custom_container_config
        return ccc.image if ccc else None

    @property
    def resolved_image_uri(self) -> str | None:
        ccc = self.custom_container_config
        return ccc.resolved_image_uri if ccc else None

    @property
    def is_container(self) -> bool:
        return self.runtime == "custom-container"

    @property
    def is_ready(self) -> bool:
        """Active and its latest update done (the docs' "poll until" conditions)."""
        return self.state == "Active" and self.last_update_status in (None, "Successful")

    @property
    def is_settling(self) -> bool:
        """Still being prepared: ``Pending`` or an update ``InProgress``."""
        return self.state == "Pending" or self.last_update_status == "InProgress"

    @classmethod
    def for_container(
        cls,
        name: str,
        image: str,
        *,
        port: int = 9000,
        cpu: float = 0.35,
        memory_size: int = 512,
        disk_size: int = 512,
        timeout: int = 3,
        instance_concurrency: int = 1,
        **more: Any,
    ) -> Function:
        """A custom-container function with the console's defaults."""
        return cls(
            function_name=name,
            runtime="custom-container",
            handler="index.handler",
            cpu=cpu,
            memory_size=memory_size,
            disk_size=disk_size,
            timeout=timeout,
            instance_concurrency=instance_concurrency,
            internet_access=more.pop("internet_access", True),
            custom_container_config=CustomContainerConfig(image=image, port=port),
            **more,
        )

    def _writable_json(self) -> dict[str, Any]:
        data = self.to_json()
        for key in READ_ONLY_FIELDS:
            data.pop(key, None)
        ccc = data.get("customContainerConfig")
        if isinstance(ccc, dict):
            ccc.pop("resolvedImageUri", None)
            ccc.pop("accelerationInfo", None)
            for key in ("accelerationType", "acrInstanceId"):
                if is_placeholder(ccc.get(key)):
                    ccc.pop(key, None)
        if data.get("runtime") == "custom-container":
            # FC rejects ``code`` for images and insists on a handler.
            data.pop("code", None)
            if not data.get("handler"):
                data["handler"] = "index.handler"
        return data

    def to_create_json(self) -> dict[str, Any]:
        """The ``CreateFunctionInput`` body."""
        return self._writable_json()

    def to_update_json(self) -> dict[str, Any]:
        """The ``UpdateFunctionInput`` body (no name, tags or resource group)."""
        data = self._writable_json()
        for key in _CREATE_ONLY_FIELDS:
            data.pop(key, None)
        return data


@dataclass(slots=True)
class FunctionInstance(ApiModel):
    instance_id: str | None = None
    version_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class InvocationResult:
    """What an invocation returned. ``log`` is the decoded tail log (``x-fc-log-result``)."""

    status: int
    headers: dict[str, str]
    body: bytes
    request_id: str | None
    log: str | None = None
    error_type: str | None = None  # x-fc-error-type: Handled/UnhandledInvocationError
    instance_id: str | None = None

    @property
    def ok(self) -> bool:
        return self.status < 400 and not self.error_type

    @staticmethod
    def decode_log(value: str | None) -> str | None:
        """Decode a base64 ``x-fc-log-result``; text that is not base64 is returned as is."""
        if not value:
            return None
        try:
            return base64.b64decode(value, validate=True).decode("utf-8", errors="replace")
        except (binascii.Error, ValueError):
            return value
