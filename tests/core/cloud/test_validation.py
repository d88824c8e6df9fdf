"""Function validation: machine-readable problems (field + code + params)."""

from __future__ import annotations

import pytest

from core.cloud import (
    CustomContainerConfig,
    Function,
    HealthCheckConfig,
    ValidationProblem,
    validate_cpu_memory,
    validate_function,
    validate_function_name,
)

IMAGE = "registry-vpc.cn-hangzhou.aliyuncs.com/fc-demo/helloworld:v1"


def _codes(problems: list[ValidationProblem]) -> set[tuple[str, str]]:
    return {(p.field, p.code) for p in problems}


def test_console_defaults_are_valid() -> None:
    assert validate_function(Function.for_container("demo", IMAGE)) == []


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("", "required"),
        (None, "required"),
        ("1abc", "invalid_name"),
        ("-abc", "invalid_name"),
        ("a.b", "invalid_name"),
        ("a" * 65, "too_long"),
    ],
)
def test_bad_names(name: str | None, code: str) -> None:
    assert [p.code for p in validate_function_name(name)] == [code]


@pytest.mark.parametrize("name", ["a", "_a", "A-b_c9", "a" * 64])
def test_good_names(name: str) -> None:
    assert validate_function_name(name) == []


@pytest.mark.parametrize(
    ("cpu", "memory", "expected"),
    [
        (0.35, 512, set()),
        (1, 1024, set()),  # 1:1
        (1, 4096, set()),  # 1:4
        (0.05, 128, set()),  # 0.125 GB within 0.05..0.2
        (0.05, 256, {("cpu", "cpu_memory_ratio")}),  # 0.25 GB > 4 * 0.05
        (16, 32768, set()),
        (0.33, 512, {("cpu", "not_multiple")}),
        (0, 512, {("cpu", "out_of_range")}),
        (16.05, 32768, {("cpu", "out_of_range")}),
        (1, 1000, {("memorySize", "not_multiple")}),
        (1, 64, {("memorySize", "out_of_range")}),
        (1, 32832, {("memorySize", "out_of_range")}),
        (1, 512, {("cpu", "cpu_memory_ratio")}),  # 1 vCPU needs >= 1 GB
        (0.5, 4096, {("cpu", "cpu_memory_ratio")}),  # 0.5 vCPU allows <= 2 GB
        ("1", 512, {("cpu", "invalid_type")}),
        (1, 512.0, {("memorySize", "invalid_type")}),
    ],
)
def test_cpu_memory(cpu: object, memory: object, expected: set[tuple[str, str]]) -> None:
    assert _codes(validate_cpu_memory(cpu, memory)) == expected


def test_ratio_params_name_the_allowed_cpu_range() -> None:
    (problem,) = validate_cpu_memory(1, 512)
    assert problem.params["min_cpu"] == 0.15  # 0.5 GB / 4, rounded up to 0.05
    assert problem.params["max_cpu"] == 0.5
    assert problem.params["memory_gb"] == 0.5


def test_other_fields() -> None:
    fn = Function.for_container("demo", IMAGE, port=70000, disk_size=1024, timeout=0)
    fn.instance_concurrency = 500
    fn.role = "not-an-arn"
    assert fn.custom_container_config is not None
    fn.custom_container_config.health_check_config = HealthCheckConfig(
        http_get_url="/" + "x" * 2048, timeout_seconds=4, period_seconds=0,
        initial_delay_seconds=121, success_threshold=0, failure_threshold=121,
    )  # fmt: skip
    fn.custom_container_config.entrypoint = "python app.py"  # type: ignore[assignment]
    base = "customContainerConfig.healthCheckConfig."
    assert _codes(validate_function(fn)) == {
        ("customContainerConfig.port", "out_of_range"),
        ("diskSize", "invalid_choice"),
        ("timeout", "out_of_range"),
        ("instanceConcurrency", "out_of_range"),
        ("role", "invalid_format"),
        (base + "httpGetUrl", "too_long"),
        (base + "timeoutSeconds", "out_of_range"),
        (base + "periodSeconds", "out_of_range"),
        (base + "initialDelaySeconds", "out_of_range"),
        (base + "successThreshold", "out_of_range"),
        (base + "failureThreshold", "out_of_range"),
        ("customContainerConfig.entrypoint", "invalid_type"),
    }


def test_image_rules() -> None:
    missing = Function(function_name="f", runtime="custom-container")
    assert ("customContainerConfig", "required") in _codes(validate_function(missing))
    no_image = Function(
        function_name="f",
        runtime="custom-container",
        custom_container_config=CustomContainerConfig(),
    )
    assert ("customContainerConfig.image", "required") in _codes(validate_function(no_image))
    bad = Function.for_container("f", "Not A Reference")
    assert ("customContainerConfig.image", "invalid_image") in _codes(validate_function(bad))
    assert (
        validate_function(Function.for_container("f", "127.0.0.1:5000/ns/app@sha256:" + "a" * 64))
        == []
    )


def test_update_validation_allows_absent_fields() -> None:
    assert validate_function(Function(memory_size=1024), creating=False) == []
    assert _codes(validate_function(Function(memory_size=100), creating=False)) == {
        ("memorySize", "out_of_range")
    }
    assert ("runtime", "required") in _codes(validate_function(Function(function_name="f")))
