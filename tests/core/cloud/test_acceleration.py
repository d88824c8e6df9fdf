"""Acceleration status: API field when real, 'deprecated' ignored, else tag + registry."""

from __future__ import annotations

import pytest

from core import is_accelerated_tag
from core.cloud import (
    AccelerationInfo,
    AccelerationState,
    CustomContainerConfig,
    Function,
    accelerated_twin,
    acceleration_status,
)
from core.errors import CloudError

HOST = "inst-registry-vpc.cn-hangzhou.cr.aliyuncs.com"


def _fn(image: str | None, info: str | None = None, reason: str | None = None) -> Function:
    return Function(
        function_name="f",
        last_update_status_reason_code=reason,
        custom_container_config=CustomContainerConfig(
            image=image, acceleration_info=AccelerationInfo(status=info) if info else None
        ),
    )


def test_twin_and_tag_rules() -> None:
    assert accelerated_twin(f"{HOST}/ns/app:v1") == f"{HOST}/ns/app:v1_accelerated"
    assert accelerated_twin(f"{HOST}/ns/app") == f"{HOST}/ns/app:latest_accelerated"
    assert accelerated_twin(f"{HOST}/ns/app:v1_accelerated") == f"{HOST}/ns/app:v1_accelerated"
    assert accelerated_twin("127.0.0.1:5000/ns/app:v1") == "127.0.0.1:5000/ns/app:v1_accelerated"
    assert accelerated_twin("127.0.0.1:5000/ns/app") == "127.0.0.1:5000/ns/app:latest_accelerated"
    assert accelerated_twin(f"{HOST}/ns/app@sha256:" + "a" * 64) is None
    assert is_accelerated_tag("v1_accelerated")
    assert not is_accelerated_tag("_accelerated")
    assert not is_accelerated_tag("v1")
    assert not is_accelerated_tag(None)


@pytest.mark.parametrize(
    ("info", "state"),
    [("Ready", AccelerationState.READY), ("Preparing", AccelerationState.PREPARING),
     ("Failed", AccelerationState.FAILED), ("Sparkling", AccelerationState.UNKNOWN)],
)  # fmt: skip
async def test_api_status_wins_when_real(info: str, state: AccelerationState) -> None:
    async def never(_: str) -> bool:
        raise AssertionError("the registry must not be asked")

    status = await acceleration_status(_fn(f"{HOST}/ns/app:v1", info), never)
    assert status.state is state
    assert status.source == "api"
    assert status.api_status == info


@pytest.mark.parametrize("placeholder", ["deprecated", "DEPRECATED", ""])
async def test_deprecated_placeholder_is_absent(placeholder: str) -> None:
    asked: list[str] = []

    async def exists(image: str) -> bool:
        asked.append(image)
        return True

    fn = _fn(f"{HOST}/ns/app:v1", None, reason="ImageOptimizing")
    assert fn.custom_container_config is not None
    fn.custom_container_config.acceleration_info = AccelerationInfo(status=placeholder)
    status = await acceleration_status(fn, exists)
    assert status.state is AccelerationState.AVAILABLE
    assert status.source == "registry"
    assert status.optimizing
    assert asked == [f"{HOST}/ns/app:v1_accelerated"]


async def test_tag_only_without_lookup() -> None:
    status = await acceleration_status(_fn(f"{HOST}/ns/app:v1_accelerated"))
    assert (status.state, status.source) == (AccelerationState.READY, "tag")
    status = await acceleration_status(_fn(f"{HOST}/ns/app:v1"))
    assert (status.state, status.source) == (AccelerationState.UNKNOWN, "tag")
    assert status.accelerated_image == f"{HOST}/ns/app:v1_accelerated"


async def test_unknown_cases() -> None:
    async def broken(_: str) -> bool:
        raise CloudError("boom", code="InternalError")

    assert (await acceleration_status(_fn(None))).state is AccelerationState.UNKNOWN
    digest = f"{HOST}/ns/app@sha256:" + "b" * 64
    assert (await acceleration_status(_fn(digest))).state is AccelerationState.UNKNOWN
    assert (await acceleration_status(_fn("bad ref"))).state is AccelerationState.UNKNOWN
    failed_lookup = await acceleration_status(_fn(f"{HOST}/ns/app:v1"), broken)
    assert failed_lookup.state is AccelerationState.UNKNOWN
