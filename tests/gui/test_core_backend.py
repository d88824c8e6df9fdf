"""`CoreBackend` on an Alibaba Cloud profile: the requests it sends are the ones the profile
allows (signed with its key, to its region), and it never makes up an instance id."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from core.cloud import Credentials, open_clients
from core.errors import CloudError
from core.settings import AliyunProfile
from gui.backend._core import CoreBackend
from tests.fixtures.cloud import (
    TEST_ACCESS_KEY_ID,
    TEST_ACCESS_KEY_SECRET,
    SignedMock,
    json_response,
)

EMPTY_LISTING = {"Instances": [], "TotalCount": 0, "PageNo": 1, "PageSize": 30, "IsSuccess": True}


def test_no_instance_is_made_up_for_a_cloud_profile(qtbot, qloop) -> None:
    mock = SignedMock()
    mock.handler = lambda _request: json_response(200, EMPTY_LISTING)
    profile = AliyunProfile(name="prod", region="cn-hangzhou", access_key_id=TEST_ACCESS_KEY_ID)
    credentials = Credentials(TEST_ACCESS_KEY_ID, TEST_ACCESS_KEY_SECRET, source="test")

    async def cancel() -> None:
        async with httpx.AsyncClient(transport=mock.transport) as http:
            backend = CoreBackend(open_clients(profile, http, credentials), http, kind="aliyun")
            await backend.cancel_task("", "task-1")

    task = asyncio.ensure_future(cancel())
    qtbot.waitUntil(task.done, timeout=20_000)
    with pytest.raises(CloudError) as info:
        task.result()
    assert info.value.code == "NoRegistryInstance"
    actions = [r.headers.get("x-acs-action") for r in mock.requests]
    assert actions == ["ListInstance"]  # it asked; it did not cancel anything anywhere
    assert all(r.url.host == "cr.cn-hangzhou.aliyuncs.com" for r in mock.requests)
