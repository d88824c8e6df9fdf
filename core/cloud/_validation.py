"""Checks for function settings, as FC applies them, returning machine-readable problems.

Each `ValidationProblem` names the API field (JSON path, e.g. ``customContainerConfig.port``),
a stable code and the parameters a GUI needs to word it (``min``, ``max``, ``step`` …). No
sentences.

Codes: ``required``, ``invalid_name``, ``too_long``, ``out_of_range``, ``not_multiple``,
``cpu_memory_ratio``, ``invalid_choice``, ``invalid_image``, ``invalid_type``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from core.cloud._fc_models import Function
from core.errors import InvalidReference
from core.oci import ImageReference

__all__ = [
    "DISK_SIZES",
    "ValidationProblem",
    "validate_cpu_memory",
    "validate_function",
    "validate_function_name",
]

_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
DISK_SIZES = (512, 10240)


@dataclass(frozen=True, slots=True)
class ValidationProblem:
    field: str
    code: str
    params: dict[str, Any] = dc_field(default_factory=dict)


def _valid_image(image: str) -> bool:
    try:
        ImageReference.parse(image, default_tag=None)
    except InvalidReference:
        return False
    return "/" in image


def validate_function_name(name: str | None) -> list[ValidationProblem]:
    """Letters, digits, ``_`` and ``-``; not starting with a digit or ``-``; 1-64 chars."""
    if not name:
        return [ValidationProblem("functionName", "required")]
    if len(name) > 64:
        return [ValidationProblem("functionName", "too_long", {"max": 64})]
    if not _NAME_RE.match(name):
        return [ValidationProblem("functionName", "invalid_name")]
    return []


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _int_range(problems: list[ValidationProblem], name: str, value: Any, lo: int, hi: int) -> None:
    if value is None:
        return
    if not isinstance(value, int) or isinstance(value, bool):
        problems.append(ValidationProblem(name, "invalid_type", {"expected": "integer"}))
    elif not lo <= value <= hi:
        problems.append(ValidationProblem(name, "out_of_range", {"min": lo, "max": hi}))


def validate_cpu_memory(cpu: Any, memory_size: Any) -> list[ValidationProblem]:
    """cpu: multiple of 0.05 in 0.05-16; memory: multiple of 64 in 128-32768 MB; and
    cpu : memory (GB) between 1:1 and 1:4."""
    problems: list[ValidationProblem] = []
    cpu_ok = mem_ok = False
    if cpu is not None:
        if not _number(cpu):
            problems.append(ValidationProblem("cpu", "invalid_type", {"expected": "number"}))
        elif not 0.05 <= cpu <= 16:
            problems.append(ValidationProblem("cpu", "out_of_range", {"min": 0.05, "max": 16}))
        elif abs(round(cpu / 0.05) * 0.05 - cpu) > 1e-9:
            problems.append(ValidationProblem("cpu", "not_multiple", {"step": 0.05}))
        else:
            cpu_ok = True
    if memory_size is not None:
        if not isinstance(memory_size, int) or isinstance(memory_size, bool):
            problems.append(
                ValidationProblem("memorySize", "invalid_type", {"expected": "integer"})
            )
        elif not 128 <= memory_size <= 32768:
            problems.append(
                ValidationProblem("memorySize", "out_of_range", {"min": 128, "max": 32768})
            )
        elif memory_size % 64:
            problems.append(ValidationProblem("memorySize", "not_multiple", {"step": 64}))
        else:
            mem_ok = True
    if cpu_ok and mem_ok:
        gb = memory_size / 1024
        # 1:1 .. 1:4 means memory (GB) between cpu and 4 * cpu.
        if not (cpu - 1e-9 <= gb <= 4 * cpu + 1e-9):
            problems.append(
                ValidationProblem(
                    "cpu",
                    "cpu_memory_ratio",
                    {
                        "min_ratio": 1,
                        "max_ratio": 4,
                        "memory_gb": gb,
                        "min_cpu": round(math.ceil(gb / 4 / 0.05 - 1e-9) * 0.05, 2),
                        "max_cpu": round(math.floor(gb / 0.05 + 1e-9) * 0.05, 2),
                    },
                )
            )
    return problems


def validate_function(fn: Function, *, creating: bool = True) -> list[ValidationProblem]:
    """Every problem FC would reject ``fn`` for (custom-container functions in particular).

    With ``creating=False`` (an update) absent fields are fine: they keep their values.
    """
    problems: list[ValidationProblem] = []
    if creating or fn.function_name is not None:
        problems += validate_function_name(fn.function_name)
    if creating and not fn.runtime:
        problems.append(ValidationProblem("runtime", "required"))
    problems += validate_cpu_memory(fn.cpu, fn.memory_size)
    if fn.disk_size is not None and fn.disk_size not in DISK_SIZES:
        problems.append(
            ValidationProblem("diskSize", "invalid_choice", {"choices": list(DISK_SIZES)})
        )
    _int_range(problems, "timeout", fn.timeout, 1, 86400)
    _int_range(problems, "instanceConcurrency", fn.instance_concurrency, 1, 200)
    if fn.role is not None and fn.role and not fn.role.startswith("acs:ram::"):
        problems.append(ValidationProblem("role", "invalid_format", {"prefix": "acs:ram::"}))
    ccc = fn.custom_container_config
    if fn.runtime == "custom-container" or ccc is not None:
        if ccc is None:
            if creating:
                problems.append(ValidationProblem("customContainerConfig", "required"))
        else:
            if creating or ccc.image is not None:
                if not ccc.image:
                    problems.append(ValidationProblem("customContainerConfig.image", "required"))
                elif not _valid_image(ccc.image):
                    problems.append(
                        ValidationProblem("customContainerConfig.image", "invalid_image")
                    )
            _int_range(problems, "customContainerConfig.port", ccc.port, 1, 65535)
            for name in ("entrypoint", "command"):
                value = getattr(ccc, name)
                if value is not None and (
                    not isinstance(value, list) or not all(isinstance(v, str) for v in value)
                ):
                    problems.append(
                        ValidationProblem(
                            f"customContainerConfig.{name}",
                            "invalid_type",
                            {"expected": "string list"},
                        )
                    )
            hc = ccc.health_check_config
            if hc is not None:
                base = "customContainerConfig.healthCheckConfig."
                if hc.http_get_url is not None and len(hc.http_get_url) > 2048:
                    problems.append(
                        ValidationProblem(base + "httpGetUrl", "too_long", {"max": 2048})
                    )
                _int_range(problems, base + "initialDelaySeconds", hc.initial_delay_seconds, 0, 120)
                _int_range(problems, base + "periodSeconds", hc.period_seconds, 1, 120)
                _int_range(problems, base + "timeoutSeconds", hc.timeout_seconds, 1, 3)
                _int_range(problems, base + "successThreshold", hc.success_threshold, 1, 120)
                _int_range(problems, base + "failureThreshold", hc.failure_threshold, 1, 120)
    return problems
