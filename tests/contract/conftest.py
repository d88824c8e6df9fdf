"""Fixtures of the contract tests: one Local server per module and the official SDK clients
pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alibabacloud_cr20181201.client import Client as CrClient
from alibabacloud_fc20230330.client import Client as FcClient

from tests.contract._sdk import cr_client, fc_client
from tests.fixtures.emulator import LocalServerHandle, start_local_server_thread


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServerHandle]:
    """A Local server in a thread, shared by the tests of one module (no demo seed)."""
    handle = start_local_server_thread(tmp_path_factory.mktemp("contract") / "local")
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture(scope="module")
def sdk_fc(server: LocalServerHandle) -> FcClient:
    return fc_client(server.host, server.access_key_id, server.access_key_secret)


@pytest.fixture(scope="module")
def sdk_cr(server: LocalServerHandle) -> CrClient:
    return cr_client(server.host, server.access_key_id, server.access_key_secret)
